import { z } from 'zod';

/** Longest chat, DM or support text, in characters. */
export const TEXT_MAX = 4000;

/**
 * Text a user sends that Plaza stores: trimmed, not empty, at most `max` characters, and storable by
 * PostgreSQL, which refuses the NUL character in text. Refusing it here makes it a validation error
 * (422 / 30008) instead of a database failure.
 */
export function storableText(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((text) => !text.includes('\u0000'), { message: 'Text must not contain NUL characters' });
}

/** A chat, DM or support message text. */
export const MessageText = storableText(TEXT_MAX);

/** A chat group's name. */
export const GroupName = storableText(100);

/** The sender's own id for one message (a UUID): repeating a send with it never stores the message twice. */
export const ClientMsgId = z
  .uuid()
  .describe(
    'Your own UUID for this message: a repeat with the same one is acknowledged with the original, never stored twice.',
  );

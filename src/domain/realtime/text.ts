import { z } from 'zod';
import { idSchema } from '../shared/ids.ts';
import { MESSAGE_FILES_MAX } from './messageAttachments.ts';

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

/** Files a message carries: ids of the sender's own uploads not attached anywhere yet. */
export const MessageFileIds = z
  .array(idSchema)
  .max(MESSAGE_FILES_MAX)
  .optional()
  .describe(
    'Ids of your own uploaded files (POST /files) to attach; only the conversation’s members may then read them.',
  );

/** A chat group's name. */
export const GroupName = storableText(100);

/** The sender's own id for one message (a UUID): repeating a send with it never stores the message twice. */
export const ClientMsgId = z
  .uuid()
  .describe(
    'Your own UUID for this message: a repeat with the same one is acknowledged with the original, never stored twice.',
  );

import { z } from 'zod';

/** Longest chat or DM text, in characters. */
export const TEXT_MAX = 4000;
const text = z.string().trim().min(1).max(TEXT_MAX);
const id = z.number().int().positive();

export const ChatJoinOptions = z.object({ groupId: z.coerce.number().int().positive() });

/** Client → server messages of the `chat` room. */
export const ChatMessages = {
  msg: z.object({ text }).strict(),
  room_dm: z.object({ to: id, text }).strict(),
  typing: z.object({ typing: z.boolean() }).strict(),
  edit: z.object({ message_id: id, text }).strict(),
  delete: z.object({ message_id: id }).strict(),
  read: z.object({ message_id: id }).strict(),
  history: z.object({ before: id.optional(), limit: z.number().int().min(1).max(100).default(50) }).strict(),
};

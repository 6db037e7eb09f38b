import { z } from 'zod';
import { idSchema, idTextSchema } from '../../src/domain/shared/ids.ts';

/** Longest chat or DM text, in characters. */
export const TEXT_MAX = 4000;
const text = z.string().trim().min(1).max(TEXT_MAX);
const id = idSchema;

export const ChatJoinOptions = z.object({ groupId: idTextSchema });

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

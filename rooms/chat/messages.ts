import { z } from 'zod';
import { ClientMsgId, MessageText } from '../../src/domain/realtime/text.ts';
import { idSchema, idTextSchema, MAX_ID } from '../../src/domain/shared/ids.ts';
import { MessageFileIds } from '../../src/domain/realtime/text.ts';

const id = idSchema;
/** A message id a client has seen (0: none yet). */
const seenId = z.number().int().min(0).max(MAX_ID);

export const ChatJoinOptions = z.object({
  groupId: idTextSchema,
  last_seen_id: seenId.optional(),
});

/** Client → server messages of the `chat` room. */
export const ChatMessages = {
  msg: z.object({ text: MessageText, client_msg_id: ClientMsgId.optional(), file_ids: MessageFileIds }).strict(),
  room_dm: z
    .object({ to: id, text: MessageText, client_msg_id: ClientMsgId.optional(), file_ids: MessageFileIds })
    .strict(),
  typing: z.object({ typing: z.boolean() }).strict(),
  edit: z.object({ message_id: id, text: MessageText }).strict(),
  delete: z.object({ message_id: id }).strict(),
  read: z.object({ message_id: id }).strict(),
  history: z
    .object({
      cursor: z.string().max(512).optional(),
      after: seenId.optional(),
      limit: z.number().int().min(1).max(100).default(50),
    })
    .strict()
    .refine((m) => m.cursor === undefined || m.after === undefined, {
      message: 'Use cursor or after, not both',
      path: ['after'],
    }),
  sync: z.object({ last_seen_id: seenId, limit: z.number().int().min(1).max(200).optional() }).strict(),
  /** A page of members by user id: those after `after` (0: from the start). */
  members: z
    .object({
      after: z.number().int().min(0).max(MAX_ID).default(0),
      limit: z.number().int().min(1).max(200).default(100),
    })
    .strict(),
};

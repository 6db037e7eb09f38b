import { z } from 'zod';
import { ClientMsgId, GroupName, MessageFileIds, MessageText } from '../../src/domain/realtime/text.ts';
import { idSchema, MAX_ID } from '../../src/domain/shared/ids.ts';

const userId = idSchema;
/** A DM id a client has seen (0: none yet). */
const seenId = z.number().int().min(0).max(MAX_ID);
export const STATUSES = ['online', 'away', 'invisible'] as const;

export const HomeJoinOptions = z.object({
  status: z.enum(STATUSES).default('online'),
  last_seen_id: seenId.optional(),
});

/** Client → server messages of the `home` room. */
export const HomeMessages = {
  status: z.object({ status: z.enum(STATUSES) }).strict(),
  dm: z
    .object({ to: userId, text: MessageText, client_msg_id: ClientMsgId.optional(), file_ids: MessageFileIds })
    .strict(),
  dm_edit: z.object({ message_id: idSchema, text: MessageText }).strict(),
  dm_delete: z.object({ message_id: idSchema }).strict(),
  dm_read: z.object({ user_id: userId }).strict(),
  follow: z.object({ user_id: userId }).strict(),
  unfollow: z.object({ user_id: userId }).strict(),
  create_group: z.object({ name: GroupName, visibility: z.enum(['private', 'open']).optional() }).strict(),
  my_groups: z.object({}).strict(),
  friends_online: z.object({}).strict(),
  sync: z.object({ last_seen_id: seenId, limit: z.number().int().min(1).max(200).optional() }).strict(),
};

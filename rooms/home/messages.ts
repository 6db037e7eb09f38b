import { z } from 'zod';
import { idSchema } from '../../src/domain/shared/ids.ts';
import { TEXT_MAX } from '../chat/messages.ts';

const userId = idSchema;
export const STATUSES = ['online', 'away', 'invisible'] as const;

export const HomeJoinOptions = z.object({ status: z.enum(STATUSES).default('online') });

/** Client → server messages of the `home` room. */
export const HomeMessages = {
  status: z.object({ status: z.enum(STATUSES) }).strict(),
  dm: z.object({ to: userId, text: z.string().trim().min(1).max(TEXT_MAX) }).strict(),
  dm_read: z.object({ user_id: userId }).strict(),
  follow: z.object({ user_id: userId }).strict(),
  unfollow: z.object({ user_id: userId }).strict(),
  create_group: z.object({ name: z.string().trim().min(1).max(100) }).strict(),
  my_groups: z.object({}).strict(),
  friends_online: z.object({}).strict(),
};

import { z } from 'zod';
import { idTextSchema } from '../../domain/shared/ids.ts';

/** Schemas shared by several routers. */
export const IdParam = z.object({ id: idTextSchema });
export const PageQuery = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() }).meta({ id });

export const PublicUserSchema = z
  .object({
    id: z.number().int(),
    username: z.string(),
    nickname: z.string(),
    bio: z.string(),
    avatar_file_id: z.number().int().nullable(),
    role: z.enum(['user', 'operator', 'admin']),
    created_at: z.string(),
  })
  .meta({ id: 'PublicUser' });

export const PrivateUserSchema = PublicUserSchema.extend({
  email: z.string(),
  email_verified: z.boolean(),
  status: z.enum(['active', 'banned', 'deleted']),
  last_seen_at: z.string().nullable(),
  updated_at: z.string(),
}).meta({ id: 'PrivateUser' });

export const AdminUserSchema = PrivateUserSchema.extend({
  ban_reason: z.string().nullable(),
  banned_until: z.string().nullable().meta({ description: 'When a timed ban ends by itself; null: no end set' }),
  deleted_at: z.string().nullable(),
}).meta({
  id: 'AdminUser',
});

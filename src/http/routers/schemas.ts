import { z } from 'zod';
import { idTextSchema } from '../../domain/shared/ids.ts';
import { PAGE_LIMIT_MAX } from '../../domain/shared/pagination.ts';

/** Schemas shared by several routers. */
export const IdParam = z.object({ id: idTextSchema });
export const PageQuery = z.object({
  cursor: z
    .string()
    .max(512)
    .optional()
    .meta({ description: 'Where to continue: a `next_cursor` (or `prev_cursor`) from the previous page, as it was.' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_LIMIT_MAX)
    .default(20)
    .meta({ description: `How many items at most (1-${PAGE_LIMIT_MAX}).` }),
});
const NextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` for the next page; null on the last one.' });
/** The one list shape: `{ items, next_cursor }`. */
export const pageOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), next_cursor: NextCursor }).meta({ id });
/** A list read both ways (message histories): `prev_cursor` reads the other way from this page. */
export const twoWayPageOf = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      next_cursor: NextCursor,
      prev_cursor: z
        .string()
        .nullable()
        .meta({ description: 'Pass as `cursor` to read the other way from this page; null when the page is empty.' }),
    })
    .meta({ id });

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

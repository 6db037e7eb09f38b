import { z } from 'zod';
import { BOARD_ACCESS } from '../../../entities/Board.ts';
import { FILE_CATEGORIES } from '../../../entities/StoredFile.ts';
import { PublicUserSchema } from './schemas.ts';

/** Schemas of the boards and files API. */
export const PermissionsSchema = z
  .object({
    read: z.boolean(),
    write: z.boolean().meta({ description: 'May create posts (and edit own posts)' }),
    comment: z.boolean(),
    upload: z.boolean().meta({ description: 'May attach files to own posts and comments' }),
  })
  .meta({ id: 'BoardPermissions' });

export const BoardSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string(),
    visible: z.boolean().meta({ description: 'Hidden boards exist only for admins' }),
    available: z.boolean().meta({ description: 'Closed boards are read-only for everyone but admins' }),
    access: z.enum(BOARD_ACCESS),
    permissions: PermissionsSchema.meta({ description: "The caller's effective permissions" }),
    created_at: z.string(),
    updated_at: z.string(),
    deleted_at: z
      .string()
      .nullable()
      .meta({ description: 'Set while the board is deleted (only admins see deleted boards)' }),
  })
  .meta({ id: 'Board' });

export const BoardGrantSchema = z
  .object({
    board_id: z.number().int(),
    user: PublicUserSchema,
    read: z.boolean(),
    write: z.boolean(),
    comment: z.boolean(),
    upload: z.boolean(),
    updated_at: z.string(),
  })
  .meta({ id: 'BoardGrant' });

export const FileSchema = z
  .object({
    id: z.number().int(),
    owner_id: z.number().int(),
    original_name: z.string().meta({ description: 'The uploaded name, sanitised; used only as the download name' }),
    size: z.number().int(),
    sha256: z.string(),
    mime: z.string().meta({ description: "Detected from the file's bytes" }),
    category: z.enum(FILE_CATEGORIES),
    attached_to: z.object({ type: z.enum(['post', 'comment']), id: z.number().int() }).nullable(),
    url: z.string().meta({ description: 'Download path (GET)' }),
    created_at: z.string(),
  })
  .meta({ id: 'File' });

/** What an upload of several files answers: the stored files, in the order they were sent (not a page). */
export const UploadedFilesSchema = z.object({ items: z.array(FileSchema) }).meta({ id: 'UploadedFiles' });

export const PostSchema = z
  .object({
    id: z.number().int(),
    board_id: z.number().int(),
    title: z.string(),
    body: z.string(),
    author: PublicUserSchema,
    comment_count: z.number().int(),
    view_count: z
      .number()
      .int()
      .meta({ description: 'Distinct viewers per day; written in batches, so it trails by up to VIEW_FLUSH_INTERVAL' }),
    like_count: z.number().int(),
    liked_by_me: z.boolean(),
    attachments: z.array(FileSchema),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Post' });

export const CommentSchema = z
  .object({
    id: z.number().int(),
    post_id: z.number().int(),
    body: z.string(),
    author: PublicUserSchema,
    attachments: z.array(FileSchema),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Comment' });

export const LikeStateSchema = z
  .object({ post_id: z.number().int(), liked: z.boolean(), like_count: z.number().int() })
  .meta({ id: 'LikeState' });

export const PostTitle = z.string().trim().min(1).max(200);
export const PostBody = z
  .string()
  .max(20_000)
  .refine((s) => s.trim().length > 0, { message: 'Must not be blank' });
export const CommentBody = z.string().trim().min(1).max(5_000);

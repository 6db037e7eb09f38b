import type { Response } from 'express';
import { z } from 'zod';
import { idTextSchema } from '../../domain/shared/ids.ts';
import { BOARD_ACCESS } from '../../../entities/Board.ts';
import type { BoardService } from '../../domain/boards/BoardService.ts';
import { POST_SORTS, type PostService } from '../../domain/boards/PostService.ts';
import type { Api } from '../route.ts';
import { BoardGrantSchema, BoardSchema, PermissionsSchema, PostBody, PostSchema, PostTitle } from './boardSchemas.ts';
import { IdParam, PageQuery, pageOf } from './schemas.ts';
import { pageOfList } from '../../domain/shared/pagination.ts';
import { auditActor } from '../../domain/shared/actors.ts';

const BoardPage = pageOf(BoardSchema, 'BoardPage');
const byName = (b: { name: string; id: number }) => [b.name, b.id];

const BoardName = z.string().trim().min(1).max(128);
const BoardFields = z.object({
  name: BoardName,
  description: z.string().max(512).optional(),
  visible: z
    .boolean()
    .optional()
    .meta({ description: 'Listed and reachable (default true); hidden boards exist only for admins' }),
  available: z.boolean().optional().meta({ description: 'Open for new content (default true)' }),
  access: z.enum(BOARD_ACCESS).optional().meta({
    description:
      'public: every signed-in user reads and writes; restricted: only granted users; readonly: everyone (even anonymous) reads, admins and granted users write',
  }),
});
const GrantParams = z.object({ id: idTextSchema, userId: idTextSchema });

export function boardRoutes(api: Api, boards: BoardService, posts: PostService): void {
  api.route(
    {
      method: 'get',
      path: '/boards',
      operationId: 'listBoards',
      tag: 'boards',
      access: 'public',
      summary: 'Boards I can read',
      description:
        'Without a token: the readonly boards everyone may read. Each board carries my permissions on it. ' +
        '`deleted=true` lists the deleted boards instead (admins only).',
      query: PageQuery.extend({
        deleted: z
          .enum(['true', 'false', '1', '0'])
          .transform((v) => v === 'true' || v === '1')
          .optional(),
      }),
      response: BoardPage,
      errors: ['FORBIDDEN'],
    },
    async ({ principal, query }) =>
      pageOfList(await boards.listFor(principal, { deleted: query.deleted }), query, byName),
  );

  api.route(
    {
      method: 'post',
      path: '/boards',
      operationId: 'createBoard',
      tag: 'boards',
      access: 'admin',
      status: 201,
      summary: 'Create a board',
      description:
        'Names are unique case-insensitively, deleted boards included ("General" and "general" cannot both exist); a ' +
        'taken name answers 409 with the holder in `detail`. Recorded in the admin audit log.',
      body: BoardFields,
      response: BoardSchema,
      errors: ['BOARD_NAME_TAKEN'],
    },
    ({ principal, body }) => boards.create(auditActor(principal), body),
  );

  api.route(
    {
      method: 'get',
      path: '/boards/:id',
      operationId: 'getBoard',
      tag: 'boards',
      access: 'public',
      summary: 'A board',
      params: IdParam,
      response: BoardSchema,
      errors: ['BOARD_NOT_FOUND'],
    },
    ({ principal, params }) => boards.get(params.id, principal),
  );

  api.route(
    {
      method: 'patch',
      path: '/boards/:id',
      operationId: 'updateBoard',
      tag: 'boards',
      access: 'admin',
      summary: 'Edit a board',
      description: 'Recorded in the admin audit log.',
      params: IdParam,
      body: BoardFields.partial()
        .strict()
        .refine((b) => Object.keys(b).length > 0, { message: 'Nothing to change' }),
      response: BoardSchema,
      errors: ['BOARD_NOT_FOUND', 'BOARD_NAME_TAKEN'],
    },
    ({ principal, params, body }) => boards.update(auditActor(principal), params.id, body),
  );

  api.route(
    {
      method: 'delete',
      path: '/boards/:id',
      operationId: 'deleteBoard',
      tag: 'boards',
      access: 'admin',
      status: 204,
      summary: 'Delete a board (soft)',
      description:
        'The board and everything on it (posts, comments, attachments) answer 404 to everyone but admins, who may still ' +
        'read it; nothing is removed and POST /boards/{id}/restore brings it back. Its name stays taken. Idempotent. ' +
        'Recorded in the admin audit log.',
      params: IdParam,
      errors: ['BOARD_NOT_FOUND'],
    },
    ({ principal, params }) => boards.delete(auditActor(principal), params.id),
  );

  api.route(
    {
      method: 'post',
      path: '/boards/:id/restore',
      operationId: 'restoreBoard',
      tag: 'boards',
      access: 'admin',
      summary: 'Restore a deleted board',
      description:
        'Brings the board back with everything on it, as it was. Restoring a live board changes nothing. Recorded in the admin audit log.',
      params: IdParam,
      response: BoardSchema,
      errors: ['BOARD_NOT_FOUND'],
    },
    ({ principal, params }) => boards.restore(auditActor(principal), params.id),
  );

  api.route(
    {
      method: 'get',
      path: '/boards/:id/access',
      operationId: 'listBoardGrants',
      tag: 'boards',
      access: 'admin',
      summary: "A board's grants",
      params: IdParam,
      query: PageQuery,
      response: pageOf(BoardGrantSchema, 'BoardGrantPage'),
      errors: ['BOARD_NOT_FOUND'],
    },
    async ({ params, query }) => pageOfList(await boards.grants(params.id), query, (g) => [g.user.id]),
  );

  api.route(
    {
      method: 'put',
      path: '/boards/:id/access/:userId',
      operationId: 'setBoardGrant',
      tag: 'boards',
      access: 'admin',
      summary: "Set a user's grant on a board",
      description:
        'Grants matter on restricted boards (everything) and readonly boards (write, comment, upload). `read` must be true ' +
        'when anything else is. Recorded in the admin audit log.',
      params: GrantParams,
      body: PermissionsSchema.refine((g) => g.read || !(g.write || g.comment || g.upload), {
        message: 'write, comment and upload need read',
        path: ['read'],
      }),
      response: BoardGrantSchema,
      errors: ['BOARD_NOT_FOUND', 'USER_NOT_FOUND'],
    },
    ({ principal, params, body }) => boards.grant(auditActor(principal), params.id, params.userId, body),
  );

  api.route(
    {
      method: 'delete',
      path: '/boards/:id/access/:userId',
      operationId: 'revokeBoardGrant',
      tag: 'boards',
      access: 'admin',
      status: 204,
      summary: "Revoke a user's grant",
      description: 'Idempotent. Recorded in the admin audit log when a grant existed.',
      params: GrantParams,
      errors: ['BOARD_NOT_FOUND'],
    },
    ({ principal, params }) => boards.revoke(auditActor(principal), params.id, params.userId),
  );

  api.route(
    {
      method: 'get',
      path: '/users/me/boards',
      operationId: 'listMyBoards',
      tag: 'boards',
      access: 'user',
      summary: 'Which boards I may use, and how',
      query: PageQuery,
      response: BoardPage,
    },
    async ({ principal, query }) => pageOfList(await boards.listFor(principal), query, byName),
  );

  api.route(
    {
      method: 'get',
      path: '/boards/:id/posts',
      operationId: 'listPosts',
      tag: 'posts',
      access: 'public',
      summary: "A board's posts",
      description:
        'Keyset pagination: pass `next_cursor` back as `cursor` (with the same `sort`); posts added meanwhile never repeat or shift ' +
        'the pages. `sort`: `new` (newest first), `top` (most liked), `views` (most viewed). `q`: search in title and body ' +
        'for parts of words, case-insensitively (게시판 finds 게시판에, room finds rooms): words and "quoted phrases" must all ' +
        'appear, -word must not, `or` separates alternatives.',
      params: IdParam,
      query: PageQuery.extend({
        sort: z.enum(POST_SORTS).default('new'),
        q: z.string().trim().min(1).max(200).optional(),
      }),
      response: pageOf(PostSchema, 'PostPage'),
      errors: ['BOARD_NOT_FOUND'],
    },
    async ({ principal, params, query, res }) => sendKeptJson(res, await posts.list(principal, params.id, query)),
  );

  api.route(
    {
      method: 'post',
      path: '/boards/:id/posts',
      operationId: 'createPost',
      tag: 'posts',
      access: 'user',
      status: 201,
      summary: 'Write a post',
      description:
        'Attach files afterwards with POST /posts/{id}/attachments. At most POST_RATE_PER_USER posts per CONTENT_RATE_WINDOW (429 with Retry-After).',
      params: IdParam,
      body: z.object({ title: PostTitle, body: PostBody }),
      response: PostSchema,
      errors: ['BOARD_NOT_FOUND', 'BOARD_WRITE_FORBIDDEN', 'BOARD_CLOSED', 'BOARD_DELETED', 'RATE_LIMITED'],
    },
    ({ principal, params, body }) => posts.create(principal, params.id, body),
  );
}

/** The JSON bytes and ETag of answers that are the very same object again (a page kept by PostPageCache). */
const keptBodies = new WeakMap<object, { body: Buffer; etag: string | undefined }>();

/**
 * `res.json(value)`, but serialised (and its ETag computed, the app's way) once per object: a kept page
 * is answered to every viewer who likes none of its posts, and stringifying 20 posts was a tenth of a read.
 */
function sendKeptJson(res: Response, value: object): void {
  let kept = keptBodies.get(value);
  if (!kept) {
    const body = Buffer.from(JSON.stringify(value));
    const etagOf = res.app.get('etag fn') as ((body: Buffer) => string) | undefined;
    kept = { body, etag: etagOf?.(body) };
    keptBodies.set(value, kept);
  }
  if (kept.etag) res.setHeader('ETag', kept.etag);
  res.type('json').send(kept.body);
}

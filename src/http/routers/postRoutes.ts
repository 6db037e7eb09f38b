import { z } from 'zod';
import type { CommentService } from '../../domain/boards/CommentService.ts';
import type { PostService } from '../../domain/boards/PostService.ts';
import type { FileService } from '../../domain/files/FileService.ts';
import type { Api, RouteSpec } from '../route.ts';
import type { Principal } from '../../domain/auth/TokenService.ts';
import { UPLOAD_ERRORS as FILE_UPLOAD_ERRORS, uploadsOf } from '../uploads.ts';
import type { RequestHandler } from 'express';
import { clientIp } from './authRoutes.ts';
import {
  CommentBody,
  CommentSchema,
  UploadedFilesSchema,
  LikeStateSchema,
  PostBody,
  PostSchema,
  PostTitle,
} from './boardSchemas.ts';
import { IdParam, PageQuery, PublicUserSchema, pageOf } from './schemas.ts';

const UPLOAD_ERRORS = [...FILE_UPLOAD_ERRORS, 'BOARD_UPLOAD_FORBIDDEN', 'BOARD_CLOSED', 'NOT_AUTHOR'] as const;

export function postRoutes(
  api: Api,
  deps: { posts: PostService; comments: CommentService; files: FileService; attachmentParser: RequestHandler },
): void {
  const { posts, comments, files, attachmentParser } = deps;

  api.route(
    {
      method: 'get',
      path: '/posts/:id',
      operationId: 'getPost',
      tag: 'posts',
      access: 'public',
      summary: 'A post',
      description: 'Counts a view: at most once per viewer (user, or hashed IP without a token) per post per day.',
      params: IdParam,
      response: PostSchema,
      errors: ['POST_NOT_FOUND'],
    },
    ({ principal, params, req }) =>
      posts.get(principal, params.id, principal ? { userId: principal.userId } : { ip: clientIp(req) }),
  );

  api.route(
    {
      method: 'patch',
      path: '/posts/:id',
      operationId: 'updatePost',
      tag: 'posts',
      access: 'user',
      summary: 'Edit a post (author or admin)',
      params: IdParam,
      body: z.object({ title: PostTitle.optional(), body: PostBody.optional() }).strict(),
      response: PostSchema,
      errors: ['POST_NOT_FOUND', 'NOT_AUTHOR', 'BOARD_WRITE_FORBIDDEN', 'BOARD_CLOSED'],
    },
    ({ principal, params, body }) => posts.update(principal, params.id, body),
  );

  api.route(
    {
      method: 'delete',
      path: '/posts/:id',
      operationId: 'deletePost',
      tag: 'posts',
      access: 'user',
      status: 204,
      summary: 'Delete a post (author or admin)',
      description: 'Soft delete: the post disappears for everyone; its attachments are removed.',
      params: IdParam,
      errors: ['POST_NOT_FOUND', 'NOT_AUTHOR'],
    },
    ({ principal, params }) => posts.delete(principal, params.id),
  );

  api.route(
    {
      method: 'put',
      path: '/posts/:id/like',
      operationId: 'likePost',
      tag: 'posts',
      access: 'user',
      summary: 'Like a post',
      description: 'Idempotent: one like per user.',
      params: IdParam,
      response: LikeStateSchema,
      errors: ['POST_NOT_FOUND', 'BOARD_CLOSED'],
    },
    ({ principal, params }) => posts.like(principal, params.id),
  );

  api.route(
    {
      method: 'delete',
      path: '/posts/:id/like',
      operationId: 'unlikePost',
      tag: 'posts',
      access: 'user',
      summary: 'Take back a like',
      description: 'Idempotent.',
      params: IdParam,
      response: LikeStateSchema,
      errors: ['POST_NOT_FOUND'],
    },
    ({ principal, params }) => posts.unlike(principal, params.id),
  );

  api.route(
    {
      method: 'get',
      path: '/posts/:id/likes',
      operationId: 'listPostLikes',
      tag: 'posts',
      access: 'public',
      summary: 'Who liked a post, latest first',
      params: IdParam,
      query: PageQuery,
      response: pageOf(z.object({ user: PublicUserSchema, liked_at: z.string() }), 'LikePage'),
      errors: ['POST_NOT_FOUND'],
    },
    ({ principal, params, query }) => posts.likes(principal, params.id, query),
  );

  api.route(
    {
      method: 'get',
      path: '/posts/:id/comments',
      operationId: 'listComments',
      tag: 'comments',
      access: 'public',
      summary: "A post's comments, oldest first",
      params: IdParam,
      query: PageQuery,
      response: pageOf(CommentSchema, 'CommentPage'),
      errors: ['POST_NOT_FOUND'],
    },
    ({ principal, params, query }) => comments.list(principal, params.id, query),
  );

  /** Writing a comment, on a post or over one: the same input, access and answer. */
  const commentWrite = (
    spec: Pick<
      RouteSpec<typeof IdParam, undefined, undefined, 'user'>,
      'method' | 'path' | 'operationId' | 'summary' | 'description' | 'status' | 'errors'
    >,
    write: (principal: Principal, id: number, text: string) => Promise<unknown>,
  ) =>
    api.route(
      {
        ...spec,
        tag: 'comments',
        access: 'user',
        params: IdParam,
        body: z.object({ body: CommentBody }),
        response: CommentSchema,
      },
      ({ principal, params, body }) => write(principal, params.id, body.body),
    );

  commentWrite(
    {
      method: 'post',
      path: '/posts/:id/comments',
      operationId: 'createComment',
      status: 201,
      summary: 'Comment on a post',
      description: 'At most COMMENT_RATE_PER_USER comments per CONTENT_RATE_WINDOW (429 with Retry-After).',
      errors: ['POST_NOT_FOUND', 'BOARD_COMMENT_FORBIDDEN', 'BOARD_CLOSED', 'RATE_LIMITED'],
    },
    (principal, postId, text) => comments.create(principal, postId, text),
  );
  commentWrite(
    {
      method: 'patch',
      path: '/comments/:id',
      operationId: 'updateComment',
      summary: 'Edit a comment (author or admin)',
      errors: ['COMMENT_NOT_FOUND', 'NOT_AUTHOR', 'BOARD_COMMENT_FORBIDDEN', 'BOARD_CLOSED'],
    },
    (principal, commentId, text) => comments.update(principal, commentId, text),
  );

  api.route(
    {
      method: 'delete',
      path: '/comments/:id',
      operationId: 'deleteComment',
      tag: 'comments',
      access: 'user',
      status: 204,
      summary: 'Delete a comment (author or admin)',
      description: 'Soft delete; its attachments are removed.',
      params: IdParam,
      errors: ['COMMENT_NOT_FOUND', 'NOT_AUTHOR'],
    },
    ({ principal, params }) => comments.delete(principal, params.id),
  );

  api.route(
    {
      method: 'post',
      path: '/posts/:id/attachments',
      operationId: 'attachPostFiles',
      tag: 'posts',
      access: 'user',
      status: 201,
      summary: 'Attach files to my post',
      description:
        'multipart/form-data with one or more `files` parts. Needs upload permission on the board. All or nothing.',
      params: IdParam,
      multipart: {
        parser: attachmentParser,
        files: { files: { multiple: true } },
        precheck: ({ params, principal }) => files.admit(principal, { postId: params.id }),
      },
      response: UploadedFilesSchema,
      errors: ['POST_NOT_FOUND', ...UPLOAD_ERRORS],
    },
    async ({ principal, params, req }) => ({
      items: await files.attach(principal, { postId: params.id }, uploadsOf(req)),
    }),
  );

  api.route(
    {
      method: 'post',
      path: '/comments/:id/attachments',
      operationId: 'attachCommentFiles',
      tag: 'comments',
      access: 'user',
      status: 201,
      summary: 'Attach files to my comment',
      description:
        'multipart/form-data with one or more `files` parts. Needs upload permission on the board. All or nothing.',
      params: IdParam,
      multipart: {
        parser: attachmentParser,
        files: { files: { multiple: true } },
        precheck: ({ params, principal }) => files.admit(principal, { commentId: params.id }),
      },
      response: UploadedFilesSchema,
      errors: ['COMMENT_NOT_FOUND', ...UPLOAD_ERRORS],
    },
    async ({ principal, params, req }) => ({
      items: await files.attach(principal, { commentId: params.id }, uploadsOf(req)),
    }),
  );
}

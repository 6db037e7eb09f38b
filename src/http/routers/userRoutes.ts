import { z } from 'zod';
import { idSchema } from '../../domain/shared/ids.ts';
import type { AuthService } from '../../domain/auth/AuthService.ts';
import type { UserService } from '../../domain/users/UserService.ts';
import { PASSWORD_MAX_LENGTH } from '../../domain/auth/passwords.ts';
import type { Api } from '../route.ts';
import { IdParam, PageQuery, PrivateUserSchema, PublicUserSchema, pageOf } from './schemas.ts';

export function userRoutes(api: Api, auth: AuthService, users: UserService): void {
  api.route(
    {
      method: 'get',
      path: '/users/me',
      operationId: 'getMyProfile',
      tag: 'users',
      access: 'user',
      summary: 'My account',
      response: PrivateUserSchema,
    },
    ({ principal }) => auth.me(principal),
  );

  api.route(
    {
      method: 'patch',
      path: '/users/me',
      operationId: 'updateMyProfile',
      tag: 'users',
      access: 'user',
      summary: 'Edit my profile',
      description:
        '`avatar_file_id` must be one of my own standalone raster images (uploaded with POST /files; not an attachment, ' +
        'not SVG): anyone else’s file is 404, another of mine 422. While it is my avatar, any signed-in user may ' +
        'download it; `null` clears it and makes the image private again.',
      body: z
        .object({
          nickname: z.string().trim().min(1).max(64).optional(),
          bio: z.string().max(2000).optional(),
          avatar_file_id: idSchema.nullable().optional(),
        })
        .strict(),
      response: PrivateUserSchema,
      errors: ['FILE_NOT_FOUND', 'AVATAR_FILE_INVALID'],
    },
    ({ principal, body }) => users.updateProfile(principal.userId, body),
  );

  api.route(
    {
      method: 'post',
      path: '/users/me/password',
      operationId: 'changeMyPassword',
      tag: 'users',
      access: 'user',
      status: 204,
      summary: 'Change my password',
      description: 'Every session of mine, this one included, is revoked: sign in again with the new password.',
      body: z.object({ current: z.string().max(PASSWORD_MAX_LENGTH), new: z.string().max(PASSWORD_MAX_LENGTH) }),
      errors: ['WRONG_PASSWORD', 'WEAK_PASSWORD'],
    },
    ({ principal, body }) => auth.changePassword(principal, body),
  );

  api.route(
    {
      method: 'get',
      path: '/users',
      operationId: 'listUsers',
      tag: 'users',
      access: 'user',
      summary: 'Search users',
      description: 'Active users whose username or nickname contains `q`; keyset pagination with `cursor`.',
      query: PageQuery.extend({ q: z.string().trim().max(64).optional() }),
      response: pageOf(PublicUserSchema, 'PublicUserPage'),
    },
    ({ query }) => users.search(query),
  );

  api.route(
    {
      method: 'get',
      path: '/users/:id',
      operationId: 'getUser',
      tag: 'users',
      access: 'user',
      summary: 'A public profile',
      params: IdParam,
      response: PublicUserSchema,
      errors: ['USER_NOT_FOUND'],
    },
    ({ params }) => users.getPublic(params.id),
  );
}

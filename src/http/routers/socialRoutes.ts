import type { Services } from '../../services.ts';
import type { Api } from '../route.ts';
import { FriendPresenceSchema, IdParam, RelatedUserSchema } from './realtimeSchemas.ts';
import { PageQuery, pageOf } from './schemas.ts';
import { pageOfList } from '../../domain/shared/pagination.ts';
import { actingUser } from '../../domain/shared/actors.ts';

/** Follows and blocks read in the order they were made. */
const RelatedUserPage = pageOf(RelatedUserSchema, 'RelatedUserPage');
const bySince = (u: { since: string; user_id: number }) => [u.since, u.user_id];

/** Follows (one-way: following someone needs no consent) and blocks. */
export function socialRoutes(api: Api, social: Services['social']): void {
  api.route(
    {
      method: 'post',
      path: '/users/:id/follow',
      operationId: 'followUser',
      tag: 'social',
      access: 'user',
      status: 204,
      summary: 'Follow a user (idempotent): I see their presence',
      params: IdParam,
      errors: ['USER_NOT_FOUND', 'CANNOT_TARGET_SELF', 'RECIPIENT_BLOCKS_YOU'],
    },
    ({ principal, params }) => social.follow(actingUser(principal), params.id),
  );
  api.route(
    {
      method: 'delete',
      path: '/users/:id/follow',
      operationId: 'unfollowUser',
      tag: 'social',
      access: 'user',
      status: 204,
      summary: 'Stop following a user',
      params: IdParam,
      errors: ['NOT_FOLLOWING'],
    },
    ({ principal, params }) => social.unfollow(actingUser(principal), params.id),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/following',
      operationId: 'listFollowing',
      tag: 'social',
      access: 'user',
      summary: 'Users I follow, oldest follow first',
      query: PageQuery,
      response: RelatedUserPage,
    },
    async ({ principal, query }) => pageOfList(await social.following(principal.userId), query, bySince),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/followers',
      operationId: 'listFollowers',
      tag: 'social',
      access: 'user',
      summary: 'Users who follow me, oldest follow first',
      query: PageQuery,
      response: RelatedUserPage,
    },
    async ({ principal, query }) => pageOfList(await social.followers(principal.userId), query, bySince),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/friends/online',
      operationId: 'listOnlineFriends',
      tag: 'social',
      access: 'user',
      summary: 'Users I follow who are visibly online or away, by user id',
      query: PageQuery,
      response: pageOf(FriendPresenceSchema, 'FriendPresencePage'),
    },
    async ({ principal, query }) => pageOfList(await social.friendsOnline(principal.userId), query, (f) => [f.user_id]),
  );
  api.route(
    {
      method: 'post',
      path: '/users/:id/block',
      operationId: 'blockUser',
      tag: 'social',
      access: 'user',
      status: 204,
      summary: 'Block a user: they can no longer DM or follow me',
      params: IdParam,
      errors: ['USER_NOT_FOUND', 'CANNOT_TARGET_SELF'],
    },
    ({ principal, params }) => social.block(actingUser(principal), params.id),
  );
  api.route(
    {
      method: 'delete',
      path: '/users/:id/block',
      operationId: 'unblockUser',
      tag: 'social',
      access: 'user',
      status: 204,
      summary: 'Unblock a user',
      params: IdParam,
      errors: ['NOT_BLOCKED'],
    },
    ({ principal, params }) => social.unblock(actingUser(principal), params.id),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/blocks',
      operationId: 'listBlockedUsers',
      tag: 'social',
      access: 'user',
      summary: 'Users I block, oldest block first',
      query: PageQuery,
      response: RelatedUserPage,
    },
    async ({ principal, query }) => pageOfList(await social.blocked(principal.userId), query, bySince),
  );
}

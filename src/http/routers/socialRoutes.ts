import type { Services } from '../../services.ts';
import type { Api } from '../route.ts';
import { FriendPresenceSchema, IdParam, RelatedUserSchema, itemsOf } from './realtimeSchemas.ts';

const author = (p: { userId: number; username: string }) => ({ userId: p.userId, username: p.username });

/** Follows (one-way, Klav) and blocks. */
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
    ({ principal, params }) => social.follow(author(principal), params.id),
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
    ({ principal, params }) => social.unfollow(author(principal), params.id),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/following',
      operationId: 'listFollowing',
      tag: 'social',
      access: 'user',
      summary: 'Users I follow',
      response: itemsOf(RelatedUserSchema, 'Following'),
    },
    async ({ principal }) => ({ items: await social.following(principal.userId) }),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/followers',
      operationId: 'listFollowers',
      tag: 'social',
      access: 'user',
      summary: 'Users who follow me',
      response: itemsOf(RelatedUserSchema, 'Followers'),
    },
    async ({ principal }) => ({ items: await social.followers(principal.userId) }),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/friends/online',
      operationId: 'listOnlineFriends',
      tag: 'social',
      access: 'user',
      summary: 'Users I follow who are visibly online or away',
      response: itemsOf(FriendPresenceSchema, 'FriendsOnline'),
    },
    async ({ principal }) => ({ items: await social.friendsOnline(principal.userId) }),
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
    ({ principal, params }) => social.block(author(principal), params.id),
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
    ({ principal, params }) => social.unblock(author(principal), params.id),
  );
  api.route(
    {
      method: 'get',
      path: '/users/me/blocks',
      operationId: 'listBlockedUsers',
      tag: 'social',
      access: 'user',
      summary: 'Users I block',
      response: itemsOf(RelatedUserSchema, 'Blocks'),
    },
    async ({ principal }) => ({ items: await social.blocked(principal.userId) }),
  );
}

import { z } from 'zod';
import { idSchema } from '../../domain/shared/ids.ts';
import type { Services } from '../../services.ts';
import type { Api } from '../route.ts';
import { IdParam } from './schemas.ts';
import {
  BeforeQuery, ChatMessageSchema, ConversationSchema, DmSchema, GroupSchema, MemberSchema, MessageText, MyGroupSchema, itemsOf, pageBefore,
} from './realtimeSchemas.ts';

const author = (p: { userId: number; username: string }) => ({ userId: p.userId, username: p.username });
const GroupBody = z.object({
  name: z.string().trim().min(1).max(100),
  retain_messages: z.number().int().positive().nullable().optional().describe('Keep at most this many messages; null keeps all.'),
}).strict();

/** Chat groups and direct messages over REST (the rooms offer the same live). */
export function chatRoutes(api: Api, services: Pick<Services, 'chat' | 'dms'>): void {
  const { chat, dms } = services;
  api.route(
    { method: 'post', path: '/chat/groups', tag: 'chat', access: 'user', status: 201, summary: 'Create a chat group (I become its owner and first member)', body: GroupBody, response: GroupSchema },
    ({ principal, body }) => chat.createGroup(author(principal), body),
  );
  api.route(
    { method: 'get', path: '/chat/groups', tag: 'chat', access: 'user', summary: 'My groups, latest activity first, with preview and unread count', response: itemsOf(MyGroupSchema, 'MyChatGroups') },
    async ({ principal }) => ({ items: await chat.myGroups(principal.userId) }),
  );
  api.route(
    {
      method: 'get', path: '/chat/groups/:id', tag: 'chat', access: 'user', summary: 'A group I belong to, with its members', params: IdParam,
      response: GroupSchema.extend({ members: z.array(MemberSchema) }).meta({ id: 'ChatGroupDetail' }), errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER'],
    },
    ({ principal, params }) => chat.groupDetail(params.id, principal.userId),
  );
  api.route(
    {
      method: 'patch', path: '/chat/groups/:id', tag: 'chat', access: 'user', summary: 'Rename a group or change its retention (owner only)',
      params: IdParam, body: GroupBody.partial(), response: GroupSchema, errors: ['GROUP_NOT_FOUND'],
    },
    ({ principal, params, body }) => chat.rename(params.id, author(principal), body),
  );
  api.route(
    { method: 'post', path: '/chat/groups/:id/join', tag: 'chat', access: 'user', summary: 'Join a group', params: IdParam, response: ChatMessageSchema, errors: ['GROUP_NOT_FOUND', 'ALREADY_GROUP_MEMBER'] },
    ({ principal, params }) => chat.join(params.id, author(principal)),
  );
  api.route(
    { method: 'post', path: '/chat/groups/:id/leave', tag: 'chat', access: 'user', summary: 'Leave a group', params: IdParam, response: ChatMessageSchema, errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER'] },
    ({ principal, params }) => chat.leave(params.id, author(principal)),
  );
  api.route(
    {
      method: 'post', path: '/chat/groups/:id/invite', tag: 'chat', access: 'user', summary: 'Add a user to a group I belong to',
      params: IdParam, body: z.object({ user_id: idSchema }), response: ChatMessageSchema,
      errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER', 'USER_NOT_FOUND', 'ALREADY_GROUP_MEMBER'],
    },
    ({ principal, params, body }) => chat.invite(params.id, author(principal), body.user_id),
  );
  api.route(
    {
      method: 'get', path: '/chat/groups/:id/messages', tag: 'chat', access: 'user',
      summary: 'Group history, newest first', description: 'Cursor pagination: pass `next_before` as `before`. room_dm messages appear only to their sender and recipient.',
      params: IdParam, query: BeforeQuery, response: pageBefore(ChatMessageSchema, 'ChatMessagePage'), errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER'],
    },
    ({ principal, params, query }) => chat.history(params.id, principal.userId, query),
  );
  api.route(
    { method: 'get', path: '/chat/dms', tag: 'chat', access: 'user', summary: 'My DM conversations, latest first, with unread counts', response: itemsOf(ConversationSchema, 'DmConversations') },
    async ({ principal }) => ({ items: await dms.conversations(principal.userId) }),
  );
  api.route(
    {
      method: 'get', path: '/chat/dms/:id/messages', tag: 'chat', access: 'user', summary: 'One DM conversation, newest first',
      params: IdParam, query: BeforeQuery, response: pageBefore(DmSchema, 'DmPage'),
    },
    ({ principal, params, query }) => dms.messages(principal.userId, params.id, query),
  );
  api.route(
    {
      method: 'post', path: '/chat/dms/:id', tag: 'chat', access: 'user', status: 201, summary: 'Send a DM (delivered live to the recipient\'s home, queued if offline)',
      params: IdParam, body: MessageText, response: DmSchema, errors: ['USER_NOT_FOUND', 'RECIPIENT_BLOCKS_YOU', 'CANNOT_TARGET_SELF'],
    },
    ({ principal, params, body }) => dms.send(author(principal), params.id, body.text),
  );
  api.route(
    { method: 'post', path: '/chat/dms/:id/read', tag: 'chat', access: 'user', summary: 'Mark every DM from this user to me as read', params: IdParam, response: z.object({ marked: z.number().int() }) },
    async ({ principal, params }) => ({ marked: await dms.markRead(principal.userId, params.id) }),
  );
}

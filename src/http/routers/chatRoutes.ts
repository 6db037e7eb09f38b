import { z } from 'zod';
import type { Services } from '../../services.ts';
import { storableText } from '../../domain/realtime/text.ts';
import type { Api } from '../route.ts';
import { PageQuery, pageOf, twoWayPageOf } from './schemas.ts';
import { pageOfList } from '../../domain/shared/pagination.ts';
import { actingUser } from '../../domain/shared/actors.ts';
import {
  ChatMessageSchema,
  ConversationSchema,
  DiscoveredGroupSchema,
  DmBody,
  DmSchema,
  GroupBody,
  GroupSchema,
  HistoryQuery,
  IdParam,
  MemberSchema,
  MessageHitSchema,
  MessageBody,
  MyGroupSchema,
  RowId,
} from './realtimeSchemas.ts';

const MemberParams = z.object({ id: RowId, userId: RowId });

/** Chat groups and direct messages over REST (the rooms offer the same live). */
export function chatRoutes(api: Api, services: Pick<Services, 'chat' | 'groups' | 'dms' | 'messageSearch'>): void {
  const { chat, groups, dms, messageSearch } = services;
  api.route(
    {
      method: 'post',
      path: '/chat/groups',
      operationId: 'createChatGroup',
      tag: 'chat',
      access: 'user',
      status: 201,
      summary: 'Create a chat group (I become its owner and first member)',
      description:
        'Private unless `visibility` is `open`. Creating is capped per user (CHAT_MAX_GROUPS_PER_USER, CHAT_GROUPS_PER_HOUR).',
      body: GroupBody,
      response: GroupSchema,
      errors: ['TOO_MANY_GROUPS', 'RATE_LIMITED'],
    },
    ({ principal, body }) => groups.create(actingUser(principal), body),
  );
  api.route(
    {
      method: 'get',
      path: '/chat/groups',
      operationId: 'listMyChatGroups',
      tag: 'chat',
      access: 'user',
      summary: 'My groups, latest activity first, with preview and unread count',
      query: PageQuery,
      response: pageOf(MyGroupSchema, 'MyChatGroupPage'),
    },
    async ({ principal, query }) =>
      pageOfList(await groups.mine(principal.userId), query, (g) => [g.last_message?.id ?? 0, g.id], 'desc'),
  );
  api.route(
    {
      method: 'get',
      path: '/chat/groups/discover',
      operationId: 'discoverChatGroups',
      tag: 'chat',
      access: 'user',
      summary: 'Open groups, optionally whose name contains q',
      query: PageQuery.extend({ q: storableText(100).optional() }),
      response: pageOf(DiscoveredGroupSchema, 'DiscoveredChatGroups'),
    },
    ({ query }) => groups.discover(query),
  );
  api.route(
    {
      method: 'get',
      path: '/chat/groups/:id',
      operationId: 'getChatGroup',
      tag: 'chat',
      access: 'user',
      summary: 'A group I belong to, with its members',
      params: IdParam,
      response: GroupSchema.extend({ members: z.array(MemberSchema) }).meta({ id: 'ChatGroupDetail' }),
      errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER'],
    },
    ({ principal, params }) => groups.detail(params.id, actingUser(principal)),
  );
  api.route(
    {
      method: 'patch',
      path: '/chat/groups/:id',
      operationId: 'updateChatGroup',
      tag: 'chat',
      access: 'user',
      summary: 'Change a group: name, retention, visibility, what newcomers read (owner or admin)',
      params: IdParam,
      body: GroupBody.partial(),
      response: GroupSchema,
      errors: ['GROUP_NOT_FOUND', 'FORBIDDEN'],
    },
    ({ principal, params, body }) => groups.update(params.id, actingUser(principal), body),
  );
  api.route(
    {
      method: 'post',
      path: '/chat/groups/:id/join',
      operationId: 'joinChatGroup',
      tag: 'chat',
      access: 'user',
      summary: 'Join an open group (admins: any group)',
      params: IdParam,
      response: ChatMessageSchema,
      errors: ['GROUP_NOT_FOUND', 'GROUP_PRIVATE', 'ALREADY_GROUP_MEMBER'],
    },
    ({ principal, params }) => groups.join(params.id, actingUser(principal)),
  );
  api.route(
    {
      method: 'post',
      path: '/chat/groups/:id/leave',
      operationId: 'leaveChatGroup',
      tag: 'chat',
      access: 'user',
      summary: 'Leave a group (an owner leaving hands it to the longest-standing member)',
      params: IdParam,
      response: ChatMessageSchema,
      errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER'],
    },
    ({ principal, params }) => groups.leave(params.id, actingUser(principal)),
  );
  api.route(
    {
      method: 'post',
      path: '/chat/groups/:id/invite',
      operationId: 'inviteChatMember',
      tag: 'chat',
      access: 'user',
      summary: 'Add a user to a group I belong to (admins: any group); they get a notification',
      params: IdParam,
      body: z.object({ user_id: RowId }),
      response: ChatMessageSchema,
      errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER', 'USER_NOT_FOUND', 'ALREADY_GROUP_MEMBER'],
    },
    ({ principal, params, body }) => groups.invite(params.id, actingUser(principal), body.user_id),
  );
  api.route(
    {
      method: 'delete',
      path: '/chat/groups/:id/members/:userId',
      operationId: 'removeChatMember',
      tag: 'chat',
      access: 'user',
      summary: 'Remove a member (owner or admin)',
      description:
        'Their connections to the group’s room close with 4403, a system message records it and they get a `group_removed` notification.',
      params: MemberParams,
      response: ChatMessageSchema,
      errors: ['GROUP_NOT_FOUND', 'FORBIDDEN', 'RECIPIENT_NOT_IN_GROUP', 'CANNOT_TARGET_SELF'],
    },
    ({ principal, params }) => groups.removeMember(params.id, actingUser(principal), params.userId),
  );
  api.route(
    {
      method: 'post',
      path: '/chat/groups/:id/owner',
      operationId: 'transferChatGroupOwnership',
      tag: 'chat',
      access: 'user',
      summary: 'Hand the group to another member (owner or admin)',
      params: IdParam,
      body: z.object({ user_id: RowId }),
      response: GroupSchema,
      errors: ['GROUP_NOT_FOUND', 'FORBIDDEN', 'RECIPIENT_NOT_IN_GROUP'],
    },
    ({ principal, params, body }) => groups.transferOwnership(params.id, actingUser(principal), body.user_id),
  );
  api.route(
    {
      method: 'get',
      path: '/chat/groups/:id/messages',
      operationId: 'listChatMessages',
      tag: 'chat',
      access: 'user',
      summary: 'Group history',
      description:
        'Without `cursor` or `after`: the latest messages, newest first; `next_cursor` reads on backwards (older). With ' +
        '`after` (a message id, 0 = from the start): oldest first, to catch up; `next_cursor` reads on forwards. ' +
        '`prev_cursor` reads the other way from the page (from the latest page: what arrives later). room_dm ' +
        'messages appear only to their sender and recipient.',
      params: IdParam,
      query: HistoryQuery,
      response: twoWayPageOf(ChatMessageSchema, 'ChatMessagePage'),
      errors: ['GROUP_NOT_FOUND', 'NOT_GROUP_MEMBER'],
    },
    ({ principal, params, query }) => chat.history(params.id, principal.userId, query),
  );
  api.route(
    {
      method: 'get',
      path: '/chat/dms',
      operationId: 'listDmConversations',
      tag: 'chat',
      access: 'user',
      summary: 'My DM conversations, latest first, with unread counts',
      query: PageQuery,
      response: pageOf(ConversationSchema, 'DmConversationPage'),
    },
    async ({ principal, query }) =>
      pageOfList(await dms.conversations(principal.userId), query, (c) => [c.last_message.id], 'desc'),
  );
  api.route(
    {
      method: 'get',
      path: '/chat/dms/:id/messages',
      operationId: 'listDirectMessages',
      tag: 'chat',
      access: 'user',
      summary: 'One DM conversation',
      description:
        'Read like the group history: the latest first, `after` to read forwards, `next_cursor`/`prev_cursor` to go on.',
      params: IdParam,
      query: HistoryQuery,
      response: twoWayPageOf(DmSchema, 'DmPage'),
    },
    ({ principal, params, query }) => dms.messages(principal.userId, params.id, query),
  );
  api.route(
    {
      method: 'post',
      path: '/chat/dms/:id',
      operationId: 'sendDirectMessage',
      tag: 'chat',
      access: 'user',
      status: 201,
      summary: "Send a DM (delivered live to the recipient's home, queued if offline)",
      description: 'A repeat with the same `client_msg_id` answers the DM first stored and stores nothing.',
      params: IdParam,
      body: DmBody,
      response: DmSchema,
      errors: [
        'USER_NOT_FOUND',
        'RECIPIENT_BLOCKS_YOU',
        'CANNOT_TARGET_SELF',
        'FILE_NOT_FOUND',
        'FILE_ALREADY_ATTACHED',
      ],
    },
    async ({ principal, params, body }) =>
      (await dms.send(actingUser(principal), params.id, body.text, body.client_msg_id, body.file_ids)).view,
  );
  api.route(
    {
      method: 'patch',
      path: '/chat/dm-messages/:id',
      operationId: 'editDirectMessage',
      tag: 'chat',
      access: 'user',
      summary: 'Edit a DM I sent (both users’ homes get `dm_updated`)',
      params: IdParam,
      body: z.object({ text: MessageBody.shape.text }),
      response: DmSchema,
      errors: ['MESSAGE_NOT_FOUND', 'NOT_MESSAGE_AUTHOR'],
    },
    ({ principal, params, body }) => dms.change(principal.userId, params.id, { text: body.text }),
  );
  api.route(
    {
      method: 'delete',
      path: '/chat/dm-messages/:id',
      operationId: 'deleteDirectMessage',
      tag: 'chat',
      access: 'user',
      summary: 'Delete a DM I sent (it stays in the history as deleted; both users’ homes get `dm_deleted`)',
      params: IdParam,
      response: DmSchema,
      errors: ['MESSAGE_NOT_FOUND', 'NOT_MESSAGE_AUTHOR'],
    },
    ({ principal, params }) => dms.change(principal.userId, params.id, { deleted: true }),
  );
  api.route(
    {
      method: 'post',
      path: '/chat/dms/:id/read',
      operationId: 'markDirectMessagesRead',
      tag: 'chat',
      access: 'user',
      summary: 'Mark every DM from this user to me as read',
      params: IdParam,
      response: z.object({ marked: z.number().int() }),
    },
    async ({ principal, params }) => ({ marked: await dms.markRead(principal.userId, params.id) }),
  );
  api.route(
    {
      method: 'get',
      path: '/chat/search',
      operationId: 'searchMyMessages',
      tag: 'chat',
      access: 'user',
      summary: 'Search my messages: my groups’ messages I may read and my DMs, newest first',
      description:
        'Matches parts of words, case-insensitively, like the posts search (게시판 finds 게시판에, room finds rooms): ' +
        'words and "quoted phrases" must all appear, -word must not, `or` separates alternatives. Deleted messages ' +
        'are not found; in groups, only what the group history shows me (room_dms to or from me, nothing from ' +
        'before I could read the group).',
      query: PageQuery.extend({ q: z.string().trim().min(1).max(200) }),
      response: pageOf(MessageHitSchema, 'MessageHitPage'),
    },
    ({ principal, query }) => messageSearch.search(principal.userId, query),
  );
}

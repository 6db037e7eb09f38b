import { z } from 'zod';
import type { Services } from '../../services.ts';
import type { Api } from '../route.ts';
import { ChatMessageSchema, IdParam, MemberSchema, NoticeBody } from './realtimeSchemas.ts';
import { PageQuery, pageOf } from './schemas.ts';
import { pageOfList } from '../../domain/shared/pagination.ts';

const ConnectionSchema = z
  .object({
    session_id: z.string(),
    user_id: z.number().int(),
    username: z.string(),
    room: z.string(),
    room_id: z.string(),
    group_id: z.number().int().nullable(),
    connected_at: z.string(),
    process_id: z.string(),
    address: z
      .string()
      .nullable()
      .describe(
        'The client’s address at join; behind a reverse proxy from X-Forwarded-For only when TRUST_PROXY is set.',
      ),
  })
  .meta({ id: 'RealtimeConnection' });

/** Admins' REST views of live connections (every room type) and groups, and notices to users and groups. */
export function realtimeAdminRoutes(api: Api, services: Pick<Services, 'realtimeAdmin' | 'chat'>): void {
  const { realtimeAdmin, chat } = services;
  api.route(
    {
      method: 'get',
      path: '/admin/realtime/clients',
      operationId: 'listRealtimeConnections',
      tag: 'admin-realtime',
      access: 'admin',
      summary: 'Every live room connection (user, room), oldest first',
      query: PageQuery,
      response: pageOf(ConnectionSchema, 'RealtimeConnectionPage'),
    },
    async ({ query }) =>
      pageOfList(await realtimeAdmin.connections(), query, (c) => [c.connected_at, c.session_id, c.room_id]),
  );
  api.route(
    {
      method: 'get',
      path: '/admin/realtime/groups',
      operationId: 'listLiveGroups',
      tag: 'admin-realtime',
      access: 'admin',
      summary: 'Chat groups with a live room, with connection counts',
      query: PageQuery,
      response: pageOf(
        z.object({
          group_id: z.number().int(),
          name: z.string(),
          room_id: z.string(),
          connections: z.number().int(),
          users: z.number().int(),
        }),
        'LiveGroupPage',
      ),
    },
    async ({ query }) => pageOfList(await realtimeAdmin.liveGroups(), query, (g) => [g.group_id]),
  );
  api.route(
    {
      method: 'get',
      path: '/admin/realtime/groups/:id',
      operationId: 'getLiveGroup',
      tag: 'admin-realtime',
      access: 'admin',
      summary: "A group's members and live connections",
      params: IdParam,
      response: z
        .object({
          group_id: z.number().int(),
          name: z.string(),
          members: z.array(MemberSchema),
          connections: z.array(ConnectionSchema),
        })
        .meta({ id: 'LiveGroup' }),
      errors: ['GROUP_NOT_FOUND'],
    },
    ({ params }) => realtimeAdmin.liveGroup(params.id),
  );
  api.route(
    {
      method: 'post',
      path: '/admin/realtime/users/:id/send',
      operationId: 'sendUserNotice',
      tag: 'admin-realtime',
      access: 'admin',
      summary: 'Send a user a notice (a stored `notification` of type notice)',
      description:
        'Stored first (the user reads it in `GET /notifications` and gets it on their next home join while unread), then pushed live to their home if a device is connected.',
      params: IdParam,
      body: NoticeBody,
      response: z
        .object({ stored: z.literal(true), notification_id: z.number().int(), delivered_live: z.boolean() })
        .meta({ id: 'NoticeSent' }),
      errors: ['USER_NOT_FOUND'],
    },
    ({ params, body }) => realtimeAdmin.sendToUser(params.id, body.text),
  );
  api.route(
    {
      method: 'post',
      path: '/admin/realtime/groups/:id/broadcast',
      operationId: 'broadcastGroupMessage',
      tag: 'admin-realtime',
      access: 'admin',
      status: 201,
      summary: 'Post a system message into a group (stored in its history, broadcast to its live room)',
      params: IdParam,
      body: NoticeBody,
      response: ChatMessageSchema,
      errors: ['GROUP_NOT_FOUND'],
    },
    ({ params, body }) => chat.postSystem(params.id, body.text),
  );
}

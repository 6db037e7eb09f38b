import { z } from 'zod';
import type { Services } from '../../services.ts';
import type { Api } from '../route.ts';
import { PageQuery, pageOf } from './schemas.ts';
import { NotificationSchema, RowId } from './realtimeSchemas.ts';

const ReadBody = z
  .object({ ids: z.array(RowId).min(1).max(500).optional(), all: z.literal(true).optional() })
  .strict()
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'Give either ids or all: true' });

/** My notifications (follows, invitations, removals, admin notices): stored, listed, marked read. */
export function notificationRoutes(api: Api, notifications: Services['notifications']): void {
  api.route(
    {
      method: 'get',
      path: '/notifications',
      operationId: 'listNotifications',
      tag: 'notifications',
      access: 'user',
      summary: 'My notifications, newest first',
      description:
        'Keyset paged: pass `next_cursor` as `cursor`. `unread=true` lists only the unread ones (those a home join delivers).',
      query: PageQuery.extend({
        unread: z
          .enum(['true', 'false'])
          .transform((v) => v === 'true')
          .optional(),
      }),
      response: pageOf(NotificationSchema, 'NotificationPage'),
    },
    ({ principal, query }) => notifications.list(principal.userId, query),
  );
  api.route(
    {
      method: 'post',
      path: '/notifications/read',
      operationId: 'markNotificationsRead',
      tag: 'notifications',
      access: 'user',
      summary: 'Mark some (ids) or all of my notifications read',
      body: ReadBody,
      response: z.object({ marked: z.number().int() }),
    },
    async ({ principal, body }) => ({ marked: await notifications.markRead(principal.userId, body) }),
  );
}

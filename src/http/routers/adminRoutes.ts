import { z } from 'zod';
import { idTextSchema } from '../../domain/shared/ids.ts';
import type { AdminService } from '../../domain/admin/AdminService.ts';
import type { AuditLog } from '../../domain/admin/AuditLog.ts';
import type { Outbox } from '../../domain/mail/Outbox.ts';
import { USER_ROLES, USER_STATUSES } from '../../../entities/User.ts';
import type { Api } from '../route.ts';
import { auditActor } from '../../domain/shared/actors.ts';
import { AdminUserSchema, IdParam, PageQuery, pageOf } from './schemas.ts';

const AuditEntrySchema = z
  .object({
    id: z.number().int(),
    actor: z.object({ id: z.number().int().nullable(), name: z.string() }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string() }),
    reason: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export function adminRoutes(api: Api, admin: AdminService, audit: AuditLog, outbox: Outbox): void {
  api.route(
    {
      method: 'get',
      path: '/admin/users',
      operationId: 'listAdminUsers',
      tag: 'admin',
      access: 'admin',
      summary: 'List users',
      query: PageQuery.extend({
        q: z.string().trim().max(254).optional(),
        status: z.enum(USER_STATUSES).optional(),
        role: z.enum(USER_ROLES).optional(),
      }),
      response: pageOf(AdminUserSchema, 'AdminUserPage'),
    },
    ({ query }) => admin.listUsers(query),
  );

  api.route(
    {
      method: 'post',
      path: '/admin/users/:id/ban',
      operationId: 'banUser',
      tag: 'admin',
      access: 'admin',
      summary: 'Ban a user',
      description:
        'Every token of the user is revoked at once and live connections are closed. With `until` the ban ends ' +
        'by itself then; without it, when an admin lifts it. A refused sign-in tells the user the reason and ' +
        'the end (11008, `detail: { reason, until }`). Recorded in the audit log.',
      params: IdParam,
      body: z.object({
        reason: z.string().trim().min(1).max(500),
        until: z.iso
          .datetime({ offset: true })
          .refine((v) => Date.parse(v) > Date.now(), 'must be in the future')
          .optional()
          .meta({ description: 'When the ban ends by itself (ISO 8601); omit for a ban without end' }),
      }),
      response: AdminUserSchema,
      errors: ['USER_NOT_FOUND', 'ALREADY_BANNED', 'CANNOT_MODERATE_SELF'],
    },
    ({ principal, params, body }) =>
      admin.ban(auditActor(principal), { id: params.id }, body.reason, body.until ? new Date(body.until) : undefined),
  );

  api.route(
    {
      method: 'post',
      path: '/admin/users/:id/unban',
      operationId: 'unbanUser',
      tag: 'admin',
      access: 'admin',
      summary: 'Lift a ban',
      params: IdParam,
      body: z.object({ reason: z.string().trim().max(500).optional() }).optional(),
      response: AdminUserSchema,
      errors: ['USER_NOT_FOUND', 'NOT_BANNED'],
    },
    ({ principal, params, body }) => admin.unban(auditActor(principal), { id: params.id }, body?.reason),
  );

  api.route(
    {
      method: 'get',
      path: '/admin/audit',
      operationId: 'listAuditEntries',
      tag: 'admin',
      access: 'admin',
      summary: 'The admin audit log, newest first',
      query: PageQuery.extend({ action: z.string().max(64).optional(), actor_id: idTextSchema.optional() }),
      response: pageOf(AuditEntrySchema, 'AuditPage'),
    },
    ({ query }) => audit.list(query),
  );

  api.route(
    {
      method: 'get',
      path: '/admin/outbox',
      operationId: 'listOutboxMessages',
      tag: 'admin',
      access: 'admin',
      summary: 'E-mail Plaza has sent or holds, newest first',
      description:
        'Who, what about, how and when: never the body (it may carry a credential). Without SMTP_URL the mail ' +
        'waits for the server operator, who reads it on the server with `npm run cli -- outbox`.',
      query: PageQuery.extend({ to: z.string().max(254).optional() }),
      response: pageOf(
        z
          .object({
            id: z.number().int(),
            to: z.string(),
            subject: z.string(),
            transport: z.string().meta({ description: '`smtp`, or `maildrop` when no SMTP server is configured' }),
            sent_at: z.string().nullable(),
            error: z.string().nullable(),
            created_at: z.string(),
          })
          .meta({ id: 'OutboxEntry' }),
        'OutboxEntryPage',
      ),
    },
    ({ query }) => outbox.list(query),
  );
}

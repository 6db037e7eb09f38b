import { z } from 'zod';
import { idTextSchema } from '../../domain/shared/ids.ts';
import type { SshControl } from '../../domain/ssh/SshControl.ts';
import type { Api } from '../route.ts';
import { PageQuery, pageOf } from './schemas.ts';

export const SSH_AUDIT_ACTIONS = [
  'ssh.command',
  'ssh.cancel',
  'ssh.transfer',
  'ssh.session.start',
  'ssh.session.end',
  'ssh.session.takeover',
] as const;

const SshAuditEntrySchema = z
  .object({
    id: z.number().int(),
    actor: z.object({ id: z.number().int().nullable(), name: z.string() }),
    action: z.enum(SSH_AUDIT_ACTIONS),
    target: z.object({ type: z.enum(['ssh_server', 'ssh_transfer', 'ssh_session']), id: z.string() }),
    detail: z
      .object({
        command: z.string().optional(),
        exit_code: z.number().int().nullable().optional(),
        signal: z.string().nullable().optional(),
        reason: z.string().optional(),
        duration_ms: z.number().optional(),
        bytes: z.number().optional(),
        truncated: z.boolean().optional(),
        sha256: z.string().optional(),
        error_code: z.number().int().optional(),
        connection_id: z.string().optional(),
      })
      .catchall(z.unknown())
      .describe('What happened; never the command output or a credential.'),
    created_at: z.string(),
  })
  .meta({ id: 'SshAuditEntry' });

/** The SSH control room's REST side: its audit trail for admins. */
export function sshRoutes(api: Api, control: SshControl): void {
  api.route(
    {
      method: 'get',
      path: '/admin/ssh/audit',
      operationId: 'listSshAuditEntries',
      tag: 'ssh',
      access: 'admin',
      summary: 'SSH audit log, newest first',
      description:
        'Every command, cancel, transfer and session start/end/takeover in the ssh room: who, target, command, exit code, duration, bytes. Output is never stored.',
      query: PageQuery.extend({
        action: z.enum(SSH_AUDIT_ACTIONS).optional(),
        server: z.string().max(64).optional().describe('Server, transfer or connection id the entry is about.'),
        actor_id: idTextSchema.optional(),
      }),
      response: pageOf(SshAuditEntrySchema, 'SshAuditPage'),
    },
    ({ query }) => control.listAudit(query),
  );
}

import { RequestContext } from '@mikro-orm/core';
import { z } from 'zod';
import { CLI_ACTOR } from '../domain/admin/AuditLog.ts';
import { USER_ROLES } from '../../entities/User.ts';
import { UsageError, required, type CliCommand } from './command.ts';

export const createAdmin: CliCommand = {
  usage: '--username <name> --email <email> [--password <password>]',
  description: 'Create an admin account (without --password the password is read from standard input).',
  options: { username: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' } },
  async run({ options, services }) {
    const username = required(options, 'username');
    const email = required(options, 'email');
    const password = typeof options.password === 'string' ? options.password : await readStdin();
    if (!password) throw new UsageError('a password is required (--password or standard input)');
    const s = await services();
    return RequestContext.create(s.orm.em, async () => {
      // The operator typed the address on the server: it needs no confirmation (EMAIL_VERIFICATION=required).
      const user = await s.auth.register({ username, email, password, role: 'admin', emailVerified: true });
      const em = s.orm.em;
      s.audit.record(em, CLI_ACTOR, { action: 'user.create_admin', targetType: 'user', targetId: user.id });
      await em.flush();
      return `Created admin "${user.username}" (id ${user.id}).`;
    });
  },
};

export const promote: CliCommand = {
  usage: '--username <name> --role <admin|operator|user>',
  description: "Change a user's role.",
  options: { username: { type: 'string' }, role: { type: 'string' } },
  async run({ options, services }) {
    const role = z.enum(USER_ROLES).safeParse(options.role);
    if (!role.success) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
    const s = await services();
    const user = await RequestContext.create(s.orm.em, () =>
      s.admin.setRole(CLI_ACTOR, { username: required(options, 'username') }, role.data),
    );
    return `User "${user.username}" (id ${user.id}) is now ${user.role}.`;
  },
};

export const ban: CliCommand = {
  usage: '--username <name> --reason <text>',
  description: 'Ban a user: every session ends at once.',
  options: { username: { type: 'string' }, reason: { type: 'string' } },
  async run({ options, services }) {
    const reason = required(options, 'reason').trim();
    if (!reason || reason.length > 500) throw new UsageError('--reason must be 1 to 500 characters');
    const s = await services();
    const user = await RequestContext.create(s.orm.em, () =>
      s.admin.ban(CLI_ACTOR, { username: required(options, 'username') }, reason),
    );
    return `User "${user.username}" (id ${user.id}) is banned; every session has ended.`;
  },
};

export const unban: CliCommand = {
  usage: '--username <name> [--reason <text>]',
  description: 'Lift a ban.',
  options: { username: { type: 'string' }, reason: { type: 'string' } },
  async run({ options, services }) {
    const reason = typeof options.reason === 'string' ? options.reason : undefined;
    const s = await services();
    const user = await RequestContext.create(s.orm.em, () =>
      s.admin.unban(CLI_ACTOR, { username: required(options, 'username') }, reason),
    );
    return `User "${user.username}" (id ${user.id}) may sign in again.`;
  },
};

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

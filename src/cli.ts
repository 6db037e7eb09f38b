/**
 * Server-side administration, never exposed over the API:
 *   npm run cli -- create-admin --username U --email E [--password P]   (password read from stdin when omitted)
 *   npm run cli -- promote --username U --role admin|operator|user
 */
import { parseArgs } from 'node:util';
import { RequestContext } from '@mikro-orm/core';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logging/logger.ts';
import { DatabaseOpenError, openDatabase, targetFromConfig } from './db/openDatabase.ts';
import { buildServices, type Services } from './services.ts';
import { AppError } from './errors/index.ts';
import { CLI_ACTOR } from './domain/admin/AuditLog.ts';
import { USER_ROLES } from '../entities/User.ts';

const USAGE = `Usage:
  npm run cli -- create-admin --username <name> --email <email> [--password <password>]
      (without --password the password is read from standard input)
  npm run cli -- promote --username <name> --role <admin|operator|user>`;

type Command = (services: Services, args: Record<string, string | undefined>) => Promise<string>;

const commands: Record<string, Command> = {
  'create-admin': async (services, args) => {
    const username = required(args, 'username');
    const email = required(args, 'email');
    const password = args.password ?? (await readStdin());
    if (!password) throw new UsageError('a password is required (--password or standard input)');
    const user = await services.auth.register({ username, email, password, role: 'admin' });
    const em = services.orm.em;
    services.audit.record(em, CLI_ACTOR, { action: 'user.create_admin', targetType: 'user', targetId: user.id });
    await em.flush();
    return `Created admin "${user.username}" (id ${user.id}).`;
  },
  promote: async (services, args) => {
    const role = z.enum(USER_ROLES).safeParse(args.role);
    if (!role.success) throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
    const user = await services.admin.setRole(CLI_ACTOR, required(args, 'username'), role.data);
    return `User "${user.username}" (id ${user.id}) is now ${user.role}.`;
  },
};

class UsageError extends Error {}

function required(args: Record<string, string | undefined>, name: string): string {
  const value = args[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { username: { type: 'string' }, email: { type: 'string' }, password: { type: 'string' }, role: { type: 'string' } },
  });
  const command = commands[positionals[0] ?? ''];
  if (!command) {
    console.error(USAGE);
    return 64;
  }
  const config = loadConfig();
  const logger = createLogger({ level: 'warn', pretty: false });
  const orm = await openDatabase(targetFromConfig(config));
  try {
    const services = buildServices(config, logger, orm);
    console.log(await RequestContext.create(orm.em, () => command(services, values)));
    return 0;
  } finally {
    await orm.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError) console.error(`${err.message}\n\n${USAGE}`);
    else if (err instanceof AppError) console.error(`${err.message}${err.detail ? `: ${JSON.stringify(err.detail)}` : ''}`);
    else if (err instanceof ConfigError || err instanceof DatabaseOpenError) console.error(err.message);
    else console.error(err);
    process.exit(1);
  },
);

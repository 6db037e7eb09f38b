/**
 * Server-side administration, never exposed over the API: accounts with roles the API never grants,
 * bans, the mail waiting for the operator, and database backups. See USAGE below.
 */
import { parseArgs } from 'node:util';
import { RequestContext } from '@mikro-orm/core';
import { z } from 'zod';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { BackupError, backupDatabase, listBackups, restoreDatabase } from './infra/backup/databaseBackup.ts';
import { createLogger } from './logging/logger.ts';
import { DatabaseOpenError, openDatabase, targetFromConfig } from './db/openDatabase.ts';
import { buildServices, mailDrop, type Services } from './services.ts';
import { AppError } from './errors/index.ts';
import { CLI_ACTOR } from './domain/admin/AuditLog.ts';
import { USER_ROLES } from '../entities/User.ts';
import { SEED_USERS_USAGE, SeedUsageError, seedUsersCommand } from './seedUsersCommand.ts';

const USAGE = `Usage:
  npm run cli -- create-admin --username <name> --email <email> [--password <password>]
      (without --password the password is read from standard input)
  npm run cli -- promote --username <name> --role <admin|operator|user>
  npm run cli -- ban --username <name> --reason <text>     ends every session of the user at once
  npm run cli -- unban --username <name> [--reason <text>]
  npm run cli -- outbox [--keep]             print the mail waiting for delivery (reset tokens without SMTP),
                                             then remove it from the mail drop (--keep leaves it)
  npm run cli -- backup                      full backup into BACKUP_DIR (embedded database: stop the server first)
  npm run cli -- backups                     list backups, newest first
  npm run cli -- restore [<file>] --yes      replace the database with a backup (default: the newest)
  npm run cli -- restore [<file>] --dry-run  say what restore would do, change nothing
${SEED_USERS_USAGE}`;

type Args = Record<string, string | boolean | undefined> & { file?: string };
type Command = (services: Services, args: Args) => Promise<string>;

/** Commands that work on the database files themselves, without opening the ORM. */
const fileCommands: Record<string, (config: Config, args: Args) => Promise<string>> = {
  // The mail drop is a directory, not the database: it can be read while the server runs, on PGlite too.
  outbox: async (config, args) => {
    const drop = mailDrop(config);
    const waiting = drop.list();
    if (waiting.length === 0) return `No mail waiting in ${drop.dir}.`;
    const shown = waiting.map(
      (m) => `--- mail ${m.id}, ${m.created_at}\nTo: ${m.to}\nSubject: ${m.subject}\n\n${m.text}\n`,
    );
    if (!args.keep) for (const m of waiting) drop.remove(m.id);
    const note = args.keep ? 'left in the mail drop' : 'removed from the mail drop: deliver them now';
    return `${shown.join('\n')}\n${waiting.length} message(s) ${note}.`;
  },
  backup: async (config) => {
    const backup = await backupDatabase(targetFromConfig(config), config.BACKUP_DIR);
    return `Backup written: ${backup.file} (${backup.bytes} bytes).`;
  },
  backups: async (config) => {
    const list = listBackups(targetFromConfig(config), config.BACKUP_DIR);
    if (list.length === 0) return `No backups in ${config.BACKUP_DIR}.`;
    return list.map((b) => `${b.created_at}  ${String(b.bytes).padStart(12)}  ${b.file}`).join('\n');
  },
  restore: async (config, args) => {
    const target = targetFromConfig(config);
    const file = args.file ?? listBackups(target, config.BACKUP_DIR)[0]?.file;
    if (!file) throw new UsageError(`no backup given and none found in ${config.BACKUP_DIR}`);
    const where =
      target.kind === 'pglite'
        ? `the embedded database in ${target.dataDir}`
        : 'the PostgreSQL database in DATABASE_URL';
    if (args['dry-run']) return `Dry run: would replace ${where} with ${file}. Nothing was changed.`;
    if (!args.yes)
      throw new UsageError(`restore replaces ${where} with ${file}: add --yes to confirm (or --dry-run to preview)`);
    const result = await restoreDatabase(target, file);
    return `Restored ${where} from ${file}.${result.keptPrevious ? ` The previous data is kept in ${result.keptPrevious}.` : ''}`;
  },
};

const commands: Record<string, Command> = {
  'seed-users': seedUsersCommand,
  'create-admin': async (services, args) => {
    const username = required(args, 'username');
    const email = required(args, 'email');
    const password = typeof args.password === 'string' ? args.password : await readStdin();
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
    const user = await services.admin.setRole(CLI_ACTOR, { username: required(args, 'username') }, role.data);
    return `User "${user.username}" (id ${user.id}) is now ${user.role}.`;
  },
  ban: async (services, args) => {
    const reason = required(args, 'reason').trim();
    if (!reason || reason.length > 500) throw new UsageError('--reason must be 1 to 500 characters');
    const user = await services.admin.ban(CLI_ACTOR, { username: required(args, 'username') }, reason);
    return `User "${user.username}" (id ${user.id}) is banned; every session has ended.`;
  },
  unban: async (services, args) => {
    const reason = typeof args.reason === 'string' ? args.reason : undefined;
    const user = await services.admin.unban(CLI_ACTOR, { username: required(args, 'username') }, reason);
    return `User "${user.username}" (id ${user.id}) may sign in again.`;
  },
};

class UsageError extends Error {}

function required(args: Args, name: string): string {
  const value = args[name];
  if (typeof value !== 'string' || !value) throw new UsageError(`--${name} is required`);
  return value;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      username: { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string' },
      reason: { type: 'string' },
      keep: { type: 'boolean' },
      yes: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      count: { type: 'string' },
      prefix: { type: 'string' },
    },
  });
  const name = positionals[0] ?? '';
  const args: Args = { ...values, file: positionals[1] };
  const config = loadConfig();
  const fileCommand = fileCommands[name];
  if (fileCommand) {
    console.log(await fileCommand(config, args));
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(USAGE);
    return 64;
  }
  const logger = createLogger({ level: 'warn', pretty: false });
  const orm = await openDatabase(targetFromConfig(config), { embeddedThread: false });
  try {
    const services = buildServices(config, logger, orm);
    console.log(await RequestContext.create(orm.em, () => command(services, args)));
    return 0;
  } finally {
    await orm.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof UsageError || err instanceof SeedUsageError) console.error(`${err.message}\n\n${USAGE}`);
    else if (err instanceof AppError)
      console.error(`${err.message}${err.detail ? `: ${JSON.stringify(err.detail)}` : ''}`);
    else if (err instanceof ConfigError || err instanceof DatabaseOpenError || err instanceof BackupError)
      console.error(err.message);
    else console.error(err);
    process.exit(1);
  },
);

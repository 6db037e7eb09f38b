import path from 'node:path';
import { EMBEDDED_LOCK_FILE, targetFromConfig } from '../db/openDatabase.ts';
import { lockHolder } from '../infra/directoryLock.ts';
import type { Config } from '../config.ts';
import { BackupError, dumpPgliteDirectory, dumpPostgres, serverSessions } from '../infra/backup/databaseBackup.ts';
import {
  createBackup,
  describeRestore,
  findBackup,
  listBackups,
  openBackup,
  restoreBackup,
  type BackupPlace,
} from '../infra/backup/plazaBackup.ts';
import { requestBackup } from '../infra/backup/backupRequests.ts';
import { UsageError, type CliCommand } from './command.ts';

export function backupPlace(config: Config): BackupPlace {
  return { target: targetFromConfig(config), dataDir: config.DATA_DIR, backupDir: config.BACKUP_DIR };
}

/** The pid of a live server holding the embedded database, if one does. */
function embeddedServerPid(dataDir: string): number | undefined {
  const pid = lockHolder(path.join(dataDir, EMBEDDED_LOCK_FILE));
  return pid !== process.pid ? pid : undefined;
}

export const backup: CliCommand = {
  usage: '[--name <name>]',
  description:
    'Full backup into BACKUP_DIR: the database, the uploads and the jwt-secret file, as <name>.backup.tar.gz\n' +
    '(default name plaza-<time>). On the embedded database while the server runs, the server writes it.',
  options: { name: { type: 'string' } },
  async run({ config, options }) {
    const place = backupPlace(config);
    const name = typeof options.name === 'string' ? options.name : undefined;
    const { target } = place;
    if (target.kind === 'pglite') {
      const pid = embeddedServerPid(target.dataDir);
      if (pid) {
        const made = await requestBackup(pid, place.backupDir, name);
        return `Backup written by the running server (pid ${pid}): ${made.file} (${made.bytes} bytes).`;
      }
    }
    const dump = target.kind === 'pglite' ? dumpPgliteDirectory(target.dataDir) : dumpPostgres(target.url);
    const made = await createBackup(place, dump, { name });
    return `Backup written: ${made.file} (${made.bytes} bytes).`;
  },
};

export const backups: CliCommand = {
  usage: '',
  description: 'List the backups in BACKUP_DIR, newest first.',
  async run({ config }) {
    const list = listBackups(config.BACKUP_DIR);
    if (list.length === 0) return `No backups in ${config.BACKUP_DIR}.`;
    return list.map((b) => `${b.created_at}  ${String(b.bytes).padStart(12)}  ${b.name}`).join('\n');
  },
};

export const restore: CliCommand = {
  usage: '[<file>|<name>] [--dry-run] [--yes] [--force]',
  description:
    'Replace the database, the uploads and the jwt-secret file with a backup (default: the newest in\n' +
    'BACKUP_DIR; a bare name is looked up there). --dry-run checks the archive and says what would be\n' +
    'replaced. Asks for confirmation at a terminal; --yes confirms in scripts. A PostgreSQL database a\n' +
    'running Plaza uses is refused unless --force.',
  options: { 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' }, force: { type: 'boolean' } },
  maxPositionals: 1,
  async run({ config, options, positionals, interactive, confirm }) {
    const place = backupPlace(config);
    const given = positionals[0];
    const file = given ? findBackup(place.backupDir, given) : listBackups(place.backupDir)[0]?.file;
    if (!file) throw new UsageError(`no backup given and none found in ${place.backupDir}`);
    const opened = await openBackup(file, place.target, place.backupDir);
    try {
      const plan = describeRestore(opened, place);
      if (options['dry-run']) return `Dry run.\n${plan}\nNothing was changed.`;
      if (place.target.kind === 'postgresql') {
        const sessions = await serverSessions(place.target.url);
        if (sessions > 0 && !options.force) {
          throw new BackupError(
            `A running Plaza is using this PostgreSQL database (${sessions} session(s)). Stop every Plaza process first, ` +
              'or add --force to restore under it (its clients will see errors until it is restarted).',
          );
        }
        if (sessions > 0)
          process.stderr.write(`Warning: restoring under ${sessions} running Plaza session(s) (--force).\n`);
      } else {
        const pid = embeddedServerPid(place.target.dataDir);
        if (pid)
          throw new BackupError(
            `The embedded database in ${place.target.dataDir} is in use by process ${pid} (a running Plaza server): stop it first.`,
          );
      }
      if (!options.yes) {
        if (!interactive)
          throw new UsageError(
            `${plan}\n\nrestore replaces all of this: add --yes to confirm (or --dry-run to preview)`,
          );
        if (!(await confirm(`${plan}\n\nReplace all of this now?`))) return 'Restore cancelled. Nothing was changed.';
      }
      const kept = await restoreBackup(opened, place);
      const note = kept.length ? `\nThe previous data is kept in:\n${kept.map((k) => `  ${k}`).join('\n')}` : '';
      return `Restored from ${file}.${note}`;
    } finally {
      opened.close();
    }
  },
};

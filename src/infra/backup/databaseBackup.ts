import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir, type DatabaseTarget } from '../../db/openDatabase.ts';
import { PGLITE_EXTENSIONS } from '../../db/ormOptions.ts';

const run = promisify(execFile);

/** A backup file on disk. */
export interface BackupInfo {
  file: string;
  bytes: number;
  created_at: string;
}

/** A backup or restore that cannot proceed; its message says why and what to do. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const EXTENSION = { pglite: '.pglite.tar.gz', postgresql: '.pgdump' } as const;

/**
 * Full backups of the database Plaza runs on. The embedded PGlite directory is archived whole (the
 * server must be stopped: PGlite belongs to one process); PostgreSQL is dumped with pg_dump's custom
 * format, online.
 */
export async function backupDatabase(target: DatabaseTarget, backupDir: string, now = new Date()): Promise<BackupInfo> {
  fs.mkdirSync(backupDir, { recursive: true });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const file = path.join(backupDir, `plaza-${stamp}${EXTENSION[target.kind]}`);
  if (target.kind === 'pglite') {
    if (!fs.existsSync(path.join(target.dataDir, 'PG_VERSION')))
      throw new BackupError(`No embedded database in ${target.dataDir} to back up.`);
    await withPglite(target.dataDir, async (db) => {
      const archive = await db.dumpDataDir('gzip');
      fs.writeFileSync(file, Buffer.from(await archive.arrayBuffer()), { mode: 0o600 });
    });
  } else {
    await pgTool('pg_dump', ['--format=custom', '--no-owner', '--file', file], target.url);
    fs.chmodSync(file, 0o600);
  }
  return describe(file);
}

/** Backups in `backupDir` for this kind of database, newest first. */
export function listBackups(target: DatabaseTarget, backupDir: string): BackupInfo[] {
  if (!fs.existsSync(backupDir)) return [];
  return fs
    .readdirSync(backupDir)
    .filter((name) => name.startsWith('plaza-') && name.endsWith(EXTENSION[target.kind]))
    .map((name) => describe(path.join(backupDir, name)))
    .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.file.localeCompare(a.file));
}

/**
 * Replaces the database's content with a backup. PGlite: the archive is checked by loading it in
 * memory first, then the current directory is kept beside the new one as `<dir>.before-restore-<time>`.
 * PostgreSQL: pg_restore --clean in a single transaction, so a failed restore changes nothing.
 * Pending migrations apply at the next start as usual.
 */
export async function restoreDatabase(target: DatabaseTarget, file: string): Promise<{ keptPrevious?: string }> {
  if (!fs.existsSync(file)) throw new BackupError(`No backup file at ${file}.`);
  if (!file.endsWith(EXTENSION[target.kind])) {
    throw new BackupError(
      `${path.basename(file)} is not a ${target.kind} backup (expected a *${EXTENSION[target.kind]} file).`,
    );
  }
  if (target.kind === 'postgresql') {
    await pgTool('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', file], target.url);
    return {};
  }
  const archive = new Blob([fs.readFileSync(file)]);
  await verifyArchive(archive);
  const dataDir = path.resolve(target.dataDir);
  const keptPrevious = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  // The lock proves no server runs on the directory; it moves away with the directory and is dropped there.
  lockDataDir(dataDir);
  fs.renameSync(dataDir, keptPrevious);
  fs.rmSync(path.join(keptPrevious, 'plaza.lock'), { force: true });
  await withPglite(dataDir, async () => {}, archive);
  return { keptPrevious };
}

async function verifyArchive(archive: Blob): Promise<void> {
  let db: PGlite | undefined;
  try {
    db = await PGlite.create({ loadDataDir: archive, extensions: PGLITE_EXTENSIONS });
    await db.query('select count(*) from mikro_orm_migrations');
  } catch (err) {
    throw new BackupError(`The archive is not a usable Plaza backup: ${(err as Error).message}`);
  } finally {
    await db?.close();
  }
}

async function withPglite(dataDir: string, work: (db: PGlite) => Promise<void>, loadDataDir?: Blob): Promise<void> {
  const release = lockDataDir(dataDir);
  try {
    const db = await PGlite.create({ dataDir, loadDataDir, extensions: PGLITE_EXTENSIONS });
    try {
      await work(db);
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

/** Runs a PostgreSQL client tool with the connection in libpq variables, so no password shows in the process list. */
async function pgTool(tool: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  const u = new URL(url);
  const connection = {
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
  };
  try {
    await run(tool, [...args, ...(tool === 'pg_restore' ? ['--dbname', connection.PGDATABASE] : [])], {
      env: { ...process.env, ...connection },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new BackupError(
        `${tool} was not found. Install the PostgreSQL client tools (e.g. apt-get install postgresql-client) matching your server version.`,
      );
    }
    throw new BackupError(`${tool} failed: ${(e.stderr ?? e.message).trim().split('\n').slice(0, 5).join(' ')}`);
  }
}

function describe(file: string): BackupInfo {
  const stat = fs.statSync(file);
  return { file, bytes: stat.size, created_at: stat.mtime.toISOString() };
}

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { EMBEDDED_LOCK_FILE, lockDataDir, type Database, type DatabaseTarget } from '../../db/openDatabase.ts';
import { dumpEmbeddedDatabase, tableRowCounts } from '../../db/dumpEmbedded.ts';
import { PGLITE_EXTENSIONS } from '../../db/ormOptions.ts';

const run = promisify(execFile);

/** A backup or restore that cannot proceed; its message says why and what to do. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** The database part of a backup archive, by kind of database. */
export const DATABASE_FILE = { pglite: 'database.pglite.tar.gz', postgresql: 'database.pgdump' } as const;

/** Writes the database part of a backup to `file`; returns the exact row count of every table. */
export type DatabaseDumper = (file: string) => Promise<Record<string, number>>;

/** The embedded database in a directory no server has open (the lock proves it). */
export function dumpPgliteDirectory(dataDir: string): DatabaseDumper {
  return async (file) => {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION')))
      throw new BackupError(`No embedded database in ${dataDir} to back up.`);
    let counts: Record<string, number> = {};
    await withPglite(dataDir, async (db) => {
      const archive = await db.dumpDataDir('gzip');
      fs.writeFileSync(file, Buffer.from(await archive.arrayBuffer()), { mode: 0o600 });
      counts = await tableRowCounts(async (sql) => (await db.query<Record<string, unknown>>(sql)).rows);
    });
    return counts;
  };
}

/** The embedded database of this very process (a running server backing itself up). */
export function dumpPgliteOpen(orm: Database): DatabaseDumper {
  return async (file) => {
    const archive = await dumpEmbeddedDatabase(orm);
    fs.writeFileSync(file, Buffer.from(await archive.arrayBuffer()), { mode: 0o600 });
    return tableRowCounts((sql) => orm.em.fork().getConnection().execute(sql));
  };
}

/** PostgreSQL, online, with pg_dump's custom format (the counts are taken just before). */
export function dumpPostgres(url: string): DatabaseDumper {
  return async (file) => {
    const counts = await withPg(url, (client) =>
      tableRowCounts(async (sql) => (await client.query<Record<string, unknown>>(sql)).rows),
    );
    await pgTool('pg_dump', ['--format=custom', '--no-owner', '--file', file], url);
    fs.chmodSync(file, 0o600);
    return counts;
  };
}

/**
 * Checks that the database part of an archive can be read, without changing anything: PGlite's is
 * loaded in memory; PostgreSQL's is listed by pg_restore.
 */
export async function verifyDatabaseFile(kind: DatabaseTarget['kind'], file: string): Promise<void> {
  if (kind === 'pglite') return verifyArchive(new Blob([fs.readFileSync(file)]));
  await pgTool('pg_restore', ['--list', file]);
}

/** How many sessions of a running Plaza server use this PostgreSQL database (the CLI's own excluded). */
export async function serverSessions(url: string): Promise<number> {
  return withPg(url, async (client) => {
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and application_name like 'plaza-%'`,
    );
    return Number(rows[0]?.n ?? 0);
  });
}

/**
 * Replaces the database's content with the database part of a backup. PGlite: the archive is checked
 * by loading it in memory first, then the current directory is kept beside the new one as
 * `<dir>.before-restore-<time>`. PostgreSQL: pg_restore --clean in a single transaction, so a failed
 * restore changes nothing. Pending migrations apply at the next start as usual.
 */
export async function restoreDatabase(target: DatabaseTarget, file: string): Promise<{ keptPrevious?: string }> {
  if (target.kind === 'postgresql') {
    await pgTool('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', file], target.url);
    return {};
  }
  const archive = new Blob([fs.readFileSync(file)]);
  await verifyArchive(archive);
  const dataDir = path.resolve(target.dataDir);
  const keptPrevious = `${dataDir}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  // The lock proves no server runs on the directory; it moves away with the directory and is dropped there.
  if (fs.existsSync(dataDir)) {
    lockDataDir(dataDir);
    fs.renameSync(dataDir, keptPrevious);
    fs.rmSync(path.join(keptPrevious, EMBEDDED_LOCK_FILE), { force: true });
  }
  await withPglite(dataDir, async () => {}, archive);
  return fs.existsSync(keptPrevious) ? { keptPrevious } : {};
}

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'cli', connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    return await work(client);
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`PostgreSQL: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
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
async function pgTool(tool: 'pg_dump' | 'pg_restore', args: string[], url?: string): Promise<void> {
  const u = url ? new URL(url) : undefined;
  const connection = u
    ? {
        PGHOST: u.hostname,
        PGPORT: u.port || '5432',
        PGUSER: decodeURIComponent(u.username),
        PGPASSWORD: decodeURIComponent(u.password),
        PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
      }
    : undefined;
  try {
    await run(tool, [...args, ...(tool === 'pg_restore' && connection ? ['--dbname', connection.PGDATABASE] : [])], {
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

import fs from 'node:fs';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/sql';
import type { Config } from '../config.ts';
import { databaseFailure, databaseReason, sqlState } from '../errors/databaseErrors.ts';
import { embeddedOrmOptions, ormOptions, type DatabaseTarget } from './ormOptions.ts';
import { EMBEDDED_SOCKET_PORT, EmbeddedDatabase, embeddedDatabaseOf, registerEmbedded } from './EmbeddedDatabase.ts';
import type { PoolTimeouts, QueryErrorListener } from './pgPool.ts';
import { pgliteWasm } from './pgliteWasm.ts';
import { CONSOLE_ROLE, ensureConsoleRole } from './consoleRole.ts';
import { lockDirectory } from '../infra/directoryLock.ts';

export type { DatabaseTarget };

export type Database = MikroORM;

/**
 * An open database and what owns it: `close()` closes the ORM, then the embedded database's thread (if
 * any), then releases the data directory's lock, in that order. Close through this, never `orm.close()`.
 */
export interface OpenedDatabase {
  readonly orm: Database;
  close(): Promise<void>;
}

/** Plain-language failure to open the embedded database, e.g. because another process holds it. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

/** Where start-up progress goes: what is being done, why it waits, how long it took. */
export interface ProgressLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface OpenOptions {
  /** Time limits of the PostgreSQL pool (default: bounded connects, no statement limits). */
  timeouts?: PoolTimeouts;
  /** How long to keep retrying an unreachable PostgreSQL, in ms (default 0: one attempt). */
  startupWaitMs?: number;
  /** Prepare the admin console's database role (when the console is enabled). */
  consoleRole?: boolean;
  /**
   * Run an embedded database on disk in its own thread (default true): the server's choice, so that
   * no query stalls its event loop. A short-lived command (the CLI) has no one to stall and skips it.
   */
  embeddedThread?: boolean;
  log?: ProgressLog;
  /** Told about every failed query of the server's pool (PostgreSQL). */
  onQueryError?: QueryErrorListener;
}

/** Connects are bounded even for callers that pass no settings (CLI, tests): `pg` alone waits forever. */
const DEFAULT_TIMEOUTS: PoolTimeouts = {
  connectTimeoutMs: 5000,
  acquireTimeoutMs: 5000,
  idleTimeoutMs: 30_000,
  statementTimeoutMs: 0,
  readTimeoutMs: 0,
};
const silent: ProgressLog = { info: () => {}, warn: () => {} };

export function targetFromConfig(config: { DATABASE_URL?: string; PGLITE_DIR: string }): DatabaseTarget {
  return config.DATABASE_URL
    ? { kind: 'postgresql', url: config.DATABASE_URL }
    : { kind: 'pglite', dataDir: config.PGLITE_DIR };
}

/** The server's database settings, from its configuration. */
export function openOptionsFromConfig(config: Config, log?: ProgressLog): OpenOptions {
  const statementTimeoutMs = config.DB_STATEMENT_TIMEOUT_MS;
  // The console raises the statement timeout of its own transactions: its answers may take that long.
  const longestStatementMs = Math.max(statementTimeoutMs, config.DB_CONSOLE_ENABLED ? config.DB_CONSOLE_TIMEOUT_MS : 0);
  return {
    timeouts: {
      connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
      acquireTimeoutMs: config.DB_ACQUIRE_TIMEOUT_MS,
      idleTimeoutMs: config.DB_IDLE_TIMEOUT_MS,
      statementTimeoutMs,
      // Without a statement limit a slow answer cannot be told from a silent path: no read limit either.
      readTimeoutMs: statementTimeoutMs > 0 ? longestStatementMs + READ_TIMEOUT_GRACE_MS : 0,
    },
    startupWaitMs: config.DB_STARTUP_WAIT * 1000,
    consoleRole: config.DB_CONSOLE_ENABLED,
    log,
  };
}

/** How much longer than a statement may run the client waits for its answer before calling the path dead. */
const READ_TIMEOUT_GRACE_MS = 2000;

/**
 * Opens the database and applies every pending migration, saying what it does: a new embedded
 * database being initialised, migrations applied, PostgreSQL retried while unreachable.
 */
export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<OpenedDatabase> {
  const started = Date.now();
  const log = options.log ?? silent;
  const opened =
    target.kind === 'pglite' ? await openPglite(target, options, log) : await openPostgres(target, options, log);
  log.info({ database: describeTarget(target), ms: Date.now() - started }, 'database ready');
  return opened;
}

async function openPglite(
  target: Extract<DatabaseTarget, { kind: 'pglite' }>,
  options: OpenOptions,
  log: ProgressLog,
): Promise<OpenedDatabase> {
  const onDisk = !target.dataDir.startsWith('memory:');
  if (onDisk && !target.loadDataDir && !fs.existsSync(path.join(target.dataDir, 'PG_VERSION'))) {
    log.info({ dir: target.dataDir }, 'initialising a new embedded database (the first start takes several seconds)');
  } else {
    log.info({ dir: target.dataDir }, 'opening the embedded database');
  }
  const releaseLock = onDisk ? lockDataDir(target.dataDir) : () => {};
  let orm: MikroORM;
  let thread: EmbeddedDatabase | undefined;
  try {
    if (target.instance || !onDisk || options.embeddedThread === false) {
      orm = await MikroORM.init(ormOptions(target, undefined, undefined, await pgliteWasm()));
    } else {
      thread = await EmbeddedDatabase.start(target.dataDir, {
        loadDataDir: target.loadDataDir,
        onUnexpectedExit: (err, restarting) =>
          log.warn(
            { err, restarting },
            restarting
              ? 'the embedded database thread stopped: opening the data directory again'
              : 'the embedded database thread stopped',
          ),
      });
      const embedded = thread;
      orm = await MikroORM.init(
        embeddedOrmOptions(thread.host, EMBEDDED_SOCKET_PORT, (err) => reopenOnDiskFull(embedded, err, log)),
      );
      registerEmbedded(orm, thread);
    }
    await orm.em.getConnection().execute('select 1');
    await prepare(orm, options, log);
  } catch (err) {
    await thread?.stop().catch(() => {});
    releaseLock();
    throw explainOpenFailure(target, err);
  }
  return {
    orm,
    close: async () => {
      try {
        await orm.close();
        await thread?.stop();
      } finally {
        releaseLock();
      }
    },
  };
}

/**
 * A full disk (53100) may have failed a WAL write: PostgreSQL then PANICs and restarts, while PGlite
 * stays busy in its thread for good (at a COMMIT) or stops answering (FailStopPGlite ends the thread
 * then). From outside the one sign is the error, so any disk-full answer reopens the data directory:
 * crash recovery keeps what was committed, and until there is room the reopening is retried each second
 * while requests answer 503.
 */
function reopenOnDiskFull(thread: EmbeddedDatabase, err: unknown, log: ProgressLog): void {
  if (sqlState(err) !== '53100') return;
  log.warn({ err }, 'the embedded database is out of disk space: opening the data directory again');
  thread.interrupt().catch((e: unknown) => log.warn({ err: e }, 'the embedded database could not be reopened yet'));
}

/** True when `orm` runs on the embedded PGlite (in this thread or its own): the database is ours alone. */
export function isEmbedded(orm: Database): boolean {
  return embeddedDatabaseOf(orm) !== undefined || orm.config.get('driver')?.name === 'PgliteDriver';
}

/** The URL of a PostgreSQL server that other processes may share; undefined on the embedded database. */
export function sharedPostgresUrl(orm: Database): string | undefined {
  return isEmbedded(orm) ? undefined : orm.config.get('clientUrl');
}

/**
 * Migrations run on their own short-lived pool without statement or read limits (a migration may
 * rightly run long); the server's pool, with its limits, opens once the schema is current.
 */
async function openPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgresql' }>,
  options: OpenOptions,
  log: ProgressLog,
): Promise<OpenedDatabase> {
  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  const migrating = await reachPostgres(
    target,
    { ...timeouts, statementTimeoutMs: 0, readTimeoutMs: 0 },
    options.startupWaitMs ?? 0,
    log,
  );
  try {
    await prepare(migrating, options, log);
  } catch (err) {
    throw explainOpenFailure(target, err);
  } finally {
    await migrating.close(true);
  }
  const orm = await MikroORM.init(ormOptions(target, timeouts, options.onQueryError));
  try {
    await orm.em.getConnection().execute('select 1');
  } catch (err) {
    await orm.close(true);
    throw explainOpenFailure(target, err);
  }
  return { orm, close: () => orm.close() };
}

/** Connects, retrying with backoff while the server cannot be reached, for up to `waitMs`. */
async function reachPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgresql' }>,
  timeouts: PoolTimeouts,
  waitMs: number,
  log: ProgressLog,
): Promise<Database> {
  const where = describeTarget(target);
  log.info({ database: where }, 'connecting to PostgreSQL');
  const orm = await MikroORM.init(ormOptions(target, timeouts));
  const deadline = Date.now() + waitMs;
  for (let attempt = 1, delayMs = 500; ; attempt++, delayMs = Math.min(delayMs * 2, 10_000)) {
    try {
      await orm.em.getConnection().execute('select 1');
      return orm;
    } catch (err) {
      const remainingMs = deadline - Date.now();
      if (!worthRetrying(err) || remainingMs <= 0) {
        await orm.close(true);
        throw explainOpenFailure(
          target,
          err,
          ` (tried ${attempt} time(s) over ${Math.round((Date.now() - deadline + waitMs) / 1000)} s; DB_STARTUP_WAIT sets how long start-up retries)`,
        );
      }
      const wait = Math.min(delayMs, remainingMs);
      log.warn(
        {
          database: where,
          reason: databaseReason(err),
          attempt,
          retry_in_ms: wait,
          gives_up_in_s: Math.ceil(remainingMs / 1000),
        },
        `PostgreSQL is not reachable yet (${databaseReason(err)}); retrying`,
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** An unreachable or starting server may come; wrong credentials or a missing database will not. */
function worthRetrying(err: unknown): boolean {
  const state = sqlState(err);
  if (state && (state.startsWith('28') || state === '3D000' || state === '42501')) return false;
  return databaseFailure(err) === 'unavailable';
}

/** Brings the schema up to date and, when asked, the console's role. */
async function prepare(orm: Database, options: OpenOptions, log: ProgressLog): Promise<void> {
  await migrate(orm, log);
  if (!options.consoleRole) return;
  try {
    await ensureConsoleRole(orm);
  } catch (err) {
    throw new DatabaseOpenError(
      `DB_CONSOLE_ENABLED=true, but the console's database role ${CONSOLE_ROLE} cannot be prepared: ${databaseReason(err)}. ` +
        `Grant CREATEROLE to the server's database user, or create the role yourself (CREATE ROLE ${CONSOLE_ROLE} NOLOGIN), or disable the console.`,
      { cause: err },
    );
  }
}

async function migrate(orm: Database, log: ProgressLog): Promise<void> {
  const pending = await orm.migrator.getPending();
  if (pending.length === 0) return;
  const started = Date.now();
  log.info({ migrations: pending.map((m) => m.name) }, `applying ${pending.length} database migration(s)`);
  await orm.migrator.up();
  log.info({ ms: Date.now() - started }, 'migrations applied');
}

/** The database's location for messages: never the password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return `PGlite ${target.dataDir}`;
  try {
    const url = new URL(target.url);
    return `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/**
 * PGlite has no cross-process lock of its own and two processes on one directory corrupt it, so we
 * take one (see lockDirectory: a lock left by a dead process is taken over). Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  return lockDirectory(
    dataDir,
    EMBEDDED_LOCK_FILE,
    (holder) =>
      new DatabaseOpenError(
        `The embedded database in ${dataDir} is in use by process ${holder} (probably a running Plaza server). ` +
          `PGlite belongs to one process: stop that server first, or point DATABASE_URL at PostgreSQL to share a database.`,
      ),
  );
}

/** The lock file in an embedded database's directory, holding the pid of the process that has it open. */
export const EMBEDDED_LOCK_FILE = 'plaza.lock';

function explainOpenFailure(target: DatabaseTarget, err: unknown, tries = ''): Error {
  if (err instanceof DatabaseOpenError) return err;
  if (target.kind === 'pglite') {
    return new DatabaseOpenError(
      `Could not open the embedded database in ${target.dataDir}: ${(err as Error)?.message ?? err}`,
      { cause: err },
    );
  }
  return new DatabaseOpenError(`Could not connect to ${describeTarget(target)}: ${databaseReason(err)}${tries}`, {
    cause: err,
  });
}

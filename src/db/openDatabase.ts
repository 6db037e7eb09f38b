import fs from 'node:fs';
import path from 'node:path';
import { MikroORM } from '@mikro-orm/sql';
import { ormOptions, type DatabaseTarget } from './ormOptions.ts';

export type { DatabaseTarget };

export type Database = MikroORM;

/** Plain-language failure to open the embedded database, e.g. because another process holds it. */
export class DatabaseOpenError extends Error {
  override name = 'DatabaseOpenError';
}

export function targetFromConfig(config: { DATABASE_URL?: string; PGLITE_DIR: string }): DatabaseTarget {
  return config.DATABASE_URL ? { kind: 'postgresql', url: config.DATABASE_URL } : { kind: 'pglite', dataDir: config.PGLITE_DIR };
}

/** Opens the database and applies every pending migration. */
export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  const releaseLock = target.kind === 'pglite' && !target.dataDir.startsWith('memory:') ? lockDataDir(target.dataDir) : () => {};
  let orm: MikroORM;
  try {
    orm = await MikroORM.init(ormOptions(target));
    await orm.em.getConnection().execute('select 1');
    await orm.migrator.up();
  } catch (err) {
    releaseLock();
    throw explainOpenFailure(target, err);
  }
  const close = orm.close.bind(orm);
  orm.close = async (force?: boolean) => {
    try {
      await close(force);
    } finally {
      releaseLock();
    }
  };
  return orm;
}

/**
 * PGlite has no cross-process lock of its own and two processes on one directory corrupt it, so we
 * take one: a lock file holding our pid. A lock left by a dead process is taken over. Returns the
 * release function.
 */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, 'plaza.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockPath, 'utf8'));
      if (holder && holder !== process.pid && isAlive(holder)) {
        throw new DatabaseOpenError(
          `The embedded database in ${dataDir} is in use by process ${holder} (probably a running Plaza server). ` +
            `PGlite belongs to one process: stop that server first, or point DATABASE_URL at PostgreSQL to share a database.`,
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DatabaseOpenError(`Could not lock the embedded database in ${dataDir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when the database answers a trivial query. */
export async function databaseAnswers(orm: Database): Promise<boolean> {
  try {
    await orm.em.getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}

function explainOpenFailure(target: DatabaseTarget, err: unknown): Error {
  if (err instanceof DatabaseOpenError) return err;
  if (target.kind === 'pglite') {
    return new DatabaseOpenError(`Could not open the embedded database in ${target.dataDir}: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  return new DatabaseOpenError(`Could not connect to PostgreSQL: ${(err as Error)?.message ?? err}`, { cause: err });
}

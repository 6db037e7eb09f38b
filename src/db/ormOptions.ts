import path from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PgliteDriver } from '@mikro-orm/pglite';
import type { Options } from '@mikro-orm/sql';
import type { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { allEntities } from '../../entities/index.ts';
import { pgPoolOptions, type PoolTimeouts, type QueryErrorListener } from './pgPool.ts';

export const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

/**
 * Contrib extensions every embedded PGlite instance loads (PGlite ships them but loads none by default).
 * A data directory whose schema uses one cannot be opened without it: pass these to every `PGlite.create`.
 */
export const PGLITE_EXTENSIONS = { pg_trgm };

export type DatabaseTarget =
  /** Real PostgreSQL. */
  | { kind: 'postgresql'; url: string }
  /**
   * Embedded PGlite in a directory ('memory://' for none); `loadDataDir` seeds it from a dump,
   * `instance` hands over an already open PGlite.
   */
  | { kind: 'pglite'; dataDir: string; loadDataDir?: Blob; instance?: PGlite };

/**
 * ORM options shared by the server, the CLI and the migration generator: one mapping, one set of
 * migrations. `timeouts` bound the PostgreSQL pool (none: `pg`'s defaults, which wait forever).
 */
export function ormOptions(
  target: DatabaseTarget,
  timeouts?: PoolTimeouts,
  onQueryError?: QueryErrorListener,
): Options {
  const common: Options = {
    entities: allEntities,
    extensions: [Migrator],
    migrations: {
      path: MIGRATIONS_DIR,
      pathTs: MIGRATIONS_DIR,
      glob: '!(*.d).ts',
      emit: 'ts',
      snapshot: false,
      snapshotOnMigrate: false,
      silent: true,
    },
    preferTs: true,
    debug: false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
  };
  if (target.kind === 'postgresql') {
    return {
      ...common,
      driver: PostgreSqlDriver,
      clientUrl: target.url,
      pool: { min: 0, max: 10 },
      ...(timeouts ? { driverOptions: () => pgPoolOptions(timeouts, onQueryError) } : {}),
    };
  }
  return {
    ...common,
    driver: PgliteDriver,
    dbName: target.dataDir,
    driverOptions: () => {
      if (target.instance) return { pglite: target.instance };
      return target.loadDataDir
        ? { loadDataDir: target.loadDataDir, extensions: PGLITE_EXTENSIONS }
        : { extensions: PGLITE_EXTENSIONS };
    },
  };
}

import path from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { PgliteDriver } from '@mikro-orm/pglite';
import type { Options } from '@mikro-orm/sql';
import type { PGlite } from '@electric-sql/pglite';
import { allEntities } from '../../entities/index.ts';
import { embeddedClient, pgPoolOptions, type PoolTimeouts, type QueryErrorListener } from './pgPool.ts';
import { PGLITE_EXTENSIONS } from './pgliteExtensions.ts';
import { requestEntityManager } from './requestEntityManager.ts';
import type { PgliteWasm } from './pgliteWasm.ts';

export const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');

export { PGLITE_EXTENSIONS };

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
  wasm?: PgliteWasm,
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
    context: requestEntityManager,
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
      return { ...wasm, loadDataDir: target.loadDataDir, extensions: PGLITE_EXTENSIONS };
    },
  };
}

/**
 * ORM options for the embedded database served from its own thread (EmbeddedDatabase): the ordinary
 * PostgreSQL driver on the thread's unix socket. One connection: every connection to PGlite shares its
 * one session (an open transaction, a SET, a prepared statement name would leak into the others).
 * Queries wait for it without a time limit, as they would for PGlite in this thread.
 */
export function embeddedOrmOptions(socketDir: string, socketPort: number, onQueryError?: QueryErrorListener): Options {
  return {
    ...ormOptions({ kind: 'postgresql', url: `postgresql://postgres@localhost:${socketPort}/postgres` }),
    pool: { min: 0, max: 1 },
    driverOptions: () => ({
      host: socketDir,
      port: socketPort,
      connectionTimeoutMillis: 0,
      idleTimeoutMillis: 0,
      Client: embeddedClient(onQueryError),
    }),
  };
}

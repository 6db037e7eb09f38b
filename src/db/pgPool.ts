import pg from 'pg';

/**
 * Time limits of the PostgreSQL connection pool. Without them `pg` waits forever: a database that is
 * frozen, black-holed or accepts connections without answering would hold every request for minutes.
 */
export interface PoolTimeouts {
  /** Opening one connection (TCP, TLS, start-up, authentication). */
  connectTimeoutMs: number;
  /** Waiting for a connection from the pool, including opening a new one. */
  acquireTimeoutMs: number;
  /** An unused connection is closed after this long. */
  idleTimeoutMs: number;
  /** Server-side `statement_timeout` of every session; 0 leaves the server's default. */
  statementTimeoutMs: number;
  /**
   * A query whose answer has not arrived after this long is failed and its connection dropped: the
   * path to the server is silent (a live server ends a slow statement itself at `statementTimeoutMs`).
   * 0 disables it (migrations, which may legitimately run long).
   */
  readTimeoutMs: number;
}

/** Idle time before the first TCP keepalive probe on a pooled connection. */
const KEEPALIVE_DELAY_MS = 10_000;

/** Told about every query that fails on a pooled connection (the metrics count them). */
export type QueryErrorListener = (err: unknown) => void;

/** Names the server's sessions in `pg_stat_activity`, so the CLI can tell a running Plaza uses the database. */
export const SERVER_APPLICATION_NAME = 'plaza-server';

/** Options for the `pg` pool MikroORM builds (`driverOptions` of the PostgreSQL driver). */
export function pgPoolOptions(timeouts: PoolTimeouts, onQueryError?: QueryErrorListener): Record<string, unknown> {
  return {
    connectionTimeoutMillis: timeouts.acquireTimeoutMs,
    idleTimeoutMillis: timeouts.idleTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    ...(timeouts.statementTimeoutMs > 0 ? { statement_timeout: timeouts.statementTimeoutMs } : {}),
    application_name: SERVER_APPLICATION_NAME,
    Client: guardedClient(timeouts, onQueryError),
  };
}

/**
 * A `pg` client with its own connect timeout that ends itself when a query's answer never arrives.
 * `pg` reports such a read timeout to the caller but keeps the connection, with the unanswered query
 * still at the head of its queue: returned to the pool it would hang every later query too (a lost
 * packet is never resent). Ending it makes the pool discard it and open a fresh one.
 */
function guardedClient(timeouts: PoolTimeouts, onQueryError?: QueryErrorListener): typeof pg.Client {
  return class GuardedClient extends pg.Client {
    constructor(config: pg.ClientConfig) {
      super({
        ...config,
        // pg-pool hides the password as a non-enumerable property, which a spread would drop.
        ...('password' in config ? { password: config.password } : {}),
        connectionTimeoutMillis: Math.min(timeouts.connectTimeoutMs, timeouts.acquireTimeoutMs),
        ...(timeouts.readTimeoutMs > 0 ? { query_timeout: timeouts.readTimeoutMs } : {}),
      });
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      this.query = ((...args: unknown[]) => {
        const result = query(...args);
        if (result instanceof Promise) {
          result.catch((err: unknown) => {
            onQueryError?.(err);
            if ((err as Error)?.message === 'Query read timeout') this.end().catch(() => {});
          });
        }
        return result;
      }) as typeof this.query;
    }
  };
}

/**
 * A `pg` client for the embedded database's thread. When a statement is cut by replacing the thread
 * (EmbeddedDatabase.interrupt), the transaction around it ended with the connection; its ROLLBACK then
 * has nothing to undo and is answered here. Failing it instead would leave the connection checked out
 * of the pool for good (the ORM releases a transaction's connection only after a successful rollback),
 * and the embedded pool has one connection.
 */
export function embeddedClient(onQueryError?: QueryErrorListener): typeof pg.Client {
  return class EmbeddedClient extends pg.Client {
    private connectionEnded = false;

    constructor(config: pg.ClientConfig) {
      super(config);
      this.on('end', () => (this.connectionEnded = true));
      const query = this.query.bind(this) as (...args: unknown[]) => unknown;
      this.query = ((...args: unknown[]) => {
        const rollback = typeof args[0] === 'string' && /^\s*rollback\s*$/i.test(args[0]);
        const rolledBack = { command: 'ROLLBACK', rowCount: 0, rows: [], fields: [] };
        if (rollback && this.connectionEnded) return Promise.resolve(rolledBack);
        const result = query(...args);
        if (!(result instanceof Promise)) return result;
        result.catch((err: unknown) => onQueryError?.(err));
        // A ROLLBACK waiting behind a statement when the thread is replaced ends with the connection too.
        if (!rollback) return result;
        return result.catch((err: unknown) => {
          if (this.connectionEnded) return rolledBack;
          throw err;
        });
      }) as typeof this.query;
    }
  };
}

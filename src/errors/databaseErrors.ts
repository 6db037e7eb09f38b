import { ConnectionException } from '@mikro-orm/core';

/**
 * What a database failure means for the caller, from its SQLSTATE (PostgreSQL and PGlite set `code`)
 * or, for failures of the connection itself, from the driver:
 * - `unavailable`: the database cannot answer now (unreachable, timed out, shutting down, overloaded);
 *   the same request may succeed later.
 * - `invalid`: the request carried a value the database refuses (NUL in text, a number out of range,
 *   bad text for a type, a violated NOT NULL or CHECK); retrying it cannot help.
 * - `conflict`: the request collides with data already stored (unique, foreign key, exclusion).
 */
export type DatabaseFailure = 'unavailable' | 'invalid' | 'conflict';

/** Node network failures of the connection to the database. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  // The embedded database's unix socket while its thread is being replaced.
  'ENOENT',
]);

/**
 * Failures `pg`, `pg-pool` and PGlite report without a code: the pool's acquire and connect timeouts,
 * the read timeout of a silent connection, connections that ended under a query, and a database
 * already closed by a shutdown in progress.
 */
const DRIVER_UNAVAILABLE =
  /timeout exceeded when trying to connect|timeout expired|Connection terminated|Query read timeout|is not queryable|Cannot use a pool after calling end|PGlite is clos(ed|ing)/i;

/** The SQLSTATE of a database error, if it has one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !NETWORK_CODES.has(code) ? code : undefined;
}

/** Classifies a failure that came from the database; undefined for anything else. */
export function databaseFailure(err: unknown): DatabaseFailure | undefined {
  if (err instanceof ConnectionException) return 'unavailable';
  const e = err as { code?: unknown; severity?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return 'unavailable';
  const state = sqlState(err);
  if (state) return failureOfState(state, e?.severity);
  if (typeof e?.message === 'string' && DRIVER_UNAVAILABLE.test(e.message)) return 'unavailable';
  return undefined;
}

function failureOfState(state: string, severity: unknown): DatabaseFailure | undefined {
  // A protocol violation is how both servers refuse a bind message holding a NUL character in text.
  if (state === '08P01') return 'invalid';
  if (
    state.startsWith('08') || // connection exception
    state.startsWith('53') || // insufficient resources: out of memory, disk full, too many connections
    /^57P0[1-5]$/.test(state) || // shutting down, cannot connect now, database dropped
    state === '57014' || // statement timeout: the database is too slow right now
    state === '40001' || // serialization failure: retry
    state === '40P01' || // deadlock: retry
    state === '55P03' // lock not available
  ) {
    return 'unavailable';
  }
  if (state.startsWith('22') || state === '23502' || state === '23514' || state === '54000') return 'invalid';
  if (state === '23505' || state === '23503' || state === '23P01') return 'conflict';
  // The server refused or ended the session (e.g. a database that no longer accepts connections).
  if (severity === 'FATAL' || severity === 'PANIC') return 'unavailable';
  return undefined;
}

/**
 * The database's own one-line explanation, without the `detail` line the ORM appends (which can quote
 * stored values, e.g. the key of a unique violation).
 */
export function databaseReason(err: unknown): string {
  const message = String((err as { message?: unknown } | null)?.message ?? err);
  return message.split('\n')[0].slice(0, 300);
}

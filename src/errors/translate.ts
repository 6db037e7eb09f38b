import { NotFoundError, UniqueConstraintViolationException, ConnectionException } from '@mikro-orm/core';
import { AppError } from './AppError.ts';

/**
 * Maps anything thrown to an AppError: known ORM failures get their catalogue code, the rest become
 * INTERNAL (and `unexpected` tells the edge to log it at error level).
 */
export function toAppError(err: unknown): { error: AppError; unexpected: boolean } {
  if (err instanceof AppError) return { error: err, unexpected: false };
  if (err instanceof UniqueConstraintViolationException) return { error: new AppError('CONFLICT'), unexpected: false };
  if (err instanceof NotFoundError) return { error: new AppError('ROUTE_NOT_FOUND', { message: 'Not found' }), unexpected: false };
  if (err instanceof ConnectionException || isConnectionRefused(err)) {
    return { error: new AppError('SERVICE_UNAVAILABLE', { detail: { retryable: true } }), unexpected: true };
  }
  return { error: new AppError('INTERNAL', { cause: err }), unexpected: true };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/**
 * The database cannot be reached or refuses sessions: network failures, SQLSTATE class 08 (connection
 * exception), 53300 (too many connections), 57P01-57P03 (shutting down / cannot connect now), and any
 * FATAL-severity error (the server refused or ended the session, e.g. a database not accepting connections).
 */
function isConnectionRefused(err: unknown): boolean {
  const e = err as { code?: unknown; severity?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  return NETWORK_CODES.has(code) || code.startsWith('08') || code === '53300' || /^57P0[1-3]$/.test(code) || e?.severity === 'FATAL';
}

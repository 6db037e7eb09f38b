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

function isConnectionRefused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ECONNREFUSED' || code === '57P01' || code === '57P03';
}

import { NotFoundError } from '@mikro-orm/core';
import { AppError } from './AppError.ts';
import { databaseFailure, databaseReason } from './databaseErrors.ts';

/**
 * Maps anything thrown to an AppError: known ORM and database failures get their catalogue code, the
 * rest become INTERNAL (and `unexpected` tells the edge to log it at error level). Rooms send the
 * result's room form (`toRoomMessage`), so a refused value is 30008 there and 10001 over REST.
 */
export function toAppError(err: unknown): { error: AppError; unexpected: boolean } {
  if (err instanceof AppError) return { error: err, unexpected: false };
  if (err instanceof NotFoundError) return { error: new AppError('RESOURCE_NOT_FOUND'), unexpected: false };
  switch (databaseFailure(err)) {
    case 'unavailable':
      return {
        error: new AppError('SERVICE_UNAVAILABLE', { detail: { retryable: true }, cause: err }),
        unexpected: true,
      };
    case 'invalid':
      return { error: invalidValue(err), unexpected: false };
    case 'conflict':
      return {
        error: new AppError('RESOURCE_CONFLICT', { detail: conflictDetail(err), cause: err }),
        unexpected: false,
      };
  }
  return { error: new AppError('INTERNAL', { cause: err }), unexpected: true };
}

function invalidValue(err: unknown): AppError {
  const state = (err as { code?: string }).code;
  const message = state === '08P01' ? 'Text may not contain NUL characters' : databaseReason(err);
  return new AppError('VALIDATION_FAILED', { detail: [{ path: '', message }], cause: err });
}

/** Names the constraint (never the colliding values, which the database's detail line quotes). */
function conflictDetail(err: unknown): { constraint: string } | undefined {
  const constraint = (err as { constraint?: unknown }).constraint;
  return typeof constraint === 'string' ? { constraint } : undefined;
}

import { z } from 'zod';
import { AppError } from '../../errors/index.ts';

/** A page of results with an opaque cursor for the next one (null on the last page). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** Keyset cursors are opaque base64url JSON; a tampered one is a validation error, never a 500. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<T extends z.ZodTypeAny>(cursor: string | undefined, shape: T): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError('VALIDATION_FAILED', {
      message: 'Invalid cursor',
      detail: [{ path: 'cursor', message: 'Invalid cursor' }],
    });
  }
}

/** Fetches limit+1 rows to know whether another page exists. */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  cursorOf: (row: Row) => unknown[],
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  return {
    items: pageRows.map(map),
    next_cursor: hasMore ? encodeCursor(cursorOf(pageRows[pageRows.length - 1])) : null,
  };
}

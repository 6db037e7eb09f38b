import { z } from 'zod';
import { AppError } from '../../errors/index.ts';

/** The most items one page may ask for (`limit`), on every list. */
export const PAGE_LIMIT_MAX = 100;

/**
 * A page of results. `next_cursor` continues the way the list is read (null on the last page); lists that
 * read both ways (message histories) also give `prev_cursor`, which reads the other way from this page.
 */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  prev_cursor?: string | null;
}

/** What a caller asks of a list: where to continue (an opaque cursor from a previous page) and how many. */
export interface PageRequest {
  cursor?: string;
  limit: number;
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

/**
 * The one way to cut a page: the caller fetches `limit + 1` rows in list order after the cursor's position;
 * the extra row only tells that another page exists. `cursorOf` gives a row's keyset position (its sort
 * values, ending with a unique id, so rows added meanwhile never repeat or shift a page). With `prevOf`,
 * `prev_cursor` reads the other way from the page's first row.
 */
export function toPage<Row, T>(
  rows: Row[],
  limit: number,
  map: (row: Row) => T,
  cursorOf: (row: Row) => unknown[],
  prevOf?: (row: Row) => unknown[],
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const page: Page<T> = {
    items: pageRows.map(map),
    next_cursor: hasMore ? encodeCursor(cursorOf(pageRows[pageRows.length - 1])) : null,
  };
  if (prevOf) page.prev_cursor = pageRows.length > 0 ? encodeCursor(prevOf(pageRows[0])) : null;
  return page;
}

type Key = number | string;

/**
 * A page of a list computed whole (live connections, a user's follows, the AI models): the same cursors
 * and limits as a database list. Items are put in order by `keyOf` (`order`), which must be unique; the
 * cursor holds the last item's key, so an item added or removed meanwhile shifts nothing.
 */
export function pageOfList<T>(
  items: T[],
  request: PageRequest,
  keyOf: (item: T) => Key[],
  order: 'asc' | 'desc' = 'asc',
): Page<T> {
  const sign = order === 'asc' ? 1 : -1;
  const after = decodeCursor(request.cursor, z.array(z.union([z.number(), z.string()])));
  const sorted = [...items].sort((a, b) => sign * compareKeys(keyOf(a), keyOf(b)));
  const rest = after ? sorted.filter((item) => sign * compareKeys(keyOf(item), after) > 0) : sorted;
  return toPage(rest.slice(0, request.limit + 1), request.limit, (item) => item, keyOf);
}

function compareKeys(a: Key[], b: Key[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

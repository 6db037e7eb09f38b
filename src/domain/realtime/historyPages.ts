import { z } from 'zod';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';

/**
 * How a message history is asked for: a cursor from a previous page, or `after` (a message id the reader
 * has seen, 0 = from the start) to read forwards, or neither for the latest messages.
 */
export interface HistoryRequest {
  cursor?: string;
  after?: number;
  limit: number;
}

const HistoryCursor = z.tuple([z.enum(['before', 'after']), z.number().int().min(0)]);

/** Where a history page starts: newest first before `before` (or from the latest), or oldest first after `after`. */
export function historyPosition(request: HistoryRequest): { forward: boolean; before?: number; after?: number } {
  const cursor = decodeCursor(request.cursor, HistoryCursor);
  if (cursor)
    return cursor[0] === 'after' ? { forward: true, after: cursor[1] } : { forward: false, before: cursor[1] };
  if (request.after !== undefined) return { forward: true, after: request.after };
  return { forward: false };
}

/**
 * A history page from rows fetched with `limit + 1` in reading order: `next_cursor` goes on the same way
 * (older when reading backwards, newer when reading forwards), `prev_cursor` the other way from the first
 * item (from the latest page, it asks for what arrives later).
 */
export function historyPage<Row extends { id: number }>(rows: Row[], limit: number, forward: boolean): Page<Row> {
  const same = forward ? 'after' : 'before';
  const other = forward ? 'before' : 'after';
  return toPage(
    rows,
    limit,
    (row) => row,
    (row) => [same, row.id],
    (row) => [other, row.id],
  );
}

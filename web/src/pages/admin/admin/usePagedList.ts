import { useState } from 'preact/hooks';
import { useAction } from '../../../components/Form.tsx';

/** One page of Plaza's list shape. */
export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

/**
 * A list read page by page with `next_cursor`: `first()` starts over, `next()` follows the cursor. Errors land
 * in `error` (shown by the caller), never swallowed.
 */
export function usePagedList<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [pageNumber, setPageNumber] = useState(1);
  const load = useAction(async (from: string | undefined, page: number) => {
    const result = await fetchPage(from);
    setItems(result.items);
    setCursor(result.next_cursor ?? undefined);
    setPageNumber(page);
  });
  return {
    items,
    pageNumber,
    hasNext: cursor !== undefined,
    busy: load.busy,
    error: load.error,
    first: () => load.run(undefined, 1),
    next: () => load.run(cursor, pageNumber + 1),
  };
}

import crypto from 'node:crypto';
import type { BoardRules, GrantRules } from './BoardAccess.ts';
import type { PostView } from './boardViews.ts';
import type { Page } from '../shared/pagination.ts';

/** What changed, as every process hears it: one board's pages, or every page (an author's profile, a file). */
export type PageChange = { board_id: number } | { all: true };

/** The part of a page every viewer shares: the board's rules and the posts (`liked_by_me` false). */
export interface SharedPage {
  board: BoardRules;
  page: Page<PostView>;
}

/** The part of a page one signed-in viewer adds: their grant on the board and which of its posts they like. */
export interface ViewerPart {
  grant: GrantRules | null;
  liked: ReadonlySet<number>;
}

/** Where a read started: a value read under a stamp is kept only if nothing changed since. */
export interface Stamp {
  readonly board: number;
  readonly all: number;
  readonly boardGeneration: number;
  /** When the read started (ms): nothing is kept longer than PAGE_CACHE_LIMITS.maxAgeMs after it. */
  readonly at: number;
}

/**
 * How much one process keeps (least recently used go first): shared pages up to `posts` posts in all
 * (~2 KB each with their JSON: ~20 MB), `viewers` viewer parts; and the longest anything is kept: the bound on staleness for changes no process announced (SQL run by hand,
 * the database console) or whose announcement was lost (Redis pub/sub delivers at most once).
 */
export const PAGE_CACHE_LIMITS = { posts: 10_000, viewers: 10_000, maxAgeMs: 30_000 } as const;

/**
 * Pages of posts kept between requests, in memory, per process. Every write that changes what a page
 * shows calls `boardChanged` (or `everythingChanged`) after it has committed; that bumps a generation, so
 * entries read before it are never served again, and is published (`publish`) for the other processes,
 * which apply it when it arrives (`apply`): there, a page may be stale for as long as the message takes.
 * A read in flight while a write commits keeps nothing (`store` compares the stamp taken before it read).
 * Nothing is kept longer than `PAGE_CACHE_LIMITS.maxAgeMs`.
 */
export class PostPageCache {
  private readonly pages = new BoundedMap<string, { stamp: Stamp; value: SharedPage }>(
    PAGE_CACHE_LIMITS.posts,
    (entry) => Math.max(1, entry.value.page.items.length),
  );
  private readonly viewers = new BoundedMap<string, { stamp: Stamp; value: ViewerPart }>(
    PAGE_CACHE_LIMITS.viewers,
    () => 1,
  );
  private readonly generations = new Map<number, number>();
  private allGeneration = 0;
  /** Tells this process's own messages from the others' (a publisher hears itself on the bus). */
  readonly origin = crypto.randomUUID();

  constructor(private readonly publish: (change: PageChange & { origin: string }) => void = () => {}) {}

  /** The stamp to read a page of `boardId` under. */
  stamp(boardId: number): Stamp {
    return {
      board: boardId,
      all: this.allGeneration,
      boardGeneration: this.generations.get(boardId) ?? 0,
      at: Date.now(),
    };
  }

  shared(key: PageKey): SharedPage | undefined {
    return this.fresh(this.pages, sharedKey(key));
  }

  viewer(key: PageKey, userId: number): ViewerPart | undefined {
    return this.fresh(this.viewers, viewerKey(key, userId));
  }

  storeShared(key: PageKey, stamp: Stamp, value: SharedPage): void {
    if (this.current(stamp)) this.pages.set(sharedKey(key), { stamp, value });
  }

  storeViewer(key: PageKey, userId: number, stamp: Stamp, value: ViewerPart): void {
    if (this.current(stamp)) this.viewers.set(viewerKey(key, userId), { stamp, value });
  }

  /** A write on `boardId` committed here (posts, likes, counts, rules, grants). */
  boardChanged(boardId: number): void {
    this.apply({ board_id: boardId });
    this.publish({ board_id: boardId, origin: this.origin });
  }

  /** A write that may show on any board committed here (an author's name or avatar, a file). */
  everythingChanged(): void {
    this.apply({ all: true });
    this.publish({ all: true, origin: this.origin });
  }

  /** A change heard on the bus (or made here). */
  apply(change: PageChange): void {
    if ('all' in change) this.allGeneration++;
    else this.generations.set(change.board_id, (this.generations.get(change.board_id) ?? 0) + 1);
  }

  private current(stamp: Stamp): boolean {
    return stamp.all === this.allGeneration && stamp.boardGeneration === (this.generations.get(stamp.board) ?? 0);
  }

  private fresh<V>(map: BoundedMap<string, { stamp: Stamp; value: V }>, key: string): V | undefined {
    const entry = map.get(key);
    if (!entry) return undefined;
    if (this.current(entry.stamp) && Date.now() - entry.stamp.at < PAGE_CACHE_LIMITS.maxAgeMs) return entry.value;
    map.delete(key);
    return undefined;
  }
}

/** What tells one page from another: the board, the order, where it continues, the search, its size. */
export interface PageKey {
  boardId: number;
  sort: string;
  cursor?: string;
  q?: string;
  limit: number;
}

function sharedKey(k: PageKey): string {
  return `${k.boardId}\u0000${k.sort}\u0000${k.cursor ?? ''}\u0000${k.q ?? ''}\u0000${k.limit}`;
}

function viewerKey(k: PageKey, userId: number): string {
  return `${userId}\u0000${sharedKey(k)}`;
}

/** A Map that forgets its least recently used entries while their weights add up to more than `limit`. */
class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  private weight = 0;

  constructor(
    private readonly limit: number,
    private readonly weightOf: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    this.map.set(key, value);
    this.weight += this.weightOf(value);
    while (this.weight > this.limit && this.map.size > 1) this.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    const value = this.map.get(key);
    if (value === undefined) return;
    this.map.delete(key);
    this.weight -= this.weightOf(value);
  }
}

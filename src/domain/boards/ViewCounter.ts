import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { PostPageCache } from './PostPageCache.ts';

/** How a view is attributed: a signed-in user, or the client's IP address (never stored as such). */
export type ViewSource = { userId: number } | { ip: string };

const ROWS_PER_STATEMENT = 500;
/** A burst this large is written at once rather than waiting for the interval. */
const MAX_PENDING = 20_000;

/**
 * Post views, counted at most once per viewer per post per UTC day and written in bulk. `record` only
 * touches memory; `flush` (on an interval, and on shutdown through `close`) inserts the batch into
 * post_views, where the primary key drops repeats, and adds what was new to posts.view_count in the
 * same statement. IP addresses are kept only as an HMAC keyed with a server secret and the day.
 */
export class ViewCounter {
  private pending = new Map<string, { postId: number; viewer: string; day: string }>();
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastPurgeDay = '';
  private burstFlush: Promise<void> | undefined;

  constructor(
    private readonly em: EntityManager,
    private readonly logger: Logger,
    private readonly options: { salt: string; flushIntervalMs: number },
    /** Pages of posts show view counts: told which boards' counts moved. */
    private readonly pages: PostPageCache = new PostPageCache(),
  ) {}

  /** Starts writing pending views every `flushIntervalMs`. */
  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.flushIntervalMs).unref();
  }

  record(postId: number, source: ViewSource, now = new Date()): void {
    const day = now.toISOString().slice(0, 10);
    const viewer = 'userId' in source ? `u:${source.userId}` : `ip:${this.hashIp(source.ip, day)}`;
    this.pending.set(`${postId}|${viewer}|${day}`, { postId, viewer, day });
    if (this.pending.size >= MAX_PENDING && !this.burstFlush) {
      this.burstFlush = this.flush().finally(() => (this.burstFlush = undefined));
    }
  }

  /** Views recorded but not yet written. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Writes every pending view. Calls are serialised; a failed batch is kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  /** Stops the interval and writes what is pending: the last step before the database closes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const em = this.em.fork();
    try {
      for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
        const rows = batch.slice(i, i + ROWS_PER_STATEMENT);
        const counted = await em.execute<{ board_id: number }[]>(
          `with v (post_id, viewer, day) as (values ${rows.map(() => '(?::int, ?::text, ?::date)').join(', ')}),
           ins as (insert into post_views (post_id, viewer, day)
                   select v.post_id, v.viewer, v.day from v join posts p on p.id = v.post_id
                   on conflict do nothing returning post_id),
           c as (select post_id, count(*)::int as n from ins group by post_id)
           update posts p set view_count = p.view_count + c.n from c where p.id = c.post_id
           returning p.board_id`,
          rows.flatMap((r) => [r.postId, r.viewer, r.day]),
          'all',
        );
        for (const boardId of new Set(counted.map((r) => Number(r.board_id)))) this.pages.boardChanged(boardId);
      }
      await this.purgeOldDays(em);
    } catch (err) {
      // Keep what did not make it; rows already inserted are not counted twice thanks to the key.
      for (const r of batch) this.pending.set(`${r.postId}|${r.viewer}|${r.day}`, r);
      this.logger.warn({ err, views: batch.length }, 'writing post views failed; will retry');
    }
  }

  /** Dedup rows matter only for today (and yesterday, across midnight); drop older ones once a day. */
  private async purgeOldDays(em: EntityManager): Promise<void> {
    const today = new Date().toISOString().slice(0, 10);
    if (this.lastPurgeDay === today) return;
    await em.execute(`delete from post_views where day < (?::date - 1)`, [today], 'run');
    this.lastPurgeDay = today;
  }

  private hashIp(ip: string, day: string): string {
    return crypto.createHmac('sha256', this.options.salt).update(`${day}|${ip}`).digest('base64url').slice(0, 32);
  }
}

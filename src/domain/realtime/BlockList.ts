import type { EntityManager } from '@mikro-orm/sql';
import { UserBlock } from '../../../entities/UserBlock.ts';

/**
 * Who blocks whom, held in this process's memory so that a DM accepted while the database is away is
 * checked against blocks before anyone sees it. Loaded once at start-up and kept current by every block
 * and unblock, which all go through this process when it is the only one. A block can only be made
 * while the database answers, so during an outage this list is exactly the database's.
 *
 * With several processes (REDIS_URL) a block made on another process is not seen here: the list is
 * not loaded, `blocks` answers "unknown", and DMs wait for the database instead of being spooled.
 */
export class BlockList {
  private readonly pairs = new Set<string>();
  private loaded = false;

  constructor(private readonly em: EntityManager) {}

  /** Reads every block (one row per pair: two integers each). */
  async load(): Promise<void> {
    const rows = await this.em.fork().find(UserBlock, {}, { fields: ['blockerId', 'blockedId'] });
    for (const row of rows) this.pairs.add(pair(row.blockerId, row.blockedId));
    this.loaded = true;
  }

  added(blockerId: number, blockedId: number): void {
    this.pairs.add(pair(blockerId, blockedId));
  }

  removed(blockerId: number, blockedId: number): void {
    this.pairs.delete(pair(blockerId, blockedId));
  }

  /** Whether `blockerId` blocks `blockedId`; undefined when this process cannot know. */
  blocks(blockerId: number, blockedId: number): boolean | undefined {
    return this.loaded ? this.pairs.has(pair(blockerId, blockedId)) : undefined;
  }
}

function pair(blockerId: number, blockedId: number): string {
  return `${blockerId}:${blockedId}`;
}

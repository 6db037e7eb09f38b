import type { IRoomCache, SortOptions } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import type { Redis } from 'ioredis';
import { meetsConditions } from './listingConditions.ts';

/** The hash the stock RedisDriver keeps every room listing in (roomId → JSON listing). */
const LISTINGS_KEY = 'roomcaches';

/**
 * Room types whose rooms have fixed ids: from a lookup's conditions (its `filterBy` values), the one id a
 * matching room can have (`home` with `userId: 7` → `home-7`), or undefined when the conditions name none.
 */
export type FixedRoomIds = Record<string, (conditions: Record<string, unknown>) => string | undefined>;

/**
 * The stock RedisDriver with two changes:
 *
 * - An atomic `insert`: a listing is written only if no room holds its id yet (HSETNX). With fixed room
 *   ids (`home-<userId>`, `chat-<groupId>`) two processes creating the same actor at once then end with
 *   one room: the matchmaker discards the loser after its `onCreate` and sends its client to the winner.
 *   Without it the driver overwrites, and both rooms live on.
 * - `findOne` for a room type with fixed ids reads the one listing its conditions name (HGET) and checks
 *   it against every condition. The stock one reads and parses every listing of every room (HGETALL) on
 *   each `joinOrCreate`: with a home per signed-in user, O(users) per join.
 */
export class AtomicRedisDriver extends RedisDriver {
  constructor(
    private readonly redis: Redis,
    private readonly fixedRoomIds: FixedRoomIds = {},
  ) {
    super(redis);
  }

  async insert(listing: IRoomCache): Promise<boolean> {
    return (await this.redis.hsetnx(LISTINGS_KEY, listing.roomId, JSON.stringify(listing))) === 1;
  }

  override async findOne(conditions: Partial<IRoomCache>, sortOptions?: SortOptions): Promise<IRoomCache> {
    const wanted = conditions as Record<string, unknown>;
    const fixedId =
      wanted.roomId === undefined && typeof wanted.name === 'string'
        ? this.fixedRoomIds[wanted.name]?.(wanted)
        : undefined;
    if (fixedId === undefined) return super.findOne(conditions, sortOptions);
    const listing = await super.findOne({ roomId: fixedId });
    return (listing && meetsConditions(listing, wanted) ? listing : undefined) as IRoomCache;
  }
}

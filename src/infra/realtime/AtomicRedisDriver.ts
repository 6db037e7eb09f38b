import type { IRoomCache } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import type { Redis } from 'ioredis';

/** The hash the stock RedisDriver keeps every room listing in (roomId → JSON listing). */
const LISTINGS_KEY = 'roomcaches';

/**
 * The stock RedisDriver with an atomic `insert`: a listing is written only if no room holds its id yet
 * (HSETNX). With fixed room ids (`home-<userId>`, `chat-<groupId>`) two processes creating the same
 * actor at once then end with one room: the matchmaker discards the loser after its `onCreate` and
 * sends its client to the winner. Without it the driver overwrites, and both rooms live on.
 */
export class AtomicRedisDriver extends RedisDriver {
  constructor(private readonly redis: Redis) {
    super(redis);
  }

  async insert(listing: IRoomCache): Promise<boolean> {
    return (await this.redis.hsetnx(LISTINGS_KEY, listing.roomId, JSON.stringify(listing))) === 1;
  }
}

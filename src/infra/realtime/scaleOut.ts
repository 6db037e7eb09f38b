import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { LimiterStore } from '../../domain/shared/rateLimits.ts';
import { AtomicRedisDriver, type FixedRoomIds } from './AtomicRedisDriver.ts';
import { ScopedRedisPresence } from './ScopedRedisPresence.ts';

/** What several Plaza processes share through one Redis database. */
export interface ScaleOut {
  presence: ScopedRedisPresence;
  driver: AtomicRedisDriver;
  /** Rate-limit counters shared by every process (each with an in-memory fallback). */
  limiters: LimiterStore;
  /** Closes the connections this module owns (Colyseus closes the presence's and the driver's). */
  close(): Promise<void>;
}

/**
 * Connects the Colyseus presence, the room-listing driver and the rate-limit store to `url`. Each gets
 * its own connection: Colyseus quits the presence's and the driver's on shutdown, and a blocked or
 * reconnecting one must not hold up the others. `fixedRoomIds` lets matchmaking find an actor's room by id.
 */
export function connectScaleOut(url: string, logger: Logger, fixedRoomIds: FixedRoomIds = {}): ScaleOut {
  const log = logger.child({ component: 'redis' });
  const database = databaseNumber(url);
  const connect = (role: string, options: { enableOfflineQueue?: boolean } = {}) => {
    const redis = new Redis(url, { lazyConnect: false, ...options });
    redis.on('error', (err) => log.warn({ err: err.message, role }, 'redis connection error'));
    return redis;
  };
  // Rate limits answer at once from the insurance counter when Redis is away, instead of queueing.
  const limiterRedis = connect('rate-limits', { enableOfflineQueue: false });
  const limiters: LimiterStore = (options) =>
    new RateLimiterRedis({
      storeClient: limiterRedis,
      ...options,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  return {
    presence: new ScopedRedisPresence(connect('presence'), database),
    driver: new AtomicRedisDriver(connect('listings'), fixedRoomIds),
    limiters,
    close: async () => {
      await limiterRedis.quit().catch(() => limiterRedis.disconnect());
    },
  };
}

/** The database number in `redis://host:port/<n>` (0 when absent). */
export function databaseNumber(url: string): number {
  const path = new URL(url).pathname.replace(/^\//, '');
  return path === '' ? 0 : Number(path);
}

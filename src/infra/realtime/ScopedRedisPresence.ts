import { RedisPresence } from '@colyseus/redis-presence';
import type { Redis } from 'ioredis';

/**
 * RedisPresence whose publish/subscribe channels belong to one Redis database number. Keys are per
 * database in Redis, channels are not: without the scope, two deployments (or test runs) on
 * `redis://…/1` and `redis://…/2` would hear each other's room calls (`$home-1`) and events.
 */
export class ScopedRedisPresence extends RedisPresence {
  private readonly scope: string;

  constructor(redis: Redis, database: number) {
    super(redis);
    this.scope = `db${database}/`;
  }

  override subscribe(topic: string, callback: (...args: unknown[]) => void) {
    return super.subscribe(this.scope + topic, callback);
  }

  override unsubscribe(topic: string, callback?: (...args: unknown[]) => void) {
    return super.unsubscribe(this.scope + topic, callback);
  }

  override publish(topic: string, data: unknown) {
    return super.publish(this.scope + topic, data);
  }

  override async channels(pattern = '*'): Promise<string[]> {
    const found: string[] = await super.channels(this.scope + pattern);
    return found.map((channel) => channel.slice(this.scope.length));
  }
}

import type { Presence } from '@colyseus/core';
import type { RealtimeBus } from '../../domain/realtime/RealtimeBus.ts';

/**
 * The realtime bus on Colyseus presence: LocalPresence in one process, RedisPresence across several
 * (the same instance is handed to defineServer, so rooms and services share one pub/sub).
 */
export class PresenceBus implements RealtimeBus {
  constructor(readonly presence: Presence) {}

  publish(channel: string, payload: unknown): void {
    this.presence.publish(channel, payload);
  }
  hset(key: string, field: string, value: string) {
    return this.presence.hset(key, field, value);
  }
  hdel(key: string, field: string) {
    return this.presence.hdel(key, field);
  }
  async hget(key: string, field: string): Promise<string | null> {
    return (await this.presence.hget(key, field)) ?? null;
  }
  async hgetall(key: string): Promise<Record<string, string>> {
    return (await this.presence.hgetall(key)) ?? {};
  }
}

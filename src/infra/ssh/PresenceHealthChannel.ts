import type { Presence } from '@colyseus/core';
import type { HealthChannel, HealthUpdate, ServerHealth } from '../../domain/ssh/ports.ts';

const CHANNEL = 'plaza:ssh:health';
/** target name → JSON ServerHealth: the latest result, for a process that starts after it was published. */
const LATEST = 'plaza:ssh:health:latest';

/**
 * SSH health results on Colyseus presence, the realtime bus every process shares (in memory for one
 * process, Redis for several): the leader publishes each result, every process hears it.
 */
export class PresenceHealthChannel implements HealthChannel {
  constructor(private readonly presence: Presence) {}

  async publish(update: HealthUpdate): Promise<void> {
    await this.presence.hset(LATEST, update.health.server_name, JSON.stringify(update.health));
    await this.presence.publish(CHANNEL, update);
  }

  async subscribe(listener: (update: HealthUpdate) => void): Promise<() => void> {
    const callback = (update: HealthUpdate) => listener(update);
    await this.presence.subscribe(CHANNEL, callback);
    return () => void this.presence.unsubscribe(CHANNEL, callback);
  }

  async latest(): Promise<ServerHealth[]> {
    const saved = (await this.presence.hgetall(LATEST)) ?? {};
    return Object.values(saved).map((json) => JSON.parse(json) as ServerHealth);
  }
}

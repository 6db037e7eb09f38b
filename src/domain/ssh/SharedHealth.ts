import type { HealthChannel, HealthSource, HealthUpdate, ServerHealth, SshTargetInfo } from './ports.ts';

/**
 * Every process's view of the targets' health. The checks run in one process (the leader); their
 * results arrive here through the health channel, so every process's ssh rooms show the same health
 * whichever process checked. A process that starts later begins from the latest published results.
 */
export class SharedHealth implements HealthSource {
  private readonly health = new Map<string, ServerHealth>();
  private readonly listeners = new Set<(health: ServerHealth, flipped: boolean) => void>();
  private unsubscribe?: () => void;

  constructor(
    targets: Pick<SshTargetInfo, 'name' | 'host'>[],
    private readonly channel: HealthChannel,
  ) {
    for (const t of targets) this.health.set(t.name, neverChecked(t.name, t.host));
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.channel.subscribe((update) => this.receive(update));
    for (const health of await this.channel.latest()) {
      const known = this.health.get(health.server_name);
      // Only configured targets, and never older than what was heard since subscribing.
      if (known && (known.last_checked ?? '') < (health.last_checked ?? ''))
        this.health.set(health.server_name, health);
    }
  }

  stop(): void {
    this.unsubscribe?.();
  }

  snapshot(): Record<string, ServerHealth> {
    return Object.fromEntries([...this.health].map(([name, h]) => [name, { ...h }]));
  }

  subscribe(listener: (health: ServerHealth, flipped: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private receive({ health, flipped }: HealthUpdate): void {
    if (!this.health.has(health.server_name)) return;
    this.health.set(health.server_name, health);
    for (const listener of this.listeners) listener({ ...health }, flipped);
  }
}

export function neverChecked(name: string, host: string): ServerHealth {
  return {
    server_name: name,
    host,
    is_healthy: false,
    last_checked: null,
    consecutive_failures: 0,
    consecutive_successes: 0,
    last_error: null,
  };
}

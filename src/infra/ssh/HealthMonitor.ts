import type { Logger } from 'pino';
import { AppError, toAppError } from '../../errors/index.ts';
import type { HealthSource, ServerHealth } from '../../domain/ssh/ports.ts';
import { neverChecked } from '../../domain/ssh/SharedHealth.ts';
import { connectTarget } from './connect.ts';
import type { SshTarget } from './serversFile.ts';

/**
 * Checks every target on its own timer: a fresh TCP connection, the SSH handshake with host-key
 * verification, authentication and a trivial command (`true`). A target turns unhealthy after
 * `failuresToUnhealthy` consecutive failures (at once on a host key mismatch) and healthy again on
 * the first success. Checks of one target never overlap. Only the elected leader process runs it
 * (LeaderHealthChecks); every process hears the results.
 */
export class HealthMonitor implements HealthSource {
  private readonly health = new Map<string, ServerHealth>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Set<(health: ServerHealth, flipped: boolean) => void>();
  private stopped = false;

  constructor(
    private readonly targets: SshTarget[],
    private readonly options: { intervalMs: number; timeoutMs: number; failuresToUnhealthy: number; log: Logger },
  ) {
    for (const t of targets) this.health.set(t.name, neverChecked(t.name, t.host));
  }

  /** Runs the first round at once, then every interval (again after a stop: leadership comes and goes). */
  start(): void {
    this.stopped = false;
    for (const t of this.targets) this.schedule(t, 0);
  }

  /** Continues from results checked elsewhere (the previous leader's), so counts and flips carry on. */
  seed(snapshot: Record<string, ServerHealth>): void {
    for (const [name, health] of Object.entries(snapshot))
      if (this.health.has(name)) this.health.set(name, { ...health });
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  snapshot(): Record<string, ServerHealth> {
    return Object.fromEntries([...this.health].map(([name, h]) => [name, { ...h }]));
  }

  subscribe(listener: (health: ServerHealth, flipped: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Checks one target now and records the outcome. */
  async check(target: SshTarget): Promise<ServerHealth> {
    const before = this.health.get(target.name)!;
    let next: ServerHealth;
    try {
      await probe(target, this.options.timeoutMs, this.options.log);
      next = {
        ...before,
        is_healthy: true,
        consecutive_successes: before.consecutive_successes + 1,
        consecutive_failures: 0,
        last_error: null,
      };
    } catch (err) {
      const { error } = toAppError(err);
      const failures = before.consecutive_failures + 1;
      const hard = error.key === 'SSH_HOST_KEY_MISMATCH';
      next = {
        ...before,
        is_healthy: before.is_healthy && !hard && failures < this.options.failuresToUnhealthy,
        consecutive_failures: failures,
        consecutive_successes: 0,
        last_error: { error_code: error.code, message: error.message },
      };
    }
    next.last_checked = new Date().toISOString();
    if (this.stopped) return next;
    this.health.set(target.name, next);
    const flipped = next.is_healthy !== before.is_healthy;
    if (flipped)
      this.options.log.info(
        { server: target.name, is_healthy: next.is_healthy, error_code: next.last_error?.error_code },
        'ssh target health changed',
      );
    for (const listener of this.listeners) listener({ ...next }, flipped);
    return next;
  }

  private schedule(target: SshTarget, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(async () => {
      await this.check(target);
      this.schedule(target, this.options.intervalMs);
    }, delayMs);
    timer.unref();
    this.timers.set(target.name, timer);
  }
}

async function probe(target: SshTarget, timeoutMs: number, log: Logger): Promise<void> {
  const client = await connectTarget(target, { timeoutMs, log });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new AppError('SSH_HEALTH_CHECK_FAILED', { detail: { server: target.name, reason: 'command timed out' } }),
          ),
        timeoutMs,
      );
      client.exec('true', (err, channel) => {
        if (err) {
          clearTimeout(timer);
          return reject(
            new AppError('SSH_HEALTH_CHECK_FAILED', { detail: { server: target.name, reason: err.message } }),
          );
        }
        let code: number | null = null;
        channel.on('exit', (c: number | null) => (code = c));
        channel.on('close', () => {
          clearTimeout(timer);
          if (code === 0) resolve();
          else
            reject(
              new AppError('SSH_HEALTH_CHECK_FAILED', { detail: { server: target.name, reason: `exit code ${code}` } }),
            );
        });
        channel.resume();
        channel.stderr.resume();
      });
    });
  } finally {
    client.end();
  }
}

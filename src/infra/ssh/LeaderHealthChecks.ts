import type { Logger } from 'pino';
import type { HealthChannel, Leadership } from '../../domain/ssh/ports.ts';
import type { SharedHealth } from '../../domain/ssh/SharedHealth.ts';
import type { HealthMonitor } from './HealthMonitor.ts';

/**
 * SSH health checks run once per deployment, not once per process: only the elected leader runs the
 * monitor, and every result it gets goes out on the health channel, which every process (the leader
 * included) hears through its SharedHealth. When leadership moves, the new leader carries on from the
 * shared results.
 */
export class LeaderHealthChecks {
  private unsubscribe: (() => void)[] = [];

  constructor(
    private readonly monitor: HealthMonitor,
    private readonly leadership: Leadership,
    private readonly channel: HealthChannel,
    private readonly shared: SharedHealth,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.shared.start();
    this.unsubscribe.push(
      this.monitor.subscribe((health, flipped) => {
        this.channel
          .publish({ health, flipped })
          .catch((err) => this.log.warn({ err, server: health.server_name }, 'publishing ssh health failed'));
      }),
      this.leadership.onChange((leader) => {
        if (leader) {
          this.log.info('this process now runs the ssh health checks');
          this.monitor.seed(this.shared.snapshot());
          this.monitor.start();
        } else {
          this.log.info('this process no longer runs the ssh health checks');
          this.monitor.stop();
        }
      }),
    );
    await this.leadership.start();
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    await this.leadership.stop();
    this.monitor.stop();
    this.shared.stop();
  }
}

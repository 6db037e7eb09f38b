import type { Logger } from 'pino';

/** The two outage events, named as they appear in logs, metrics, notices and alert mail. */
export type DatabaseEvent =
  { event: 'database_unavailable'; since: Date } | { event: 'database_recovered'; since: Date; until: Date };

/** Told once when an outage starts and once when it ends. Implementations must not throw. */
export type DatabaseEventListener = (event: DatabaseEvent) => Promise<void> | void;

/**
 * Watches whether the database answers and turns the answers into events: one `database_unavailable`
 * when a check fails after a good one, one `database_recovered` when a check succeeds again, however
 * many requests fail in between. Checks never overlap.
 */
export class DatabaseWatch {
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;
  private downSince?: Date;
  private readonly listeners: DatabaseEventListener[] = [];
  private readonly healthyChecks: (() => Promise<void>)[] = [];

  constructor(
    private readonly probe: { answers(): Promise<boolean> },
    private readonly log: Logger,
    private readonly intervalMs: number,
  ) {}

  /** True while an outage lasts. */
  get unavailable(): boolean {
    return this.downSince !== undefined;
  }

  onEvent(listener: DatabaseEventListener): void {
    this.listeners.push(listener);
  }

  /** Runs after every check the database answered (to keep what an outage needs to hand fresh). */
  onHealthyCheck(task: () => Promise<void>): void {
    this.healthyChecks.push(task);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /** One check now (a check already under way is shared). */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async checkOnce(): Promise<void> {
    const answers = await this.probe.answers();
    if (!answers && !this.downSince) {
      this.downSince = new Date();
      this.log.error(
        { event: 'database_unavailable', since: this.downSince },
        'database_unavailable: the database does not answer',
      );
      await this.emit({ event: 'database_unavailable', since: this.downSince });
    } else if (answers && this.downSince) {
      const event = { event: 'database_recovered' as const, since: this.downSince, until: new Date() };
      this.downSince = undefined;
      this.log.warn(
        {
          event: event.event,
          since: event.since,
          seconds: Math.round((event.until.getTime() - event.since.getTime()) / 1000),
        },
        'database_recovered: the database answers again',
      );
      await this.emit(event);
    }
    if (answers) for (const task of this.healthyChecks) await task().catch(() => undefined);
  }

  private async emit(event: DatabaseEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (err) {
        this.log.error({ err, event: event.event }, 'a database event listener failed');
      }
    }
  }
}

/** The sentence an admin reads for an event. */
export function describeDatabaseEvent(event: DatabaseEvent): string {
  if (event.event === 'database_unavailable') {
    return `database_unavailable: the database has not answered since ${event.since.toISOString()}. Signed-in users keep their sessions; new sign-ins and writes are refused (503) until it returns.`;
  }
  const seconds = Math.round((event.until.getTime() - event.since.getTime()) / 1000);
  return `database_recovered: the database answers again since ${event.until.toISOString()} (unavailable from ${event.since.toISOString()}, ${seconds} s).`;
}

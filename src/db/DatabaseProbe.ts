import type { Database } from './openDatabase.ts';

/**
 * Answers "does the database answer?" within a bound, for readiness checks. At most one probe query
 * is in flight: when the database is silent, repeated checks share it instead of each taking a pooled
 * connection until the pool's own limits end it.
 */
export class DatabaseProbe {
  private inFlight?: Promise<boolean>;

  constructor(
    private readonly orm: Database,
    private readonly timeoutMs: number,
  ) {}

  /** True when a trivial query succeeds within the bound; false on failure or silence. */
  async answers(): Promise<boolean> {
    this.inFlight ??= this.orm.em
      .fork()
      .getConnection()
      .execute('select 1')
      .then(
        () => true,
        () => false,
      )
      .finally(() => {
        this.inFlight = undefined;
      });
    let timer: NodeJS.Timeout | undefined;
    const silence = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    try {
      return await Promise.race([this.inFlight, silence]);
    } finally {
      clearTimeout(timer);
    }
  }
}

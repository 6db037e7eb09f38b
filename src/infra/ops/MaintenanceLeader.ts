import pg from 'pg';

/** Any fixed 64-bit key; the same in every Plaza process sharing a database. */
const LOCK_KEY = 7_270_001;

/**
 * Decides which process runs the periodic maintenance (scheduled backups, retention) when several
 * share one PostgreSQL: the one holding a session advisory lock on a connection of its own. If that
 * process dies its connection ends, the lock is released and the next process to ask takes it. The
 * embedded database belongs to one process, which always leads.
 */
export class MaintenanceLeader {
  private client?: pg.Client;

  constructor(private readonly postgresUrl?: string) {}

  async leads(): Promise<boolean> {
    if (!this.postgresUrl) return true;
    if (this.client) {
      try {
        await this.client.query('select 1');
        return true;
      } catch {
        await this.release();
      }
    }
    const client = new pg.Client({
      connectionString: this.postgresUrl,
      application_name: 'plaza-maintenance',
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [LOCK_KEY]);
      if (rows[0]?.ok) {
        this.client = client;
        return true;
      }
    } catch {
      // Unreachable database: nobody maintains anything until it returns.
    }
    await client.end().catch(() => undefined);
    return false;
  }

  async release(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}

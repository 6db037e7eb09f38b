import type { PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { Database } from '../db/openDatabase.ts';
import type { JobRunner } from '../domain/ai/ports.ts';
import type { HealthSource, SshGateway } from '../domain/ssh/ports.ts';
import type { PlazaMetrics } from './PlazaMetrics.ts';

/** The SSH gateway, counting every command (by how it ended) and transfer (ok or error). */
export function meteredGateway(gateway: SshGateway, metrics: PlazaMetrics): SshGateway {
  return {
    targets: () => gateway.targets(),
    transfers: () => gateway.transfers(),
    async exec(request) {
      try {
        const result = await gateway.exec(request);
        metrics.sshCommands.inc({ server: request.server, result: result.reason });
        return result;
      } catch (err) {
        metrics.sshCommands.inc({ server: request.server, result: 'error' });
        throw err;
      }
    },
    async transfer(request) {
      try {
        const result = await gateway.transfer(request);
        metrics.sshTransfers.inc({ transfer: request.transfer.name, result: 'ok' });
        return result;
      } catch (err) {
        metrics.sshTransfers.inc({ transfer: request.transfer.name, result: 'error' });
        throw err;
      }
    },
  };
}

/** The AI job runner, timing every run by model and outcome. */
export function meteredRunner(runner: JobRunner, metrics: PlazaMetrics): JobRunner {
  return {
    get capacity() {
      return runner.capacity;
    },
    async run(task, options) {
      const stop = metrics.aiRunSeconds.startTimer({ model: task.model });
      try {
        const outcome = await runner.run(task, options);
        stop({ result: outcome.ok ? 'succeeded' : 'failed' });
        return outcome;
      } catch (err) {
        stop({ result: options.signal.aborted ? 'cancelled' : 'crashed' });
        throw err;
      }
    },
    close: () => runner.close(),
  };
}

/**
 * Gauges read at scrape time from where the facts live: the PostgreSQL pool, the AI job queue, the
 * outbox, the SSH health checks. A reading that needs the database is skipped while it is away.
 */
export function registerStateGauges(metrics: PlazaMetrics, orm: Database, health: HealthSource): void {
  if (orm.config.get('driver')?.name === 'PostgreSqlDriver') {
    const connection = orm.em.getConnection() as unknown as PostgreSqlConnection;
    metrics.gauge(
      'plaza_db_pool_connections',
      'PostgreSQL pool connections of this process, by state (in_use, idle, waiting requests)',
      async () => {
        const pool = await connection.getNativeClient();
        return { in_use: pool.totalCount - pool.idleCount, idle: pool.idleCount, waiting: pool.waitingCount };
      },
      'state',
    );
  }
  metrics.gauge(
    'plaza_ai_jobs',
    'AI jobs in the database by status (queued is the queue depth)',
    async () => {
      const rows: { status: string; n: string | number }[] = await orm.em
        .fork()
        .getConnection()
        .execute('select status, count(*) as n from ai_jobs group by status');
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
    'status',
  );
  metrics.gauge('plaza_outbox_pending', 'E-mail recorded but not yet delivered', async () => {
    const [row] = await orm.em
      .fork()
      .getConnection()
      .execute<{ n: string | number }[]>('select count(*) as n from outbox_emails where sent_at is null');
    return { value: Number(row?.n ?? 0) };
  });
  metrics.gauge(
    'plaza_ssh_target_up',
    'SSH targets by health (1 healthy, 0 unhealthy), from the periodic checks',
    () => Object.fromEntries(Object.entries(health.snapshot()).map(([name, h]) => [name, h.is_healthy ? 1 : 0])),
    'server',
  );
}

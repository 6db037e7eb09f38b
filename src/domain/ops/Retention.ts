import type { EntityManager } from '@mikro-orm/sql';

/** Days each kind of stored record is kept; 0 keeps it forever. */
export interface RetentionPolicy {
  aiResultDays: number;
  sshAuditDays: number;
  outboxDays: number;
  tokenDays: number;
}

/** Rows each pass removed (or, for AI jobs, emptied), by kind. */
export type RetentionReport = Record<'ai_results' | 'ssh_audit' | 'outbox' | 'refresh_tokens' | 'reset_tokens', number>;

const DAY_MS = 86_400_000;

/**
 * Deletes what has outlived its use: datasets and results of finished AI jobs (the job row stays, for
 * its owner's history and the audit), SSH audit entries, records of delivered mail (undelivered mail
 * is never touched) and expired tokens.
 */
export class Retention {
  constructor(
    private readonly em: EntityManager,
    private readonly policy: RetentionPolicy,
  ) {}

  async apply(now = new Date()): Promise<RetentionReport> {
    const conn = this.em.fork().getConnection();
    const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const run = async (days: number, sql: string): Promise<number> => {
      if (days <= 0) return 0;
      const result = await conn.execute(sql, [cutoff(days)], 'run');
      return Number((result as { affectedRows?: number }).affectedRows ?? 0);
    };
    const p = this.policy;
    return {
      ai_results: await run(
        p.aiResultDays,
        `update ai_jobs set dataset = null, result = null
          where finished_at < ? and (dataset is not null or result is not null)`,
      ),
      ssh_audit: await run(p.sshAuditDays, `delete from admin_audit_log where action like 'ssh.%' and created_at < ?`),
      outbox: await run(p.outboxDays, 'delete from outbox_emails where sent_at is not null and sent_at < ?'),
      refresh_tokens: await run(p.tokenDays, 'delete from refresh_tokens where expires_at < ?'),
      reset_tokens: await run(p.tokenDays, 'delete from password_reset_tokens where expires_at < ?'),
    };
  }
}

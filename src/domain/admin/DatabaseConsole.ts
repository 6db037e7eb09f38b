import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import type { Actor, AuditLog } from './AuditLog.ts';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
}

/** Statements a read-only console may start with. */
const READ_STATEMENT = /^\s*(select|with|table|values)\b/i;
/**
 * Server-side functions that reach outside the database (files, programs, other servers) or stall it;
 * refused even inside a read-only transaction, which does not stop them.
 */
const OUTSIDE_REACH = /\b(pg_read_file|pg_read_binary_file|pg_ls_\w+|pg_stat_file|lo_import|lo_export|lo_\w+|dblink\w*|copy|pg_sleep\w*|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|set_config|pg_advisory\w*|txid_\w+|pg_logical\w*|pg_replication\w*)\b/i;

/**
 * The admin database console (Adcluster's DB web GUI, done safely): list tables and run one read-only
 * statement at a time, inside a READ ONLY transaction with a statement timeout and a row cap. Every
 * query is written to the admin audit log.
 */
export class DatabaseConsole {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditLog,
    private readonly options: { enabled: boolean; maxRows: number; timeoutMs: number; postgres: boolean },
  ) {}

  private assertEnabled(): void {
    if (!this.options.enabled) throw new AppError('DB_CONSOLE_DISABLED');
  }

  async tables(): Promise<{ name: string; columns: { name: string; type: string; nullable: boolean }[] }[]> {
    this.assertEnabled();
    const rows = await this.em.getConnection().execute<{ table_name: string; column_name: string; data_type: string; is_nullable: string }[]>(
      `select table_name, column_name, data_type, is_nullable from information_schema.columns
       where table_schema = current_schema() order by table_name, ordinal_position`,
    );
    const tables = new Map<string, { name: string; type: string; nullable: boolean }[]>();
    for (const r of rows) {
      tables.set(r.table_name, [...(tables.get(r.table_name) ?? []), { name: r.column_name, type: r.data_type, nullable: r.is_nullable === 'YES' }]);
    }
    return [...tables].map(([name, columns]) => ({ name, columns }));
  }

  async query(actor: Actor, sql: string): Promise<QueryResult> {
    this.assertEnabled();
    const statement = singleReadStatement(sql);
    const em = this.em.fork();
    this.audit.record(em, actor, { action: 'db.query', targetType: 'database', targetId: 'main', detail: { sql: statement.slice(0, 2000) } });
    await em.flush();
    try {
      const rows = await em.transactional(
        async (tx) => {
          const connection = tx.getConnection();
          const ctx = tx.getTransactionContext();
          await connection.execute('set transaction read only', [], 'run', ctx);
          if (this.options.postgres) await connection.execute(`set local statement_timeout = ${Math.floor(this.options.timeoutMs)}`, [], 'run', ctx);
          return connection.execute<Record<string, unknown>[]>(
            `select * from (${statement}) as console_result limit ${this.options.maxRows + 1}`,
            [],
            'all',
            ctx,
          );
        },
        { readOnly: true },
      );
      const truncated = rows.length > this.options.maxRows;
      const kept = truncated ? rows.slice(0, this.options.maxRows) : rows;
      const columns = kept.length > 0 ? Object.keys(kept[0]) : [];
      return { columns, rows: kept.map((row) => columns.map((c) => jsonSafe(row[c]))), row_count: kept.length, truncated };
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new AppError('DB_QUERY_FAILED', { detail: { reason: (err as Error).message.split('\n')[0] } });
    }
  }
}

/** One read statement, trailing semicolon allowed; anything else is refused before it reaches the database. */
function singleReadStatement(sql: string): string {
  const statement = sql.trim().replace(/;\s*$/, '');
  const refuse = (reason: string) => {
    throw new AppError('DB_QUERY_REFUSED', { detail: { reason } });
  };
  if (statement.includes(';')) refuse('one statement at a time');
  if (/--|\/\*/.test(statement)) refuse('comments are not accepted');
  if (!READ_STATEMENT.test(statement)) refuse('only SELECT, WITH, TABLE and VALUES statements');
  const reach = OUTSIDE_REACH.exec(statement);
  if (reach) refuse(`${reach[1]} is not available in the console`);
  return statement;
}

function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return value;
}

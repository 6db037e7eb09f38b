import type { EntityManager } from '@mikro-orm/sql';
import { AppError, toAppError } from '../../errors/index.ts';
import { databaseReason, sqlState } from '../../errors/databaseErrors.ts';
import type { Actor, AuditLog } from './AuditLog.ts';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
  row_count: number;
  truncated: boolean;
}

export interface ConsoleTable {
  name: string;
  columns: { name: string; type: string; nullable: boolean }[];
  /** The primary key's columns, in key order (empty: none). */
  primary_key: string[];
  /** References to other tables the console may read. */
  foreign_keys: { name: string; columns: string[]; references: { table: string; columns: string[] } }[];
  /** Indexes over readable columns (an expression index lists no columns; its definition says what it covers). */
  indexes: { name: string; columns: string[]; unique: boolean; primary: boolean; definition: string }[];
}

/**
 * The database as the console sees it: through a least-privilege role that reads the application
 * columns it is granted and nothing else (src/db/consoleRole.ts).
 */
export interface ConsoleDatabase {
  /** The tables and columns the console may read. */
  tables(): Promise<ConsoleTable[]>;
  /** Runs one read statement as the console role; each row is an object in column order, at most `maxRows + 1` rows. */
  run(statement: string, limits: { maxRows: number; timeoutMs: number }): Promise<Record<string, unknown>[]>;
}

/** Statements a read-only console may start with. */
const READ_STATEMENT = /^\s*(select|with|table|values)\b/i;

/**
 * The admin database console: list tables and run one read-only
 * statement at a time with a statement timeout and a row cap. What a statement can reach is decided
 * by the database role it runs as, not by inspecting its text (SQL can build SQL). Every query is
 * written to the admin audit log.
 */
export class DatabaseConsole {
  constructor(
    private readonly em: EntityManager,
    private readonly db: ConsoleDatabase,
    private readonly audit: AuditLog,
    private readonly options: { enabled: boolean; maxRows: number; timeoutMs: number },
  ) {}

  private assertEnabled(): void {
    if (!this.options.enabled) throw new AppError('DB_CONSOLE_DISABLED');
  }

  async tables(): Promise<ConsoleTable[]> {
    this.assertEnabled();
    return this.db.tables();
  }

  async query(actor: Actor, sql: string): Promise<QueryResult> {
    this.assertEnabled();
    const statement = singleReadStatement(sql);
    await this.recordQuery(actor, { action: 'db.query', targetType: 'database', targetId: 'main' }, statement);
    return this.run(statement);
  }

  /**
   * The newest rows of one readable table (by primary key), its readable columns only: what the table holds
   * at a glance, run as the console role like any query, and audited.
   */
  async sample(actor: Actor, tableName: string, limit: number): Promise<QueryResult> {
    this.assertEnabled();
    const table = (await this.db.tables()).find((t) => t.name === tableName);
    if (!table) throw new AppError('DB_TABLE_NOT_FOUND', { detail: { table: tableName } });
    const columns = table.columns.map((c) => quoteIdentifier(c.name)).join(', ');
    const order = table.primary_key.length
      ? ` order by ${table.primary_key.map((c) => `${quoteIdentifier(c)} desc`).join(', ')}`
      : '';
    const rows = Math.min(limit, this.options.maxRows);
    const statement = `select ${columns} from ${quoteIdentifier(table.name)}${order} limit ${rows}`;
    await this.recordQuery(actor, { action: 'db.sample', targetType: 'table', targetId: table.name }, statement);
    const result = await this.run(statement);
    // An empty table still has columns: the explorer shows their names over no rows.
    return result.columns.length ? result : { ...result, columns: table.columns.map((c) => c.name) };
  }

  private async recordQuery(
    actor: Actor,
    target: { action: string; targetType: string; targetId: string },
    statement: string,
  ): Promise<void> {
    const em = this.em.fork();
    this.audit.record(em, actor, { ...target, detail: { sql: statement.slice(0, 2000) } });
    await em.flush();
  }

  private async run(statement: string): Promise<QueryResult> {
    let rows: Record<string, unknown>[];
    try {
      rows = await this.db.run(statement, { maxRows: this.options.maxRows, timeoutMs: this.options.timeoutMs });
    } catch (err) {
      throw consoleError(err);
    }
    const truncated = rows.length > this.options.maxRows;
    const kept = truncated ? rows.slice(0, this.options.maxRows) : rows;
    const columns = kept.length > 0 ? Object.keys(kept[0]) : [];
    return { columns, rows: kept.map((row) => columns.map((c) => row[c] ?? null)), row_count: kept.length, truncated };
  }
}

/**
 * A console failure in the catalogue's terms: refused by the role (403), by the read-only transaction
 * (422), slower than the console's timeout or otherwise rejected (400), or the database away (503).
 */
function consoleError(err: unknown): AppError {
  const state = sqlState(err);
  const reason = databaseReason(err);
  // 42501 insufficient privilege (also a role change inside the statement), 2F003 dblink without a password.
  if (state === '42501' || state === '2F003') {
    return new AppError('DB_QUERY_NOT_PERMITTED', {
      detail: { reason, hint: 'Name the columns you need: GET /admin/db/tables lists what the console may read.' },
    });
  }
  if (state === '25006') return new AppError('DB_QUERY_REFUSED', { detail: { reason } });
  if (state === '57014')
    return new AppError('DB_QUERY_FAILED', { detail: { reason: `${reason} (DB_CONSOLE_TIMEOUT_MS)` } });
  const translated = toAppError(err).error;
  if (translated.key === 'SERVICE_UNAVAILABLE') return translated;
  return new AppError('DB_QUERY_FAILED', { detail: { reason } });
}

function quoteIdentifier(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** One read statement, trailing semicolon allowed; anything else is refused before it reaches the database. */
export function singleReadStatement(sql: string): string {
  const statement = sql.trim().replace(/;\s*$/, '');
  const refuse = (reason: string) => {
    throw new AppError('DB_QUERY_REFUSED', { detail: { reason } });
  };
  if (statement.includes(';')) refuse('one statement at a time');
  if (!READ_STATEMENT.test(statement)) refuse('only SELECT, WITH, TABLE and VALUES statements');
  return statement;
}

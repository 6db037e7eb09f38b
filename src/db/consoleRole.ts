import type { EntityManager } from '@mikro-orm/sql';
import type { ConsoleDatabase, ConsoleTable } from '../domain/admin/DatabaseConsole.ts';
import type { Database } from './openDatabase.ts';
import { embeddedDatabaseOf } from './EmbeddedDatabase.ts';

/**
 * The database role console statements run as. It exists on its own (NOLOGIN, no memberships, nothing
 * granted outside a console transaction), so whatever SQL a statement builds, it can read only what
 * that transaction granted: never a file, a program, another server, a credential or another role.
 */
export const CONSOLE_ROLE = 'plaza_console';

/**
 * What the console may read of each application table: everything, nothing, or all but some columns.
 * Credentials stay out of reach: password hashes, token hashes and revoked tokens, and mail bodies
 * (which carry password-reset and e-mail tokens). A table missing here is not readable at all (and a test fails
 * until it is classified); columns of entity properties marked `hidden()` are never readable.
 */
export const CONSOLE_TABLES: Record<string, 'readable' | 'hidden' | { hide: string[] }> = {
  admin_audit_log: 'readable',
  ai_jobs: 'readable',
  ai_model_settings: 'readable',
  ai_trained_models: 'readable',
  board_grants: 'readable',
  boards: 'readable',
  chat_groups: 'readable',
  chat_members: 'readable',
  chat_messages: 'readable',
  comments: 'readable',
  direct_messages: 'readable',
  email_tokens: { hide: ['token_hash'] },
  files: 'readable',
  follows: 'readable',
  import_records: 'readable',
  login_sessions: 'readable',
  mikro_orm_migrations: 'readable',
  notifications: 'readable',
  outbox_emails: { hide: ['body'] },
  password_reset_tokens: 'hidden',
  post_likes: 'readable',
  post_views: 'readable',
  posts: 'readable',
  refresh_tokens: 'hidden',
  saved_queries: 'readable',
  ssh_session_lease: 'readable',
  support_messages: 'readable',
  token_revocations: 'hidden',
  user_blocks: 'readable',
  users: { hide: ['password_hash'] },
};

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/**
 * Creates the console role if it does not exist and checks that it holds nothing of its own. Run at
 * start-up when the console is enabled; idempotent, and safe when several servers start at once.
 * The server's own database user must be able to create roles (CREATEROLE) unless the role exists.
 */
export async function ensureConsoleRole(orm: Database): Promise<void> {
  const connection = orm.em.getConnection();
  const exists = async () =>
    (
      await connection.execute<{ n: number }[]>(`select count(*)::int as n from pg_roles where rolname = ?`, [
        CONSOLE_ROLE,
      ])
    )[0].n > 0;
  if (!(await exists())) {
    try {
      await connection.execute(`create role ${quote(CONSOLE_ROLE)} nologin noinherit`);
    } catch (err) {
      // Another server created it between our check and ours.
      if (!(await exists())) throw err;
    }
  }
  const [role] = await connection.execute<{ unsafe: boolean; memberships: number }[]>(
    `select (rolsuper or rolcreaterole or rolcreatedb or rolbypassrls or rolcanlogin or rolreplication) as unsafe,
            (select count(*)::int from pg_auth_members m where m.member = r.oid) as memberships
       from pg_roles r where rolname = ?`,
    [CONSOLE_ROLE],
  );
  if (role.unsafe || role.memberships > 0) {
    throw new Error(
      `the database role ${CONSOLE_ROLE} has attributes or memberships of its own; it must be NOLOGIN with none (drop it and let Plaza create it)`,
    );
  }
  // The server's user must be able to hand a function to the role (superusers always can).
  await connection.execute(`do $$ begin
    if not pg_has_role(current_user, ${quoteLiteral(CONSOLE_ROLE)}, 'MEMBER') then
      execute format('grant %I to %I', ${quoteLiteral(CONSOLE_ROLE)}, current_user);
    end if;
  end $$`);
  // Grants persisted by anyone else would outlive our transactions: the role holds none.
  await connection.execute(
    `revoke all on all tables in schema ${quote(await currentSchema(orm.em))} from ${quote(CONSOLE_ROLE)}`,
  );
}

function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

async function currentSchema(em: EntityManager): Promise<string> {
  const [row] = await em.getConnection().execute<{ schema: string }[]>('select current_schema() as schema');
  return row.schema;
}

/**
 * Runs a statement inside a SECURITY DEFINER function owned by the console role: there PostgreSQL
 * refuses to change `role` or `session_authorization` (a plain SET ROLE could be undone by the
 * statement itself with set_config). The function exists only inside the transaction (pg_temp) and
 * caps the rows it returns whatever the statement's text does.
 */
const RUN_FUNCTION = `create function pg_temp.plaza_console_run(statement text, max_rows integer) returns setof json
  language plpgsql security definer set search_path from current as $fn$
declare
  result json;
  n integer := 0;
begin
  for result in execute 'select row_to_json(console_result) from (' || chr(10) || statement || chr(10) || ') as console_result' loop
    n := n + 1;
    return next result;
    exit when n > max_rows;
  end loop;
end $fn$`;

/**
 * The console's access to the database, as the console role. Each statement runs in a transaction
 * that grants the role what it may read, switches to READ ONLY and to the role, runs the statement,
 * releases session-level locks the statement may have taken, and always rolls back: the grants, the
 * function and any setting the statement changed disappear with it, so nothing outlives the query
 * and pooled connections come back as they were.
 */
export class RoleConsoleDatabase implements ConsoleDatabase {
  constructor(private readonly orm: Database) {}

  async tables(): Promise<ConsoleTable[]> {
    const em = this.orm.em.fork();
    const readable = await this.readableColumns(em);
    const structure = await tableStructure(em);
    const isReadable = (table: string, columns: string[]) => {
      const known = readable.get(table);
      return known !== undefined && columns.every((c) => known.some((k) => k.name === c));
    };
    return [...readable].map(([name, columns]) => {
      const own = structure.filter((s) => s.table_name === name);
      return {
        name,
        columns,
        primary_key: own.find((s) => s.kind === 'index' && s.primary)?.columns ?? [],
        // What the console cannot read it does not describe either: a key to a hidden table or column is left out.
        foreign_keys: own
          .filter(
            (s) => s.kind === 'foreign_key' && isReadable(name, s.columns) && isReadable(s.ref_table!, s.ref_columns!),
          )
          .map((s) => ({
            name: s.name,
            columns: s.columns,
            references: { table: s.ref_table!, columns: s.ref_columns! },
          })),
        indexes: own
          .filter((s) => s.kind === 'index' && isReadable(name, s.columns))
          .map((s) => ({
            name: s.name,
            columns: s.columns,
            unique: s.unique,
            primary: s.primary,
            definition: s.definition!,
          })),
      };
    });
  }

  async run(statement: string, limits: { maxRows: number; timeoutMs: number }): Promise<Record<string, unknown>[]> {
    const em = this.orm.em.fork();
    // Read before the transaction opens: on PGlite a query outside an open transaction waits for it.
    const grants = await this.grants(em);
    await em.begin();
    const ctx: unknown = em.getTransactionContext();
    const exec = <T = unknown>(sql: string, params: unknown[] = []) =>
      em.getConnection().execute(sql, params, 'all', ctx) as Promise<T>;
    try {
      await exec(`set local statement_timeout = ${Math.floor(limits.timeoutMs)}`);
      for (const grant of grants) await exec(grant);
      await exec(RUN_FUNCTION);
      await exec(`alter function pg_temp.plaza_console_run(text, integer) owner to ${quote(CONSOLE_ROLE)}`);
      await exec('set transaction read only');
      await exec(`set local role ${quote(CONSOLE_ROLE)}`);
      await exec('savepoint console_statement');
      let rows: { row: Record<string, unknown> }[] = [];
      let failure: unknown;
      const watchdog = this.interruptAfter(limits.timeoutMs);
      try {
        rows = await exec('select pg_temp.plaza_console_run(?, ?) as row', [statement, limits.maxRows]);
      } catch (err) {
        if (await watchdog.fired()) throw statementTimeout();
        failure = err;
        await exec('rollback to savepoint console_statement');
      } finally {
        watchdog.disarm();
      }
      await exec('reset role');
      // Session-level advisory locks survive a rollback; the statement may have taken some.
      await exec('select pg_advisory_unlock_all()');
      if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
      return rows.map((r) => (typeof r.row === 'string' ? (JSON.parse(r.row) as Record<string, unknown>) : r.row));
    } finally {
      await em.rollback().catch(() => {});
    }
  }

  /**
   * PGlite enforces no `statement_timeout`: on the embedded database in its own thread, a statement
   * still running at the limit is stopped by interrupting the database (the thread is replaced and the
   * data directory reopened; requests meanwhile answer 503 and may be retried). Elsewhere the database's own timeout, set above, does it.
   */
  private interruptAfter(timeoutMs: number): { fired(): Promise<boolean>; disarm(): void } {
    const embedded = embeddedDatabaseOf(this.orm);
    if (!embedded?.interruptible) return { fired: async () => false, disarm: () => {} };
    let interrupted = false;
    const timer = setTimeout(() => {
      interrupted = true;
      // The answer does not wait for the reopening: until it is done, queries fail as retryable (503).
      embedded.interrupt().catch(() => {});
    }, timeoutMs);
    return {
      fired: async () => interrupted,
      disarm: () => clearTimeout(timer),
    };
  }

  private async grants(em: EntityManager): Promise<string[]> {
    const schema = await currentSchema(em);
    const statements = [`grant usage on schema ${quote(schema)} to ${quote(CONSOLE_ROLE)}`];
    for (const [table, columns] of await this.readableColumns(em)) {
      const list = columns.map((c) => quote(c.name)).join(', ');
      statements.push(`grant select (${list}) on table ${quote(schema)}.${quote(table)} to ${quote(CONSOLE_ROLE)}`);
    }
    return statements;
  }

  /** Tables and columns the console may read: classified readable, minus hidden columns. */
  private async readableColumns(em: EntityManager): Promise<Map<string, ConsoleTable['columns']>> {
    const rows = await em
      .getConnection()
      .execute<{ table_name: string; column_name: string; data_type: string; is_nullable: string }[]>(
        `select table_name, column_name, data_type, is_nullable from information_schema.columns
        where table_schema = current_schema() order by table_name, ordinal_position`,
      );
    const hiddenByEntity = this.hiddenColumns();
    const tables = new Map<string, ConsoleTable['columns']>();
    for (const r of rows) {
      const access = CONSOLE_TABLES[r.table_name];
      if (access === undefined || access === 'hidden') continue;
      if (typeof access === 'object' && access.hide.includes(r.column_name)) continue;
      if (hiddenByEntity.get(r.table_name)?.has(r.column_name)) continue;
      tables.set(r.table_name, [
        ...(tables.get(r.table_name) ?? []),
        { name: r.column_name, type: r.data_type, nullable: r.is_nullable === 'YES' },
      ]);
    }
    return tables;
  }

  /** Columns of entity properties marked `hidden()`: never serialised, never shown. */
  private hiddenColumns(): Map<string, Set<string>> {
    const hidden = new Map<string, Set<string>>();
    for (const meta of this.orm.getMetadata().getAll().values()) {
      for (const prop of Object.values(meta.properties)) {
        if (!prop.hidden) continue;
        const columns = hidden.get(meta.tableName) ?? new Set<string>();
        for (const field of prop.fieldNames ?? []) columns.add(field);
        hidden.set(meta.tableName, columns);
      }
    }
    return hidden;
  }
}

/** The error PostgreSQL raises when `statement_timeout` ends a statement, for a statement we ended. */
function statementTimeout(): Error {
  return Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
}

interface StructureRow {
  kind: 'index' | 'foreign_key';
  table_name: string;
  name: string;
  columns: string[];
  unique: boolean;
  primary: boolean;
  definition: string | null;
  ref_table: string | null;
  ref_columns: string[] | null;
}

/** Column names of `attnums` (an int2vector or smallint[]) of relation `rel`, in their order, as JSON. */
const columnNames = (attnums: string, rel: string) =>
  `(select coalesce(json_agg(a.attname order by k.ord), '[]') from unnest(${attnums}::smallint[]) with ordinality k(attnum, ord)
     join pg_attribute a on a.attrelid = ${rel} and a.attnum = k.attnum)`;

/** Every index and foreign key of the current schema's tables, read from the catalogue as the server's user. */
async function tableStructure(em: EntityManager): Promise<StructureRow[]> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select 'index' as kind, t.relname as table_name, i.relname as name, ${columnNames('ix.indkey', 't.oid')} as columns,
            ix.indisunique as "unique", ix.indisprimary as "primary", pg_get_indexdef(ix.indexrelid) as definition,
            null as ref_table, null as ref_columns
       from pg_index ix join pg_class t on t.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid
       join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = current_schema()
     union all
     select 'foreign_key', t.relname, c.conname, ${columnNames('c.conkey', 'c.conrelid')},
            false, false, null, r.relname, ${columnNames('c.confkey', 'c.confrelid')}
       from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class r on r.oid = c.confrelid
       join pg_namespace n on n.oid = t.relnamespace
      where c.contype = 'f' and n.nspname = current_schema()
      order by 2, 3`,
  );
  const list = (v: unknown) => (v === null ? null : ((typeof v === 'string' ? JSON.parse(v) : v) as string[]));
  return rows.map((r) => ({
    ...(r as unknown as StructureRow),
    columns: list(r.columns) ?? [],
    ref_columns: list(r.ref_columns),
  }));
}

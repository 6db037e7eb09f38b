import { z } from 'zod';
import type { DatabaseConsole } from '../../domain/admin/DatabaseConsole.ts';
import { resultToCsv } from '../../domain/admin/resultCsv.ts';
import type { Api } from '../route.ts';
import { auditActor } from '../../domain/shared/actors.ts';
import { PageQuery, pageOf } from './schemas.ts';
import { pageOfList } from '../../domain/shared/pagination.ts';

const QueryResultSchema = z
  .object({
    columns: z.array(z.string()),
    rows: z.array(z.array(z.unknown())),
    row_count: z.number().int(),
    truncated: z.boolean(),
  })
  .meta({ id: 'ConsoleQueryResult' });

const ConsoleTableSchema = z
  .object({
    name: z.string(),
    columns: z.array(z.object({ name: z.string(), type: z.string(), nullable: z.boolean() })),
    primary_key: z.array(z.string()),
    foreign_keys: z.array(
      z.object({
        name: z.string(),
        columns: z.array(z.string()),
        references: z.object({ table: z.string(), columns: z.array(z.string()) }),
      }),
    ),
    indexes: z.array(
      z.object({
        name: z.string(),
        columns: z.array(z.string()),
        unique: z.boolean(),
        primary: z.boolean(),
        definition: z.string(),
      }),
    ),
  })
  .meta({ id: 'ConsoleTable' });

/** Admin read-only database console: tables, one query at a time, JSON or CSV. */
export function dbConsoleRoutes(api: Api, dbConsole: DatabaseConsole): void {
  api.route(
    {
      method: 'get',
      path: '/admin/db/tables',
      operationId: 'listDatabaseTables',
      tag: 'admin',
      access: 'admin',
      summary: 'Database console: the tables and columns the console may read',
      query: PageQuery,
      description:
        'Each table with its readable columns, its primary key, its foreign keys to other readable tables and its ' +
        'indexes over readable columns: what the database explorer draws. Columns and tables the console may not ' +
        'read are not listed.',
      response: pageOf(ConsoleTableSchema, 'ConsoleTablePage'),
      errors: ['DB_CONSOLE_DISABLED'],
    },
    async ({ query }) => pageOfList(await dbConsole.tables(), query, (t) => [t.name]),
  );

  api.route(
    {
      method: 'get',
      path: '/admin/db/tables/:name/sample',
      operationId: 'sampleDatabaseTable',
      tag: 'admin',
      access: 'admin',
      summary: 'Database console: the newest rows of one table',
      description:
        'Up to `limit` rows of a table GET /admin/db/tables lists, newest first by primary key, with the columns ' +
        'the console may read. Runs as the console role like any query, and is audited (`db.sample`).',
      params: z.object({ name: z.string().min(1).max(63) }),
      query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }),
      response: QueryResultSchema,
      errors: ['DB_CONSOLE_DISABLED', 'DB_TABLE_NOT_FOUND', 'DB_QUERY_FAILED', 'SERVICE_UNAVAILABLE'],
    },
    ({ principal, params, query }) => dbConsole.sample(auditActor(principal), params.name, query.limit),
  );

  api.route(
    {
      method: 'post',
      path: '/admin/db/query',
      operationId: 'runDatabaseQuery',
      tag: 'admin',
      access: 'admin',
      summary: 'Database console: run one read-only statement',
      description:
        'Runs one SELECT/WITH/TABLE/VALUES statement as the least-privilege database role `plaza_console`, in a READ ONLY transaction ' +
        'that is always rolled back, with a row cap (and a statement timeout on PostgreSQL). The role reads the application columns ' +
        'listed by GET /admin/db/tables and nothing else: credentials, files, programs, large objects, other servers, other roles and ' +
        'server administration are refused (403 13004) whatever SQL the statement builds. `?format=csv` answers text/csv for export. ' +
        'Every query is audited.',
      query: z.object({ format: z.enum(['json', 'csv']).default('json') }),
      body: z.object({ sql: z.string().min(1).max(20_000) }),
      response: QueryResultSchema,
      errors: [
        'DB_CONSOLE_DISABLED',
        'DB_QUERY_REFUSED',
        'DB_QUERY_FAILED',
        'DB_QUERY_NOT_PERMITTED',
        'SERVICE_UNAVAILABLE',
      ],
    },
    async ({ principal, query, body, res }) => {
      const result = await dbConsole.query(auditActor(principal), body.sql);
      if (query.format === 'json') return result;
      res.type('text/csv').attachment('query.csv').send(resultToCsv(result));
    },
  );
}

import { z } from 'zod';
import type { SavedQueries } from '../../domain/admin/SavedQueries.ts';
import { CHART_KINDS } from '../../../entities/SavedQuery.ts';
import { auditActor } from '../../domain/shared/actors.ts';
import type { Api } from '../route.ts';
import { IdParam, PageQuery, pageOf } from './schemas.ts';

const ChartSchema = z
  .object({
    kind: z.enum(CHART_KINDS),
    label_column: z.string().min(1).max(200),
    value_column: z.string().min(1).max(200),
  })
  .meta({ id: 'SavedQueryChart', description: 'The chart the explorer draws of the result' });

const SavedQuerySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    sql: z.string(),
    chart: ChartSchema.nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'SavedQuery' });

const name = z.string().trim().min(1).max(100);
const sql = z.string().min(1).max(20_000);

/** The database explorer's saved queries: each admin's own, by name. */
export function savedQueryRoutes(api: Api, saved: SavedQueries): void {
  const common = { tag: 'admin', access: 'admin' } as const;

  api.route(
    {
      ...common,
      method: 'get',
      path: '/admin/db/saved-queries',
      operationId: 'listSavedQueries',
      summary: 'My saved database queries, by name',
      description: 'The queries the calling admin saved; other admins have their own.',
      query: PageQuery,
      response: pageOf(SavedQuerySchema, 'SavedQueryPage'),
    },
    ({ principal, query }) => saved.list(auditActor(principal), query),
  );

  api.route(
    {
      ...common,
      method: 'post',
      path: '/admin/db/saved-queries',
      operationId: 'createSavedQuery',
      summary: 'Save a database query under a name',
      description:
        'Keeps one statement the console would run (SELECT/WITH/TABLE/VALUES; anything else is 422 13002), with ' +
        'an optional chart. Names are unique per admin. Recorded in the audit log.',
      status: 201,
      body: z.object({ name, sql, chart: ChartSchema.nullable().optional() }),
      response: SavedQuerySchema,
      errors: ['DB_QUERY_REFUSED', 'SAVED_QUERY_NAME_TAKEN'],
    },
    ({ principal, body }) => saved.create(auditActor(principal), body),
  );

  api.route(
    {
      ...common,
      method: 'get',
      path: '/admin/db/saved-queries/:id',
      operationId: 'getSavedQuery',
      summary: 'One of my saved database queries',
      params: IdParam,
      response: SavedQuerySchema,
      errors: ['SAVED_QUERY_NOT_FOUND'],
    },
    ({ principal, params }) => saved.get(auditActor(principal), params.id),
  );

  api.route(
    {
      ...common,
      method: 'patch',
      path: '/admin/db/saved-queries/:id',
      operationId: 'updateSavedQuery',
      summary: 'Rename or change one of my saved database queries',
      description: '`chart: null` removes the chart. Recorded in the audit log.',
      params: IdParam,
      body: z.object({ name: name.optional(), sql: sql.optional(), chart: ChartSchema.nullable().optional() }),
      response: SavedQuerySchema,
      errors: ['SAVED_QUERY_NOT_FOUND', 'DB_QUERY_REFUSED', 'SAVED_QUERY_NAME_TAKEN'],
    },
    ({ principal, params, body }) => saved.update(auditActor(principal), params.id, body),
  );

  api.route(
    {
      ...common,
      method: 'delete',
      path: '/admin/db/saved-queries/:id',
      operationId: 'deleteSavedQuery',
      summary: 'Delete one of my saved database queries',
      description: 'Recorded in the audit log.',
      status: 204,
      params: IdParam,
      errors: ['SAVED_QUERY_NOT_FOUND'],
    },
    async ({ principal, params }) => {
      await saved.delete(auditActor(principal), params.id);
    },
  );
}

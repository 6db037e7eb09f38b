import { z } from 'zod';
import type { Database } from '../../db/openDatabase.ts';
import { databaseAnswers } from '../../db/openDatabase.ts';
import { AppError } from '../../errors/index.ts';
import type { Api } from '../route.ts';
import { PLAZA_VERSION } from '../../version.ts';

/** The welcome document and the liveness and readiness probes. */
export function healthRoutes(api: Api, orm: Database): void {
  api.route(
    {
      method: 'get', path: '/', tag: 'operations', access: 'public', summary: 'Welcome: what this server is and where its docs are',
      response: z.object({ name: z.literal('Plaza'), version: z.string(), docs: z.string(), openapi: z.string(), realtime: z.string() }),
    },
    () => ({ name: 'Plaza' as const, version: PLAZA_VERSION, docs: '/docs', openapi: '/openapi.json', realtime: 'Colyseus 0.18 on this port' }),
  );
  api.route(
    {
      method: 'get', path: '/health', tag: 'operations', access: 'public', summary: 'Liveness: the process answers',
      response: z.object({ status: z.literal('ok'), uptime_s: z.number() }),
    },
    () => ({ status: 'ok' as const, uptime_s: Math.round(process.uptime()) }),
  );
  api.route(
    {
      method: 'get', path: '/ready', tag: 'operations', access: 'public', summary: 'Readiness: the database answers',
      response: z.object({ status: z.literal('ready'), database: z.literal('ok') }),
      errors: ['SERVICE_UNAVAILABLE'],
    },
    async () => {
      if (!(await databaseAnswers(orm))) throw new AppError('SERVICE_UNAVAILABLE', { message: 'Database does not answer' });
      return { status: 'ready' as const, database: 'ok' as const };
    },
  );
}

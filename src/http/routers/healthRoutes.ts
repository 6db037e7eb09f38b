import { z } from 'zod';
import type { Database } from '../../db/openDatabase.ts';
import { databaseAnswers } from '../../db/openDatabase.ts';
import { AppError } from '../../errors/index.ts';
import type { Api } from '../route.ts';

/** Liveness and readiness probes. */
export function healthRoutes(api: Api, orm: Database): void {
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

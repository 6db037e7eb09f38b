import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import type { Database } from '../../db/openDatabase.ts';
import { DatabaseProbe } from '../../db/DatabaseProbe.ts';
import { AppError } from '../../errors/index.ts';
import type { Api } from '../route.ts';
import { PLAZA_VERSION } from '../../version.ts';
import { requestIdOf } from '../middleware/requestLogging.ts';
import { fixedSecurityHeaders, setAll } from '../middleware/securityHeaders.ts';

/** What `/health` answers. */
const liveness = () => ({ status: 'ok' as const, uptime_s: Math.round(process.uptime()) });

/**
 * `GET /health`, answered ahead of the middleware chain: by the shared port's dispatcher for a plain
 * `GET /health` (see sharedPortDispatch.ts), and first in the Express app for every other form of it.
 * Probes come every few seconds from every orchestrator and load balancer and must stay cheap: they get
 * no access log line, no request metrics and no ETag, but the same X-Request-Id and security headers
 * as every response (helmet's, worked out once). The route declared in `healthRoutes` documents it.
 */
export function livenessProbe(): (req: IncomingMessage & { secure?: boolean }, res: ServerResponse) => void {
  const headers = fixedSecurityHeaders();
  return (req, res) => {
    // Express knows whether a trusted proxy saw https; a request the dispatcher answers has no such header.
    const secure = req.secure ?? (req.socket as TLSSocket).encrypted === true;
    const body = JSON.stringify(liveness());
    res.setHeader('X-Request-Id', requestIdOf(req));
    setAll(res, secure ? headers.https : headers.http);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/**
 * The welcome document (at /api, and at / for JSON clients) and the liveness and readiness probes. None of
 * them reads credentials, so a
 * probe sent with a token answers the same, and `/health` never touches the database. `/ready` asks
 * the database and answers 503 once `readyTimeoutMs` passes without an answer.
 */
export function healthRoutes(api: Api, orm: Database, readyTimeoutMs: number): void {
  const probe = new DatabaseProbe(orm, readyTimeoutMs);
  const welcome = () => ({
    name: 'Plaza' as const,
    version: PLAZA_VERSION,
    console: '/',
    docs: '/docs',
    openapi: '/openapi.json',
    realtime: 'Colyseus 0.18 on this port',
  });
  const WelcomeSchema = z.object({
    name: z.literal('Plaza'),
    version: z.string(),
    console: z.string().meta({ description: 'The web console (a browser opening / gets it)' }),
    docs: z.string(),
    openapi: z.string(),
    realtime: z.string(),
  });
  api.route(
    {
      method: 'get',
      path: '/api',
      operationId: 'getServiceInfo',
      tag: 'operations',
      access: 'anonymous',
      summary: 'Welcome: what this server is and where its console and docs are',
      response: WelcomeSchema,
    },
    welcome,
  );
  api.route(
    {
      method: 'get',
      path: '/',
      operationId: 'getRootInfo',
      tag: 'operations',
      access: 'anonymous',
      summary: 'The welcome document of GET /api, for clients that ask for JSON',
      description: 'A browser (asking for HTML first) gets the web console here instead.',
      response: WelcomeSchema,
    },
    welcome,
  );
  api.route(
    {
      method: 'get',
      path: '/health',
      operationId: 'getHealth',
      tag: 'operations',
      access: 'anonymous',
      summary: 'Liveness: the process answers (the database is not consulted)',
      response: z.object({ status: z.literal('ok'), uptime_s: z.number() }),
    },
    liveness,
  );
  api.route(
    {
      method: 'get',
      path: '/ready',
      operationId: 'getReadiness',
      tag: 'operations',
      access: 'anonymous',
      summary: 'Readiness: the database answers',
      description: 'Answers 503 (with Retry-After) when the database fails or stays silent for DB_ACQUIRE_TIMEOUT_MS.',
      response: z.object({ status: z.literal('ready'), database: z.literal('ok') }),
      errors: ['SERVICE_UNAVAILABLE'],
    },
    async () => {
      if (!(await probe.answers()))
        throw new AppError('SERVICE_UNAVAILABLE', { message: 'Database does not answer', detail: { retryable: true } });
      return { status: 'ready' as const, database: 'ok' as const };
    },
  );
}

import express, { type Application, type NextFunction, type Request, type Response } from 'express';
import { monitor } from '@colyseus/monitor';
import { toAppError } from '../../errors/index.ts';
import type { Config } from '../../config.ts';
import type { Services } from '../../services.ts';
import { caller } from './authRoutes.ts';
import { readCookie } from '../cookies.ts';
import type { Api } from '../route.ts';

const COOKIE = 'plaza_monitor';
const BASE = '/admin/monitor';

/** The monitor's cookie: HttpOnly, SameSite=Strict, sent only to the monitor's own path. */
function monitorCookie(token: string, maxAgeSeconds: number, config: Config): string {
  const secure = (config.PUBLIC_URL ?? '').startsWith('https:');
  return `${COOKIE}=${token}; Path=${BASE}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

/**
 * POST /admin/monitor-session: the web console opens the monitor without a second sign-in. The console's
 * access token (in the Authorization header, which a cross-site form or link cannot send) buys the monitor
 * cookie, holding a token of the same login that lives at most MONITOR_TOKEN_TTL; signing out of the console
 * ends it too. It sits outside /admin/monitor so the monitor's own cookie check never sees it.
 */
export function monitorSessionRoutes(api: Api, deps: { services: Services; config: Config }): void {
  const { services, config } = deps;
  api.route(
    {
      method: 'post',
      path: '/admin/monitor-session',
      operationId: 'openMonitorSession',
      tag: 'admin',
      access: 'admin',
      status: 204,
      summary: 'Open the Colyseus monitor for the signed-in admin (sets its cookie)',
      description:
        'Answers with a `plaza_monitor` cookie (HttpOnly, SameSite=Strict, Path=/admin/monitor) holding an access token ' +
        'of the same login, valid at most MONITOR_TOKEN_TTL seconds; then open /admin/monitor/. Ends with the login.',
    },
    async ({ principal, res }) => {
      const session = await services.auth.monitorTokenFor(principal, config.MONITOR_TOKEN_TTL);
      res.setHeader('Set-Cookie', monitorCookie(session.access_token, session.expires_in, config));
      res.status(204).end();
    },
  );
}

/**
 * @colyseus/monitor at /admin/monitor, for admins only: it can read all state and call room methods.
 * Admins sign in with their Plaza credentials on a small form (the same checks and throttle as
 * POST /auth/login); the answer is an HttpOnly, SameSite=Strict cookie holding a short-lived access
 * token of its own login, re-checked (role admin, not revoked) on every monitor request.
 */
export function monitorRoutes(app: Application, deps: { services: Services; config: Config }): void {
  const { services, config } = deps;
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  app.get(`${BASE}/login`, (req, res) => {
    res.type('html').send(loginPage(typeof req.query.error === 'string' ? req.query.error : undefined));
  });

  app.post(`${BASE}/login`, form, express.json({ limit: '4kb' }), async (req, res) => {
    const body = req.body as { login?: unknown; password?: unknown } | undefined;
    const credentials = { login: String(body?.login ?? ''), password: String(body?.password ?? '') };
    try {
      const session = await services.auth.signInAdmin(credentials, caller(req), config.MONITOR_TOKEN_TTL);
      res.setHeader('Set-Cookie', monitorCookie(session.access_token, session.expires_in, config));
      res.redirect(303, `${BASE}/`);
    } catch (err) {
      const { error } = toAppError(err);
      res.redirect(303, `${BASE}/login?error=${encodeURIComponent(`[${error.code}] ${error.message}`)}`);
    }
  });

  app.post(`${BASE}/logout`, async (req, res) => {
    // Signing out ends the token's login, not just the cookie that carries it.
    const token = readCookie(req.headers.cookie, COOKIE);
    if (token) await services.auth.endSession(token);
    res.setHeader('Set-Cookie', monitorCookie('', 0, config));
    res.redirect(303, `${BASE}/login`);
  });

  const requireAdmin = async (req: Request, res: Response, next: NextFunction) => {
    try {
      await services.tokens.authenticateRole(readCookie(req.headers.cookie, COOKIE), 'admin');
      next();
    } catch (err) {
      if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html')) {
        res.redirect(303, `${BASE}/login`);
        return;
      }
      next(err);
    }
  };
  app.use(BASE, requireAdmin, monitor() as unknown as express.RequestHandler);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(error?: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Plaza monitor sign-in</title></head>
<body style="font-family:sans-serif;max-width:22rem;margin:4rem auto">
<h1>Plaza monitor</h1><p>Admins only. Sign in with your Plaza account.</p>
${error ? `<p role="alert" style="color:#b00">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${BASE}/login">
<p><label>Username or e-mail<br><input name="login" autocomplete="username" required></label></p>
<p><label>Password<br><input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button type="submit">Sign in</button></p></form></body></html>`;
}

import express, { type Application, type NextFunction, type Request, type Response } from 'express';
import { monitor } from '@colyseus/monitor';
import { toAppError } from '../../errors/index.ts';
import type { Config } from '../../config.ts';
import type { Services } from '../../services.ts';
import { caller } from './authRoutes.ts';
import { readCookie } from '../cookies.ts';

const COOKIE = 'plaza_monitor';
const BASE = '/admin/monitor';

/**
 * @colyseus/monitor at /admin/monitor, for admins only: it can read all state and call room methods.
 * Admins sign in with their Plaza credentials on a small form (the same checks and throttle as
 * POST /auth/login); the answer is an HttpOnly, SameSite=Strict cookie holding a short-lived access
 * token of its own login, re-checked (role admin, not revoked) on every monitor request.
 */
export function monitorRoutes(app: Application, deps: { services: Services; config: Config }): void {
  const { services, config } = deps;
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const secure = (config.PUBLIC_URL ?? '').startsWith('https:');

  app.get(`${BASE}/login`, (req, res) => {
    res.type('html').send(loginPage(typeof req.query.error === 'string' ? req.query.error : undefined));
  });

  app.post(`${BASE}/login`, form, express.json({ limit: '4kb' }), async (req, res) => {
    const body = req.body as { login?: unknown; password?: unknown } | undefined;
    const credentials = { login: String(body?.login ?? ''), password: String(body?.password ?? '') };
    try {
      const session = await services.auth.signInAdmin(credentials, caller(req), config.MONITOR_TOKEN_TTL);
      res.setHeader(
        'Set-Cookie',
        `${COOKIE}=${session.access_token}; Path=${BASE}; HttpOnly; SameSite=Strict; Max-Age=${session.expires_in}${secure ? '; Secure' : ''}`,
      );
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
    res.setHeader('Set-Cookie', `${COOKIE}=; Path=${BASE}; HttpOnly; SameSite=Strict; Max-Age=0`);
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

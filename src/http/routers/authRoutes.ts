import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AuthService, Caller, TokenPair } from '../../domain/auth/AuthService.ts';
import { PASSWORD_MAX_LENGTH } from '../../domain/auth/passwords.ts';
import type { Api } from '../route.ts';
import { REFRESH_COOKIE, clearRefreshCookie, readCookie, setRefreshCookie, wantsRefreshCookie } from '../cookies.ts';
import { AppError } from '../../errors/index.ts';
import { PublicUserSchema } from './schemas.ts';

export const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,32}$/, '3-32 letters, digits, dots, dashes or underscores')
  .meta({ description: 'Case-insensitive; stored lower-case', example: 'alice' });
export const Email = z.email().max(254).meta({ example: 'alice@example.com' });
export const Password = z
  .string()
  .max(PASSWORD_MAX_LENGTH)
  .meta({ description: 'At least 8 characters, not the username', example: 'correct horse battery' });

const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string().optional().meta({
      description:
        'Absent when the request asked for it as a cookie (header `X-Plaza-Refresh: cookie`, the web console)',
    }),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().meta({ description: 'Access token lifetime in seconds' }),
  })
  .meta({ id: 'TokenPair' });

/** Header that asks for the browser variant of the token pair (see cookies.ts). */
const RefreshCookieHeader = z.object({
  'x-plaza-refresh': z
    .literal('cookie')
    .optional()
    .meta({ description: 'Browser clients: the refresh token travels as an HttpOnly cookie, not in the body' }),
});

export function authRoutes(api: Api, auth: AuthService, options: { refreshTtlSeconds: number }): void {
  /** The pair as JSON, or (browser clients) the refresh token moved into its cookie. */
  const answerPair = (req: Request, res: Response, pair: TokenPair) => {
    if (!wantsRefreshCookie(req)) return pair;
    setRefreshCookie(req, res, pair.refresh_token, options.refreshTtlSeconds);
    const { refresh_token: _kept, ...rest } = pair;
    return rest;
  };

  api.route(
    {
      method: 'post',
      path: '/auth/register',
      operationId: 'registerAccount',
      tag: 'auth',
      access: 'public',
      status: 201,
      summary: 'Create an account',
      body: z.object({
        username: Username,
        email: Email,
        password: Password,
        nickname: z.string().trim().min(1).max(64).optional(),
      }),
      response: PublicUserSchema,
      errors: ['USERNAME_TAKEN', 'EMAIL_TAKEN', 'WEAK_PASSWORD', 'RATE_LIMITED'],
    },
    ({ body, req }) => auth.register(body, caller(req)),
  );

  api.route(
    {
      method: 'post',
      path: '/auth/login',
      operationId: 'logIn',
      tag: 'auth',
      access: 'public',
      summary: 'Sign in with username or e-mail',
      description:
        'Failed sign-ins are throttled per (account, client address), per address, and per account across all ' +
        'addresses with a higher ceiling: see the lockout policy in the README.',
      body: z.object({
        login: z.string().trim().min(1).max(254).meta({ description: 'Username or e-mail' }),
        password: Password,
      }),
      headers: RefreshCookieHeader,
      response: TokenPairSchema,
      errors: ['INVALID_CREDENTIALS', 'ACCOUNT_BANNED', 'RATE_LIMITED'],
    },
    async ({ body, req, res }) => answerPair(req, res, await auth.login(body, caller(req))),
  );

  api.route(
    {
      method: 'post',
      path: '/auth/refresh',
      operationId: 'refreshTokens',
      tag: 'auth',
      access: 'public',
      summary: 'Trade a refresh token for a new pair',
      description:
        'The presented refresh token is spent. Presenting a spent token again revokes that whole login, ' +
        'its access tokens included. Failed refreshes are throttled per client address.',
      body: z.object({
        refresh_token: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .meta({ description: 'Required unless sent as the cookie (with `X-Plaza-Refresh: cookie`)' }),
      }),
      headers: RefreshCookieHeader,
      response: TokenPairSchema,
      errors: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_BANNED', 'RATE_LIMITED'],
    },
    async ({ body, req, res }) => {
      // The cookie counts only with the header: a cross-site form can send the cookie but never the header.
      const token =
        body.refresh_token ?? (wantsRefreshCookie(req) ? readCookie(req.headers.cookie, REFRESH_COOKIE) : undefined);
      if (!token) throw new AppError('REFRESH_TOKEN_INVALID');
      try {
        return answerPair(req, res, await auth.refresh(token, caller(req)));
      } catch (error) {
        if (wantsRefreshCookie(req)) clearRefreshCookie(req, res);
        throw error;
      }
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/logout',
      operationId: 'logOut',
      tag: 'auth',
      access: 'user',
      status: 204,
      summary: 'End this login',
      description:
        'Ends this login everywhere at once: its refresh tokens and every access token issued in it (REST and rooms).',
    },
    async ({ principal, req, res }) => {
      await auth.logout(principal);
      if (wantsRefreshCookie(req)) clearRefreshCookie(req, res);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/password/forgot',
      operationId: 'requestPasswordReset',
      tag: 'auth',
      access: 'public',
      status: 202,
      summary: 'Mail a password reset token',
      description:
        'Always answers 202 at once, whether or not the address belongs to an account: the mail is prepared ' +
        'after the answer. Without SMTP the server operator reads it with `npm run cli -- outbox`.',
      body: z.object({ email: Email }),
      errors: ['RATE_LIMITED'],
    },
    ({ body, req }) => auth.forgotPassword(body.email, caller(req)),
  );

  api.route(
    {
      method: 'post',
      path: '/auth/password/reset',
      operationId: 'resetPassword',
      tag: 'auth',
      access: 'public',
      status: 204,
      summary: 'Set a new password with a reset token',
      description:
        'The token works once. Every session of the user is revoked. Failed resets are throttled per client address.',
      body: z.object({ token: z.string().min(1).max(200), password: Password }),
      errors: ['RESET_TOKEN_INVALID', 'WEAK_PASSWORD', 'RATE_LIMITED'],
    },
    ({ body, req }) => auth.resetPassword(body, caller(req)),
  );
}

/** The client's address (behind a reverse proxy: from X-Forwarded-For when TRUST_PROXY is set). */
export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Who asks: the address the auth throttle counts, and what the device list shows. */
export function caller(req: Request): Caller {
  return { address: clientIp(req), userAgent: req.get('user-agent') };
}

import type { Request } from 'express';
import { z } from 'zod';
import type { AuthService } from '../../domain/auth/AuthService.ts';
import type { AuthRateLimiter } from '../../domain/auth/RateLimiter.ts';
import { PASSWORD_MAX_LENGTH } from '../../domain/auth/passwords.ts';
import type { Api } from '../route.ts';
import { PublicUserSchema } from './schemas.ts';

const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,32}$/, '3-32 letters, digits, dots, dashes or underscores')
  .meta({ description: 'Case-insensitive; stored lower-case', example: 'alice' });
const Email = z.email().max(254).meta({ example: 'alice@example.com' });
const Password = z.string().max(PASSWORD_MAX_LENGTH).meta({ description: 'At least 8 characters, not the username', example: 'correct horse battery' });

const TokenPairSchema = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().meta({ description: 'Access token lifetime in seconds' }),
  })
  .meta({ id: 'TokenPair' });

export function authRoutes(api: Api, auth: AuthService, limiter: AuthRateLimiter): void {
  api.route(
    {
      method: 'post', path: '/auth/register', tag: 'auth', access: 'public', status: 201,
      summary: 'Create an account',
      body: z.object({ username: Username, email: Email, password: Password, nickname: z.string().trim().min(1).max(64).optional() }),
      response: PublicUserSchema,
      errors: ['USERNAME_TAKEN', 'EMAIL_TAKEN', 'WEAK_PASSWORD', 'RATE_LIMITED'],
    },
    async ({ body, req }) => {
      await limiter.consume('register', clientIp(req), body.email);
      return auth.register(body);
    },
  );

  api.route(
    {
      method: 'post', path: '/auth/login', tag: 'auth', access: 'public',
      summary: 'Sign in with username or e-mail',
      body: z.object({ login: z.string().trim().min(1).max(254).meta({ description: 'Username or e-mail' }), password: Password }),
      response: TokenPairSchema,
      errors: ['INVALID_CREDENTIALS', 'ACCOUNT_BANNED', 'RATE_LIMITED'],
    },
    async ({ body, req }) => {
      await limiter.consume('login', clientIp(req), body.login);
      const pair = await auth.login(body);
      await limiter.reset('login', body.login);
      return pair;
    },
  );

  api.route(
    {
      method: 'post', path: '/auth/refresh', tag: 'auth', access: 'public',
      summary: 'Trade a refresh token for a new pair',
      description: 'The presented refresh token is spent. Presenting a spent token again revokes that whole login.',
      body: z.object({ refresh_token: z.string().min(1).max(200) }),
      response: TokenPairSchema,
      errors: ['REFRESH_TOKEN_INVALID', 'REFRESH_TOKEN_REUSED', 'ACCOUNT_BANNED'],
    },
    ({ body }) => auth.refresh(body.refresh_token),
  );

  api.route(
    {
      method: 'post', path: '/auth/logout', tag: 'auth', access: 'user', status: 204,
      summary: 'End this login',
      description: 'Revokes the refresh tokens of this login and blacklists the presented access token until it expires.',
    },
    ({ principal }) => auth.logout(principal),
  );

  api.route(
    {
      method: 'post', path: '/auth/password/forgot', tag: 'auth', access: 'public', status: 202,
      summary: 'Mail a password reset token',
      description: 'Always answers 202, whether or not the address belongs to an account.',
      body: z.object({ email: Email }),
      errors: ['RATE_LIMITED'],
    },
    async ({ body, req }) => {
      await limiter.consume('forgot', clientIp(req), body.email);
      await auth.forgotPassword(body.email);
    },
  );

  api.route(
    {
      method: 'post', path: '/auth/password/reset', tag: 'auth', access: 'public', status: 204,
      summary: 'Set a new password with a reset token',
      description: 'The token works once. Every session of the user is revoked.',
      body: z.object({ token: z.string().min(1).max(200), password: Password }),
      errors: ['RESET_TOKEN_INVALID', 'WEAK_PASSWORD'],
    },
    ({ body }) => auth.resetPassword(body),
  );
}

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

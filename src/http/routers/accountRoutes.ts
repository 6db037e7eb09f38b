import { z } from 'zod';
import type { EmailVerification } from '../../domain/auth/EmailVerification.ts';
import type { LoginSessions } from '../../domain/auth/LoginSessions.ts';
import type { AccountDeletion } from '../../domain/users/AccountDeletion.ts';
import type { AccountExport } from '../../domain/users/AccountExport.ts';
import { PASSWORD_MAX_LENGTH } from '../../domain/auth/passwords.ts';
import type { Api } from '../route.ts';
import { Email, caller } from './authRoutes.ts';
import { pageOf } from './schemas.ts';

export interface AccountServices {
  loginSessions: LoginSessions;
  emails: EmailVerification;
  accountDeletion: AccountDeletion;
  accountExport: AccountExport;
}

const CurrentPassword = z.string().min(1).max(PASSWORD_MAX_LENGTH).meta({ description: 'My current password' });

const LoginSessionSchema = z
  .object({
    id: z.uuid().meta({ description: 'The login (refresh family) id' }),
    current: z.boolean().meta({ description: 'True for the login making this request' }),
    address: z.string().meta({ description: 'Client address of the latest sign-in or refresh' }),
    user_agent: z.string().nullable(),
    created_at: z.string(),
    last_used_at: z.string().meta({ description: 'Latest sign-in or refresh' }),
  })
  .meta({ id: 'LoginSession' });

/** My account: devices, e-mail address, deletion and export; confirming mailed e-mail tokens. */
export function accountRoutes(api: Api, services: AccountServices): void {
  const { loginSessions, emails, accountDeletion, accountExport } = services;

  api.route(
    {
      method: 'get',
      path: '/users/me/sessions',
      operationId: 'listMySessions',
      tag: 'users',
      access: 'user',
      summary: 'My signed-in devices',
      description:
        'Each login (a refresh-token family) that can still refresh: when it began, when it was last used, ' +
        'from which address and user agent. All of them come in one page (`next_cursor` is always null).',
      response: pageOf(LoginSessionSchema, 'LoginSessionPage'),
    },
    ({ principal }) => loginSessions.list(principal),
  );

  api.route(
    {
      method: 'delete',
      path: '/users/me/sessions/:id',
      operationId: 'endMySession',
      tag: 'users',
      access: 'user',
      status: 204,
      summary: 'Sign one of my devices out',
      description:
        'Ends that login at once: its refresh token and every access token issued in it stop working on ' +
        'REST and in rooms (its live connections close).',
      params: z.object({ id: z.uuid() }),
      errors: ['SESSION_NOT_FOUND'],
    },
    ({ principal, params }) => loginSessions.end(principal, params.id),
  );

  api.route(
    {
      method: 'post',
      path: '/users/me/sessions/end-others',
      operationId: 'endMyOtherSessions',
      tag: 'users',
      access: 'user',
      summary: 'Sign out every device but this one',
      response: z.object({ ended: z.number().int() }).meta({ id: 'EndedSessions' }),
    },
    ({ principal }) => loginSessions.endOthers(principal),
  );

  api.route(
    {
      method: 'post',
      path: '/users/me/email',
      operationId: 'changeMyEmail',
      tag: 'users',
      access: 'user',
      status: 202,
      summary: 'Move my account to another e-mail address',
      description:
        'Needs my password. The new address gets a token; the account moves when it is confirmed with ' +
        'POST /auth/email/verify. The current address is told of the request at once.',
      body: z.object({ email: Email, password: CurrentPassword }),
      errors: ['WRONG_PASSWORD', 'EMAIL_TAKEN'],
    },
    ({ principal, body }) => emails.requestChange(principal, body),
  );

  api.route(
    {
      method: 'post',
      path: '/users/me/delete',
      operationId: 'deleteMyAccount',
      tag: 'users',
      access: 'user',
      status: 204,
      summary: 'Delete my account',
      description:
        'Needs my password. Every session ends at once. My posts, comments and messages stay, attributed to a ' +
        '"Deleted user" placeholder; my e-mail, profile, avatar, standalone files, follows, blocks, group ' +
        'memberships and notifications are removed. The username is held for DELETED_USERNAME_HOLD seconds, ' +
        'then anyone may register it. See "Deleting an account" in the README.',
      body: z.object({ password: CurrentPassword }),
      errors: ['WRONG_PASSWORD'],
    },
    ({ principal, body }) => accountDeletion.delete(principal, body.password),
  );

  api.route(
    {
      method: 'get',
      path: '/users/me/export',
      operationId: 'exportMyData',
      tag: 'users',
      access: 'user',
      summary: 'Download my data',
      description:
        'One JSON document, sent as an attachment: my profile, posts, comments, chat messages (mine, and room ' +
        'DMs to me), direct messages either way, and the list of my files (each downloadable at its `url`).',
      response: z.record(z.string(), z.unknown()).meta({ id: 'AccountExport' }),
    },
    async ({ principal, res }) => {
      const data = await accountExport.export(principal.userId);
      res.attachment(`plaza-export-${principal.username}-${data.exported_at.slice(0, 10)}.json`);
      return data;
    },
  );

  api.route(
    {
      method: 'post',
      path: '/auth/email/verify',
      operationId: 'confirmEmail',
      tag: 'auth',
      access: 'public',
      status: 204,
      summary: 'Confirm an e-mail address with a mailed token',
      description:
        'A sign-up token verifies the account’s address; an e-mail change token moves the account to the new ' +
        'address (verified). Tokens work once. Failed attempts are throttled per client address.',
      body: z.object({ token: z.string().min(1).max(200) }),
      errors: ['EMAIL_TOKEN_INVALID', 'EMAIL_TAKEN', 'RATE_LIMITED'],
    },
    ({ body, req }) => emails.confirm(body.token, caller(req)),
  );

  api.route(
    {
      method: 'post',
      path: '/auth/email/verify/resend',
      operationId: 'resendEmailVerification',
      tag: 'auth',
      access: 'public',
      status: 202,
      summary: 'Mail a new verification token',
      description:
        'For an account whose address is not confirmed yet (a sign-in refused with 11010). Always answers 202 ' +
        'at once, whether or not the address has such an account.',
      body: z.object({ email: Email }),
      errors: ['RATE_LIMITED'],
    },
    ({ body, req }) => emails.resend(body.email, caller(req)),
  );
}

import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { AppError } from '../../errors/index.ts';
import { User, type UserRole } from '../../../entities/User.ts';
import { RefreshToken } from '../../../entities/RefreshToken.ts';
import { PasswordResetToken } from '../../../entities/PasswordResetToken.ts';
import type { Mailer } from '../mail/Mailer.ts';
import { randomToken, sha256Hex } from '../shared/secrets.ts';
import { privateUser, publicUser } from '../users/userViews.ts';
import { activeBan, liftEndedBan } from '../users/bans.ts';
import { assertPasswordPolicy, decoyVerify, hashPassword } from './passwords.ts';
import type { Principal, TokenService } from './TokenService.ts';
import type { SessionRevoker } from './SessionRevoker.ts';
import type { AuthThrottle } from './AuthThrottle.ts';
import type { BackgroundTasks } from './BackgroundTasks.ts';
import type { ClientInfo, LoginSessions } from './LoginSessions.ts';
import type { PasswordCheck } from './PasswordCheck.ts';
import type { EmailVerification } from './EmailVerification.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface AuthServiceOptions {
  refreshTtlSeconds: number;
  passwordResetTtlSeconds: number;
  /** Base of the links mails carry (PUBLIC_URL, or the address the server listens on). */
  publicUrl: () => string;
  /** Seconds the username of a deleted account stays reserved. */
  deletedUsernameHoldSeconds: number;
}

/** Who asks: the client's address (throttling, the device list) and user agent (the device list). */
export type Caller = ClientInfo;

export interface AuthServiceDeps {
  tokens: TokenService;
  sessions: SessionRevoker;
  throttle: AuthThrottle;
  mailer: Mailer;
  background: BackgroundTasks;
  logger: Logger;
  passwords: PasswordCheck;
  loginSessions: LoginSessions;
  emails: EmailVerification;
}

/** Registration, login, token rotation, logout and password recovery. */
export class AuthService {
  private readonly tokens: TokenService;
  private readonly sessions: SessionRevoker;
  private readonly throttle: AuthThrottle;

  constructor(
    private readonly em: EntityManager,
    private readonly deps: AuthServiceDeps,
    private readonly options: AuthServiceOptions,
  ) {
    ({ tokens: this.tokens, sessions: this.sessions, throttle: this.throttle } = deps);
  }

  /**
   * Creates an account. Usernames and e-mails are case-insensitive and stored lower-case. A sign-up is
   * mailed a verification token (EMAIL_VERIFICATION); an account an admin creates counts as verified.
   */
  async register(
    input: {
      username: string;
      email: string;
      password: string;
      nickname?: string;
      role?: UserRole;
      emailVerified?: boolean;
    },
    caller?: Caller,
  ) {
    if (caller) await this.throttle.request('register', caller.address);
    const username = input.username.toLowerCase();
    const email = input.email.toLowerCase();
    assertPasswordPolicy(input.password, username);
    await this.assertAvailable(username, email);
    const user = this.em.create(User, {
      username,
      email,
      passwordHash: await hashPassword(input.password),
      nickname: input.nickname ?? input.username,
      role: input.role ?? 'user',
      emailVerifiedAt: input.emailVerified ? new Date() : null,
    });
    try {
      await this.em.flush();
    } catch (err) {
      // A concurrent registration won the race between the check and the insert.
      this.em.clear();
      await this.assertAvailable(username, email);
      throw err;
    }
    if (!input.emailVerified) this.deps.emails.afterRegistration(user.id);
    return publicUser(user);
  }

  /** Same answer for an unknown account and a wrong password, in about the same time; throttled per account and address. */
  async login(input: { login: string; password: string }, caller: Caller): Promise<TokenPair> {
    const user = await this.checkCredentials(input, caller);
    return this.issuePair(user, crypto.randomUUID(), caller);
  }

  /**
   * Signs an admin into the monitor: the login's checks and throttle, then an access token alone (a
   * login of its own with no refresh token, ended by `endSession`) living at most `ttlSeconds`.
   */
  async signInAdmin(
    input: { login: string; password: string },
    caller: Caller,
    ttlSeconds: number,
  ): Promise<{ access_token: string; expires_in: number }> {
    const user = await this.checkCredentials(input, caller);
    if (user.role !== 'admin') throw new AppError('FORBIDDEN', { message: 'The monitor is for admins only' });
    const expiresIn = Math.min(ttlSeconds, this.tokens.accessTtlSeconds);
    return { access_token: this.tokens.issueAccessToken(user, crypto.randomUUID(), expiresIn), expires_in: expiresIn };
  }

  /**
   * The monitor's token for an admin already signed in (the web console): an access token of the caller's own
   * login, so signing out there ends it too, living at most `ttlSeconds`. The role comes from the database,
   * not the presented token.
   */
  async monitorTokenFor(
    principal: Principal,
    ttlSeconds: number,
  ): Promise<{ access_token: string; expires_in: number }> {
    const user = await this.em.findOne(User, { id: principal.userId });
    if (!user) throw new AppError('TOKEN_INVALID');
    await this.assertMaySignIn(user);
    if (user.role !== 'admin') throw new AppError('FORBIDDEN', { message: 'The monitor is for admins only' });
    const expiresIn = Math.min(ttlSeconds, this.tokens.accessTtlSeconds);
    return { access_token: this.tokens.issueAccessToken(user, principal.familyId, expiresIn), expires_in: expiresIn };
  }

  /**
   * Spends a refresh token and issues a new pair in the same family. A token presented a second time
   * means it leaked: the whole family is revoked, its access tokens with it.
   */
  async refresh(refreshToken: string, caller: Caller): Promise<TokenPair> {
    const attempt = await this.throttle.attempt('refresh', caller.address);
    try {
      const row = await this.em.findOne(RefreshToken, { tokenHash: sha256Hex(refreshToken) }, { populate: ['user'] });
      if (!row || row.revokedAt || row.expiresAt <= new Date()) {
        attempt.failed();
        throw new AppError('REFRESH_TOKEN_INVALID');
      }
      // Conditional update: of two concurrent refreshes with one token, exactly one wins.
      const spent = await this.em.nativeUpdate(RefreshToken, { id: row.id, usedAt: null }, { usedAt: new Date() });
      if (spent === 0) {
        attempt.failed();
        await this.sessions.revokeFamily(row.familyId);
        throw new AppError('REFRESH_TOKEN_REUSED');
      }
      await this.assertMaySignIn(row.user);
      return await this.issuePair(row.user, row.familyId, caller);
    } finally {
      await attempt.settle();
    }
  }

  /** Ends this login: its refresh tokens and every access token issued in it, wherever they are used. */
  async logout(principal: Principal): Promise<void> {
    await this.sessions.revokeFamily(principal.familyId);
  }

  /** Ends the login an access token belongs to, if the token is still valid; never fails. */
  async endSession(accessToken: string): Promise<void> {
    const principal = await this.tokens.authenticate(accessToken).catch(() => undefined);
    if (principal) await this.logout(principal);
  }

  /**
   * Always answers the same, at once: the lookup, the token and the mail happen after the answer, so
   * neither its content nor its timing tells whether the address has an account.
   */
  async forgotPassword(email: string, caller: Caller): Promise<void> {
    const address = email.toLowerCase();
    await this.throttle.request('forgot', caller.address, address);
    this.deps.background.run('password reset mail', () => this.mailResetToken(address));
  }

  async resetPassword(input: { token: string; password: string }, caller: Caller): Promise<void> {
    const attempt = await this.throttle.attempt('reset', caller.address);
    try {
      const row = await this.em.findOne(
        PasswordResetToken,
        { tokenHash: sha256Hex(input.token) },
        { populate: ['user'] },
      );
      if (!row || row.usedAt || row.expiresAt <= new Date()) {
        attempt.failed();
        throw new AppError('RESET_TOKEN_INVALID');
      }
      assertPasswordPolicy(input.password, row.user.username);
      const spent = await this.em.nativeUpdate(
        PasswordResetToken,
        { id: row.id, usedAt: null },
        { usedAt: new Date() },
      );
      if (spent === 0) throw new AppError('RESET_TOKEN_INVALID');
      await this.setPassword(row.user.id, input.password);
      this.noticePasswordChanged(row.user, 'reset');
    } finally {
      await attempt.settle();
    }
  }

  async changePassword(principal: Principal, input: { current: string; new: string }): Promise<void> {
    const user = await this.deps.passwords.confirm(this.em, principal.userId, input.current);
    assertPasswordPolicy(input.new, user.username);
    await this.setPassword(user.id, input.new);
    this.noticePasswordChanged(user, 'changed');
  }

  async me(principal: Principal) {
    return privateUser(await this.em.findOneOrFail(User, { id: principal.userId }));
  }

  /** The user whose login and password these are, counted against the throttle; refusals look alike. */
  private async checkCredentials(input: { login: string; password: string }, caller: Caller): Promise<User> {
    const login = input.login.toLowerCase();
    const attempt = await this.throttle.attempt('login', caller.address);
    try {
      const user = await this.em.findOne(
        User,
        { ...(login.includes('@') ? { email: login } : { username: login }), status: { $ne: 'deleted' } },
        { populate: ['passwordHash'] },
      );
      // One account, one budget: by username or by e-mail, the same user id.
      await attempt.forAccount(user ? `user:${user.id}` : `login:${login}`);
      const matches = user
        ? await this.deps.passwords.matches(user, input.password)
        : await decoyVerify(input.password);
      if (!user || !matches) {
        attempt.failed();
        throw new AppError('INVALID_CREDENTIALS');
      }
      attempt.succeeded();
      await this.assertMaySignIn(user);
      return user;
    } finally {
      await attempt.settle();
    }
  }

  /**
   * Told only to who knows the password (or holds a login): a ban says why and until when; an
   * unconfirmed address under EMAIL_VERIFICATION=required says what to do. A timed ban that has ended
   * is lifted here.
   */
  private async assertMaySignIn(user: User): Promise<void> {
    await liftEndedBan(this.em, user);
    const ban = activeBan(user);
    if (ban) throw new AppError('ACCOUNT_BANNED', { detail: ban });
    if (user.status === 'deleted') throw new AppError('REFRESH_TOKEN_INVALID');
    if (this.deps.emails.mode === 'required' && !user.emailVerifiedAt) {
      throw new AppError('EMAIL_NOT_VERIFIED', { detail: { email: user.email } });
    }
  }

  private async mailResetToken(email: string): Promise<void> {
    const em = this.em.fork();
    const user = await em.findOne(User, { email });
    if (!user || user.status !== 'active') return;
    const token = randomToken();
    em.create(PasswordResetToken, {
      id: crypto.randomUUID(),
      user,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(Date.now() + this.options.passwordResetTtlSeconds * 1000),
    });
    await em.flush();
    const minutes = Math.round(this.options.passwordResetTtlSeconds / 60);
    const link = resetLink(this.options.publicUrl(), token);
    await this.deps.mailer.send({
      to: user.email,
      subject: 'Reset your Plaza password',
      text:
        `Someone asked to reset the password of the Plaza account "${user.username}".\n\n` +
        `Choose a new password here: ${link}\n\n` +
        `Reset token: ${token}\n` +
        `(an app may send it with the new password to POST ${new URL('/auth/password/reset', this.options.publicUrl()).href} ` +
        `as {"token": "...", "password": "..."}).\n` +
        `The link works once, for ${minutes} minutes. If you did not ask for this, ignore this message.`,
      html:
        `<p>Someone asked to reset the password of the Plaza account <b>${escapeHtml(user.username)}</b>.</p>` +
        `<p><a href="${escapeHtml(link)}">Choose a new password</a></p>` +
        `<p>The link works once, for ${minutes} minutes. If you did not ask for this, ignore this message.</p>`,
      secrets: [token],
    });
  }

  /** Tells the account's owner their password changed, so a change they did not make is noticed. */
  private noticePasswordChanged(user: { username: string; email: string }, how: 'changed' | 'reset'): void {
    this.deps.background.run('password changed mail', () =>
      this.deps.mailer.send({
        to: user.email,
        subject: 'Your Plaza password was changed',
        text:
          `The password of the Plaza account "${user.username}" was ${how === 'reset' ? 'reset with an e-mailed link' : 'changed'} ` +
          `at ${new Date().toISOString()}, and every session signed in with the old one has ended.\n\n` +
          `If this was not you, reset your password now at ${new URL('/console/reset', this.options.publicUrl()).href} and tell an administrator.`,
        html:
          `<p>The password of the Plaza account <b>${escapeHtml(user.username)}</b> was ${how === 'reset' ? 'reset with an e-mailed link' : 'changed'}; ` +
          `every session signed in with the old one has ended.</p>` +
          `<p>If this was not you, <a href="${escapeHtml(new URL('/console/reset', this.options.publicUrl()).href)}">reset your password now</a> and tell an administrator.</p>`,
      }),
    );
  }

  /** New password, and every existing session of the user dies with the old one, in one transaction. */
  private async setPassword(userId: number, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.sessions.revokeUser(userId, {}, async (em) => {
      await em.nativeUpdate(User, { id: userId }, { passwordHash });
    });
  }

  private async issuePair(user: User, familyId: string, caller: Caller): Promise<TokenPair> {
    const refreshToken = randomToken();
    await this.deps.loginSessions.touch(this.em, user, familyId, caller);
    this.em.create(RefreshToken, {
      id: crypto.randomUUID(),
      user,
      familyId,
      tokenHash: sha256Hex(refreshToken),
      expiresAt: new Date(Date.now() + this.options.refreshTtlSeconds * 1000),
    });
    await this.em.flush();
    return {
      access_token: this.tokens.issueAccessToken(user, familyId),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.tokens.accessTtlSeconds,
    };
  }

  /** Free: no account has the username or address, and no recently deleted account held the username. */
  private async assertAvailable(username: string, email: string): Promise<void> {
    const holdSince = new Date(Date.now() - this.options.deletedUsernameHoldSeconds * 1000);
    const existing = await this.em.find(
      User,
      { $or: [{ username }, { email }, { heldUsername: username, deletedAt: { $gt: holdSince } }] },
      { fields: ['username', 'email', 'heldUsername'] },
    );
    if (existing.some((u) => u.username === username || u.heldUsername === username))
      throw new AppError('USERNAME_TAKEN');
    if (existing.some((u) => u.email === email)) throw new AppError('EMAIL_TAKEN');
  }
}

/** The web console's reset form, carrying the token (the console serves it at /console/reset). */
export function resetLink(publicUrl: string, token: string): string {
  const url = new URL('/console/reset', publicUrl);
  url.searchParams.set('token', token);
  return url.href;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { User, type UserRole } from '../../../entities/User.ts';
import { RefreshToken } from '../../../entities/RefreshToken.ts';
import { PasswordResetToken } from '../../../entities/PasswordResetToken.ts';
import type { Mailer } from '../mail/Mailer.ts';
import { randomToken, sha256Hex } from '../shared/secrets.ts';
import { privateUser, publicUser } from '../users/userViews.ts';
import { assertPasswordPolicy, decoyVerify, hashPassword, verifyPassword } from './passwords.ts';
import type { Principal, TokenService } from './TokenService.ts';
import type { SessionRevoker } from './SessionRevoker.ts';

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface AuthServiceOptions {
  refreshTtlSeconds: number;
  passwordResetTtlSeconds: number;
  publicUrl: string;
}

/** Registration, login, token rotation, logout and password recovery. */
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly tokens: TokenService,
    private readonly sessions: SessionRevoker,
    private readonly mailer: Mailer,
    private readonly options: AuthServiceOptions,
  ) {}

  /** Creates an account. Usernames and e-mails are case-insensitive and stored lower-case. */
  async register(input: { username: string; email: string; password: string; nickname?: string; role?: UserRole }) {
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
    });
    try {
      await this.em.flush();
    } catch (err) {
      // A concurrent registration won the race between the check and the insert.
      this.em.clear();
      await this.assertAvailable(username, email);
      throw err;
    }
    return publicUser(user);
  }

  /** Same answer for an unknown account and a wrong password, in about the same time. */
  async login(input: { login: string; password: string }): Promise<TokenPair> {
    const login = input.login.toLowerCase();
    const user = await this.em.findOne(User, login.includes('@') ? { email: login } : { username: login }, {
      populate: ['passwordHash'],
    });
    if (!user) {
      await decoyVerify(input.password);
      throw new AppError('INVALID_CREDENTIALS');
    }
    if (!(await verifyPassword(user.passwordHash, input.password))) throw new AppError('INVALID_CREDENTIALS');
    if (user.status === 'banned') throw new AppError('ACCOUNT_BANNED', { detail: { reason: user.banReason ?? null } });
    return this.issuePair(user, crypto.randomUUID());
  }

  /**
   * Spends a refresh token and issues a new pair in the same family. A token presented a second time
   * means it leaked: the whole family is revoked.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const row = await this.em.findOne(RefreshToken, { tokenHash: sha256Hex(refreshToken) }, { populate: ['user'] });
    if (!row || row.revokedAt || row.expiresAt <= new Date()) throw new AppError('REFRESH_TOKEN_INVALID');
    // Conditional update: of two concurrent refreshes with one token, exactly one wins.
    const spent = await this.em.nativeUpdate(RefreshToken, { id: row.id, usedAt: null }, { usedAt: new Date() });
    if (spent === 0) {
      await this.sessions.revokeFamily(row.familyId);
      throw new AppError('REFRESH_TOKEN_REUSED');
    }
    const user = row.user;
    if (user.status === 'banned') throw new AppError('ACCOUNT_BANNED');
    return this.issuePair(user, row.familyId);
  }

  /** Ends this login: its refresh family and the presented access token. */
  async logout(principal: Principal): Promise<void> {
    await this.sessions.revokeFamily(principal.familyId);
    await this.tokens.revoke(principal);
  }

  /** Always succeeds from the caller's view; mails a reset link only when the account exists. */
  async forgotPassword(email: string): Promise<void> {
    const user = await this.em.findOne(User, { email: email.toLowerCase() });
    if (!user || user.status === 'banned') return;
    const token = randomToken();
    this.em.create(PasswordResetToken, {
      id: crypto.randomUUID(),
      user,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(Date.now() + this.options.passwordResetTtlSeconds * 1000),
    });
    await this.em.flush();
    const minutes = Math.round(this.options.passwordResetTtlSeconds / 60);
    await this.mailer.send({
      to: user.email,
      subject: 'Reset your Plaza password',
      text:
        `Someone asked to reset the password of the Plaza account "${user.username}".\n\n` +
        `Reset token: ${token}\n\n` +
        `Send it with your new password to POST ${new URL('/auth/password/reset', this.options.publicUrl)} ` +
        `as {"token": "...", "password": "..."}.\n` +
        `The token works once, for ${minutes} minutes. If you did not ask for this, ignore this message.`,
    });
  }

  async resetPassword(input: { token: string; password: string }): Promise<void> {
    const row = await this.em.findOne(PasswordResetToken, { tokenHash: sha256Hex(input.token) }, { populate: ['user'] });
    if (!row || row.usedAt || row.expiresAt <= new Date()) throw new AppError('RESET_TOKEN_INVALID');
    assertPasswordPolicy(input.password, row.user.username);
    const spent = await this.em.nativeUpdate(PasswordResetToken, { id: row.id, usedAt: null }, { usedAt: new Date() });
    if (spent === 0) throw new AppError('RESET_TOKEN_INVALID');
    await this.setPassword(row.user.id, input.password);
  }

  async changePassword(principal: Principal, input: { current: string; new: string }): Promise<void> {
    const user = await this.em.findOneOrFail(User, { id: principal.userId }, { populate: ['passwordHash'] });
    if (!(await verifyPassword(user.passwordHash, input.current))) throw new AppError('WRONG_PASSWORD');
    assertPasswordPolicy(input.new, user.username);
    await this.setPassword(user.id, input.new);
  }

  async me(principal: Principal) {
    return privateUser(await this.em.findOneOrFail(User, { id: principal.userId }));
  }

  /** New password, and every existing session of the user dies with the old one. */
  private async setPassword(userId: number, password: string): Promise<void> {
    await this.em.nativeUpdate(User, { id: userId }, { passwordHash: await hashPassword(password) });
    await this.sessions.revokeAllOfUser(userId);
  }

  private async issuePair(user: User, familyId: string): Promise<TokenPair> {
    const refreshToken = randomToken();
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

  private async assertAvailable(username: string, email: string): Promise<void> {
    const existing = await this.em.find(User, { $or: [{ username }, { email }] }, { fields: ['username', 'email'] });
    if (existing.some((u) => u.username === username)) throw new AppError('USERNAME_TAKEN');
    if (existing.some((u) => u.email === email)) throw new AppError('EMAIL_TAKEN');
  }
}

import crypto from 'node:crypto';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { User } from '../../../entities/User.ts';
import { EmailToken, type EmailTokenPurpose } from '../../../entities/EmailToken.ts';
import type { Mailer } from '../mail/Mailer.ts';
import { randomToken, sha256Hex } from '../shared/secrets.ts';
import type { AuthThrottle } from './AuthThrottle.ts';
import type { BackgroundTasks } from './BackgroundTasks.ts';
import type { PasswordCheck } from './PasswordCheck.ts';
import type { Principal } from './TokenService.ts';

/** `off`: nothing is mailed at sign-up; `optional`: a token is mailed; `required`: sign-in waits for it. */
export type EmailVerificationMode = 'off' | 'optional' | 'required';

export interface EmailVerificationOptions {
  mode: EmailVerificationMode;
  tokenTtlSeconds: number;
  publicUrl: () => string;
}

export interface EmailVerificationDeps {
  mailer: Mailer;
  background: BackgroundTasks;
  throttle: AuthThrottle;
  passwords: PasswordCheck;
}

/**
 * Proves that a user reads an address: the account's own after sign-up, or a new one before the account
 * moves to it. Tokens are single-use, expire, and are stored only as sha256; the mail is the only place
 * a token exists. A token is confirmed with POST (not a GET link: mail scanners open links).
 */
export class EmailVerification {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: EmailVerificationDeps,
    private readonly options: EmailVerificationOptions,
  ) {}

  get mode(): EmailVerificationMode {
    return this.options.mode;
  }

  /** After sign-up: mails the new account a token, unless verification is off. */
  afterRegistration(userId: number): void {
    if (this.options.mode === 'off') return;
    this.deps.background.run('e-mail verification mail', () => this.mailVerification(userId));
  }

  /**
   * Mails a new token to an unconfirmed address. Answers the same at once whether or not the address
   * has an account (the lookup and the mail happen after the answer); throttled like reset requests.
   */
  async resend(email: string, caller: { address: string }): Promise<void> {
    const address = email.toLowerCase();
    await this.deps.throttle.request('verification-mail', caller.address, address);
    this.deps.background.run('e-mail verification mail', async () => {
      const user = await this.em.fork().findOne(User, { email: address, status: { $ne: 'deleted' } });
      if (user && !user.emailVerifiedAt) await this.mailVerification(user.id);
    });
  }

  /**
   * Asks to move my account to `email`: the new address gets a token that completes the move, the old
   * one is told at once (so an owner whose session was stolen hears of it). Needs my password.
   */
  async requestChange(principal: Principal, input: { email: string; password: string }): Promise<void> {
    const user = await this.deps.passwords.confirm(this.em, principal.userId, input.password);
    const email = input.email.toLowerCase();
    await this.assertAddressFree(email);
    const token = await this.issue(user, 'change', email);
    await this.deps.mailer.send({
      to: email,
      subject: 'Confirm your new Plaza e-mail address',
      text:
        `The Plaza account "${user.username}" asked to use this address from now on.\n\n` +
        `Confirmation token: ${token}\n\n` +
        this.howToConfirm(),
      secrets: [token],
    });
    await this.deps.mailer.send({
      to: user.email,
      subject: 'Your Plaza e-mail address is about to change',
      text:
        `Someone signed in to the Plaza account "${user.username}" asked to move it to ${email}.\n` +
        `It moves when the token sent there is confirmed. If this was not you, change your password now: ` +
        `that ends every session of the account.`,
    });
  }

  /** Confirms a mailed token: the address is verified, or the account moves to the new address. */
  async confirm(token: string, caller: { address: string }): Promise<void> {
    const attempt = await this.deps.throttle.attempt('email-token', caller.address);
    try {
      const row = await this.em.findOne(EmailToken, { tokenHash: sha256Hex(token) }, { populate: ['user'] });
      // A verification token only proves the address it was sent to: it dies when the account moves away.
      const stale = row?.purpose === 'verify' && row.user.email !== row.email;
      if (!row || row.usedAt || row.expiresAt <= new Date() || stale || row.user.status === 'deleted') {
        attempt.failed();
        throw new AppError('EMAIL_TOKEN_INVALID');
      }
      if (row.purpose === 'change') await this.assertAddressFree(row.email, row.user.id);
      await this.em.transactional(async (em) => {
        const spent = await em.nativeUpdate(EmailToken, { id: row.id, usedAt: null }, { usedAt: new Date() });
        if (spent === 0) throw new AppError('EMAIL_TOKEN_INVALID');
        await em.nativeUpdate(User, { id: row.user.id }, { email: row.email, emailVerifiedAt: new Date() });
      });
    } finally {
      await attempt.settle();
    }
  }

  private async mailVerification(userId: number): Promise<void> {
    const user = await this.em.fork().findOneOrFail(User, { id: userId });
    const token = await this.issue(user, 'verify', user.email);
    const hours = Math.round(this.options.tokenTtlSeconds / 3600);
    await this.deps.mailer.send({
      to: user.email,
      subject: 'Confirm your Plaza e-mail address',
      text:
        `Welcome to Plaza, ${user.username}. Please confirm that this address is yours.\n\n` +
        `Confirmation token: ${token}\n\n` +
        this.howToConfirm() +
        (this.options.mode === 'required' ? `\nYou can sign in once the address is confirmed.` : '') +
        `\nThe token works once, for about ${hours} hours.`,
      secrets: [token],
    });
  }

  /** A new token for `user`; earlier unused tokens of the same purpose stop working. */
  private async issue(user: User, purpose: EmailTokenPurpose, email: string): Promise<string> {
    const token = randomToken();
    await this.em.fork().transactional(async (em) => {
      await em.nativeUpdate(EmailToken, { user: user.id, purpose, usedAt: null }, { usedAt: new Date() });
      em.create(EmailToken, {
        id: crypto.randomUUID(),
        user: user.id,
        purpose,
        email,
        tokenHash: sha256Hex(token),
        expiresAt: new Date(Date.now() + this.options.tokenTtlSeconds * 1000),
      });
    });
    return token;
  }

  private howToConfirm(): string {
    return (
      `Send it to POST ${new URL('/auth/email/verify', this.options.publicUrl()).href} as {"token": "..."}.\n` +
      `If you did not ask for this, ignore this message.`
    );
  }

  private async assertAddressFree(email: string, exceptUserId?: number): Promise<void> {
    const holder = await this.em.findOne(User, { email }, { fields: ['id'] });
    if (holder && holder.id !== exceptUserId) throw new AppError('EMAIL_TAKEN');
  }
}

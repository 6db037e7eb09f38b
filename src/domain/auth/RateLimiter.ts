import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../errors/index.ts';

/**
 * Fixed-window limits on the authentication endpoints, keyed per client IP and per account.
 * In-process memory: one Plaza process enforces its own budget.
 */
export class AuthRateLimiter {
  private readonly perIp: RateLimiterMemory;
  private readonly perAccount: RateLimiterMemory;

  constructor(options: { perIp: number; perAccount: number; windowSeconds: number }) {
    this.perIp = new RateLimiterMemory({ keyPrefix: 'ip', points: options.perIp, duration: options.windowSeconds });
    this.perAccount = new RateLimiterMemory({ keyPrefix: 'acct', points: options.perAccount, duration: options.windowSeconds });
  }

  /** Spends one attempt from the IP's and (when known) the account's budget; throws RATE_LIMITED when either is empty. */
  async consume(action: string, ip: string, account?: string): Promise<void> {
    await this.spend(this.perIp, `${action}:${ip}`);
    if (account) await this.spend(this.perAccount, `${action}:${account.toLowerCase()}`);
  }

  /** Forgets an account's attempts after a success, so a user who finally got it right starts fresh. */
  async reset(action: string, account: string): Promise<void> {
    await this.perAccount.delete(`${action}:${account.toLowerCase()}`);
  }

  private async spend(limiter: RateLimiterMemory, key: string): Promise<void> {
    try {
      await limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      throw new AppError('RATE_LIMITED', { detail: { retry_after: retryAfter }, headers: { 'Retry-After': String(retryAfter) } });
    }
  }
}

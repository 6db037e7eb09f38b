import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../errors/index.ts';

/** One budget: `points` actions per `windowSeconds`, counted in fixed windows. */
export interface RateBudget {
  points: number;
  windowSeconds: number;
}

/**
 * Builds the counter of one budget. Memory counts per process; several processes share counters in
 * Redis (src/infra/realtime/scaleOut.ts), every budget of the server through this one argument.
 */
export type LimiterStore = (options: { keyPrefix: string; points: number; duration: number }) => RateLimiterAbstract;

/** Counters in this process's memory (the default). */
export const memoryStore: LimiterStore = (options) => new RateLimiterMemory(options);

/** The catalogue's 429 for a spent budget, with `Retry-After` in whole seconds (at least 1). */
export function rateLimitedError(res: RateLimiterRes, detail: Record<string, unknown> = {}): AppError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError('RATE_LIMITED', {
    detail: { ...detail, retry_after: retryAfter },
    headers: { 'Retry-After': String(retryAfter) },
  });
}

/**
 * Per-user budgets for actions that create content (posts, comments, uploads). Admins are exempt:
 * moderation and migration work is not abuse.
 */
export class UserRateLimits<Action extends string> {
  private readonly limiters: Record<Action, RateLimiterAbstract>;

  constructor(budgets: Record<Action, RateBudget>, store: LimiterStore = memoryStore) {
    this.limiters = Object.fromEntries(
      Object.entries<RateBudget>(budgets).map(([action, b]) => [
        action,
        store({ keyPrefix: `user-${action}`, points: b.points, duration: b.windowSeconds }),
      ]),
    ) as Record<Action, RateLimiterAbstract>;
  }

  /** Spends one of the user's `action`s; throws RATE_LIMITED (429, Retry-After) when the budget is spent. */
  async consume(action: Action, who: { userId: number; role: string }): Promise<void> {
    if (who.role === 'admin') return;
    try {
      await this.limiters[action].consume(String(who.userId));
    } catch (err) {
      if (err instanceof RateLimiterRes) throw rateLimitedError(err, { action });
      throw err;
    }
  }
}

/** The content actions Plaza limits per user. */
export type ContentAction = 'post' | 'comment' | 'upload';
export type ContentRateLimits = UserRateLimits<ContentAction>;

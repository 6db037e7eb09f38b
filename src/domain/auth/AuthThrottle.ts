import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../errors/index.ts';
import { memoryStore, type LimiterStore } from '../shared/rateLimits.ts';

export interface AuthThrottleOptions {
  /** Failed sign-ins on one account from one address per `windowSeconds`. */
  failuresPerAccountAndAddress: number;
  /** Failed sign-ins, refreshes and resets from one address per `windowSeconds` (an office behind NAT shares it). */
  failuresPerAddress: number;
  /** Failed sign-ins on one account from every address together per `accountWindowSeconds`. */
  failuresPerAccount: number;
  accountWindowSeconds: number;
  /** Registrations and reset requests from one address per `windowSeconds`. */
  requestsPerAddress: number;
  /** Reset requests for one e-mail address per `windowSeconds`. */
  requestsPerAccount: number;
  windowSeconds: number;
}

/** What a budget refuses with: 429 RATE_LIMITED and Retry-After. */
function rateLimited(res: RateLimiterRes): AppError {
  const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new AppError('RATE_LIMITED', {
    detail: { retry_after: retryAfter },
    headers: { 'Retry-After': String(retryAfter) },
  });
}

async function spend(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw rateLimited(err);
    throw err;
  }
}

/**
 * Throttles guessing without locking owners out. Failures, not requests, are counted: per (account,
 * address), per address, and per account across all addresses with a slower, larger ceiling. So a guesser
 * at one address is stopped after a few tries while the owner, from any other address, still signs in;
 * only a guesser spread over many addresses reaches the account ceiling. An account is its user id, so
 * signing in by username or by e-mail spends the same budget.
 *
 * Each attempt takes its points before the check runs (so parallel guesses cannot overtake the count)
 * and gives them back unless the check failed.
 */
export class AuthThrottle {
  private readonly failsByAccountAndAddress: RateLimiterAbstract;
  private readonly failsByAddress: RateLimiterAbstract;
  private readonly failsByAccount: RateLimiterAbstract;
  private readonly requestsByAddress: RateLimiterAbstract;
  private readonly requestsByAccount: RateLimiterAbstract;

  constructor(options: AuthThrottleOptions, limiters: LimiterStore = memoryStore) {
    const window = options.windowSeconds;
    this.failsByAccountAndAddress = limiters({
      keyPrefix: 'auth_fail_account_ip',
      points: options.failuresPerAccountAndAddress,
      duration: window,
    });
    this.failsByAddress = limiters({ keyPrefix: 'auth_fail_ip', points: options.failuresPerAddress, duration: window });
    this.failsByAccount = limiters({
      keyPrefix: 'auth_fail_account',
      points: options.failuresPerAccount,
      duration: options.accountWindowSeconds,
    });
    this.requestsByAddress = limiters({
      keyPrefix: 'auth_req_ip',
      points: options.requestsPerAddress,
      duration: window,
    });
    this.requestsByAccount = limiters({
      keyPrefix: 'auth_req_account',
      points: options.requestsPerAccount,
      duration: window,
    });
  }

  /**
   * Starts a credential check (`login`, `refresh`, `reset`) from `address`: refused at once when the
   * address has no failures left. Settle the attempt in a `finally`.
   */
  async attempt(action: 'login' | 'refresh' | 'reset' | 'email-token', address: string): Promise<CredentialAttempt> {
    const addressKey = `${action}:${address}`;
    await spend(this.failsByAddress, addressKey);
    return new CredentialAttempt(address, {
      address: { limiter: this.failsByAddress, key: addressKey },
      pair: this.failsByAccountAndAddress,
      account: this.failsByAccount,
    });
  }

  /** Counts a request that costs us work whatever its outcome (registration, a reset mail). */
  async request(action: 'register' | 'forgot' | 'verification-mail', address: string, account?: string): Promise<void> {
    await spend(this.requestsByAddress, `${action}:${address}`);
    if (account !== undefined) await spend(this.requestsByAccount, `${action}:${account}`);
  }
}

interface Taken {
  limiter: RateLimiterAbstract;
  key: string;
}

/** One credential check in progress: its points are taken, and given back unless it `failed()`. */
export class CredentialAttempt {
  private readonly taken: Taken[] = [];
  private pairKey?: string;
  private outcome: 'pending' | 'failed' | 'succeeded' = 'pending';

  constructor(
    private readonly address: string,
    private readonly limiters: { address: Taken; pair: RateLimiterAbstract; account: RateLimiterAbstract },
  ) {
    this.taken.push(limiters.address);
  }

  /** Counts the attempt against an account too (`user:<id>`, or the login typed when no account matches). */
  async forAccount(account: string): Promise<void> {
    const pairKey = `${account}|${this.address}`;
    await spend(this.limiters.pair, pairKey);
    this.taken.push({ limiter: this.limiters.pair, key: pairKey });
    this.pairKey = pairKey;
    await spend(this.limiters.account, account);
    this.taken.push({ limiter: this.limiters.account, key: account });
  }

  /** The credentials were wrong: the points stay spent. */
  failed(): void {
    this.outcome = 'failed';
  }

  /** The credentials were right: this address starts afresh on the account. */
  succeeded(): void {
    this.outcome = 'succeeded';
  }

  /** Gives back what a check that did not fail took. Idempotent. */
  async settle(): Promise<void> {
    const outcome = this.outcome;
    const taken = this.taken.splice(0);
    if (outcome === 'failed') return;
    await Promise.all(taken.map(({ limiter, key }) => limiter.reward(key, 1)));
    if (outcome === 'succeeded' && this.pairKey) await this.limiters.pair.delete(this.pairKey);
  }
}

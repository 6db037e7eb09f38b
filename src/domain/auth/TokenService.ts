import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { USER_ROLES, roleAtLeast, type UserRole } from '../../../entities/User.ts';
import type { SessionRevoker } from './SessionRevoker.ts';

/** Who is calling, as established from a valid access token. */
export interface Principal {
  userId: number;
  username: string;
  role: UserRole;
  jti: string;
  familyId: string;
  expiresAt: Date;
}

/** What an access token is issued for. */
export interface TokenSubject {
  id: number;
  username: string;
  role: UserRole;
  tokenVersion: number;
}

const ISSUER = 'plaza';
/** How many verified tokens are remembered (oldest forgotten first): a client sends one token until it expires. */
const VERIFIED_TOKENS_KEPT = 5_000;
const AUDIENCE = 'plaza';

/**
 * Every claim Plaza relies on, required and typed: a token lacking one (a validly signed token without
 * `exp` would live forever) is refused like a forged one.
 */
const AccessClaims = z.object({
  sub: z.string().regex(/^[1-9]\d{0,9}$/),
  usr: z.string().min(1).max(64),
  role: z.enum(USER_ROLES),
  fam: z.uuid(),
  ver: z.number().int().nonnegative(),
  jti: z.uuid(),
  iat: z.number().int(),
  exp: z.number().int(),
});

/**
 * Signs and checks access tokens. Checking costs a signature check (once per token, remembered until it
 * expires) and two lookups in memory: no query, so it stays cheap under load and keeps working while the
 * database is away. A token is valid while its signature and claims hold, it has not expired, and neither
 * its login (refresh family) nor its version of the user has been revoked. A role or ban change always
 * revokes, so the token's own `role` can be trusted.
 */
export class TokenService {
  /**
   * The secret as a key object, made once: given a string, jsonwebtoken builds a new key object on every
   * sign and verify, a measurable share of a cheap request's CPU.
   */
  private readonly key: crypto.KeyObject;
  /** Tokens whose signature and claims were checked, with their claims (expiry is checked on every use). */
  private readonly verified = new Map<string, z.infer<typeof AccessClaims>>();

  constructor(
    private readonly revocations: SessionRevoker,
    private readonly options: { secret: string; accessTtlSeconds: number },
  ) {
    this.key = crypto.createSecretKey(Buffer.from(options.secret, 'utf8'));
  }

  get accessTtlSeconds(): number {
    return this.options.accessTtlSeconds;
  }

  /** A signed access token for one login (`familyId`); `ttlSeconds` may only shorten the configured lifetime. */
  issueAccessToken(user: TokenSubject, familyId: string, ttlSeconds = this.options.accessTtlSeconds): string {
    return jwt.sign({ usr: user.username, role: user.role, fam: familyId, ver: user.tokenVersion }, this.key, {
      algorithm: 'HS256',
      subject: String(user.id),
      jwtid: crypto.randomUUID(),
      expiresIn: Math.min(ttlSeconds, this.options.accessTtlSeconds),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  }

  /** Verifies a bearer token: signature, issuer, audience, every claim, expiry, then revocation. */
  async authenticate(token: string): Promise<Principal> {
    const claims = this.decode(token);
    const userId = Number(claims.sub);
    if (await this.revocations.revokes({ userId, familyId: claims.fam, tokenVersion: claims.ver }))
      throw new AppError('TOKEN_INVALID');
    return {
      userId,
      username: claims.usr,
      role: claims.role,
      jti: claims.jti,
      familyId: claims.fam,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /** `authenticate`, then FORBIDDEN unless the caller's role is at least `minimum`. */
  async authenticateRole(token: string | undefined, minimum: UserRole): Promise<Principal> {
    if (!token) throw new AppError('UNAUTHENTICATED');
    const principal = await this.authenticate(token);
    if (!roleAtLeast(principal.role, minimum)) throw new AppError('FORBIDDEN');
    return principal;
  }

  private decode(token: string): z.infer<typeof AccessClaims> {
    const known = this.verified.get(token);
    if (known && Date.now() < Math.min(known.exp, known.iat + this.options.accessTtlSeconds) * 1000) return known;
    this.verified.delete(token);
    const claims = this.verify(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, claims);
    return claims;
  }

  private verify(token: string): z.infer<typeof AccessClaims> {
    let payload: unknown;
    try {
      // maxAge: a token may not outlive the configured lifetime, which is what revocations are kept for.
      payload = jwt.verify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        maxAge: this.options.accessTtlSeconds,
      });
    } catch {
      throw new AppError('TOKEN_INVALID');
    }
    const claims = AccessClaims.safeParse(payload);
    if (!claims.success || claims.data.exp - claims.data.iat > this.options.accessTtlSeconds)
      throw new AppError('TOKEN_INVALID');
    return claims.data;
  }
}

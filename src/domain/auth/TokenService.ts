import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { RevokedAccessToken } from '../../../entities/RevokedAccessToken.ts';
import { User, type UserRole } from '../../../entities/User.ts';

/** Who is calling, as established from a valid access token. */
export interface Principal {
  userId: number;
  username: string;
  role: UserRole;
  jti: string;
  familyId: string;
  expiresAt: Date;
}

interface AccessClaims {
  sub: string;
  jti: string;
  role: UserRole;
  fam: string;
  ver: number;
  exp: number;
}

const ISSUER = 'plaza';
const AUDIENCE = 'plaza';

/** Signs and checks access tokens. A token is valid only while signature, expiry, blacklist and account state all agree. */
export class TokenService {
  constructor(
    private readonly em: EntityManager,
    private readonly options: { secret: string; accessTtlSeconds: number },
  ) {}

  get accessTtlSeconds(): number {
    return this.options.accessTtlSeconds;
  }

  issueAccessToken(user: User, familyId: string): string {
    return jwt.sign({ role: user.role, fam: familyId, ver: user.tokenVersion }, this.options.secret, {
      algorithm: 'HS256',
      subject: String(user.id),
      jwtid: crypto.randomUUID(),
      expiresIn: this.options.accessTtlSeconds,
      issuer: ISSUER,
      audience: AUDIENCE,
    });
  }

  /** Verifies a bearer token against signature, expiry, the blacklist, the ban flag and the token version. */
  async authenticate(token: string): Promise<Principal> {
    const claims = this.decode(token);
    const userId = Number(claims.sub);
    const [user, revoked] = await Promise.all([
      this.em.findOne(User, { id: userId }, { fields: ['id', 'username', 'role', 'status', 'tokenVersion'] }),
      this.em.findOne(RevokedAccessToken, { jti: claims.jti }, { fields: ['jti'] }),
    ]);
    if (!user || revoked || user.tokenVersion !== claims.ver) throw new AppError('TOKEN_INVALID');
    if (user.status === 'banned') throw new AppError('ACCOUNT_BANNED');
    return {
      userId,
      username: user.username,
      role: user.role,
      jti: claims.jti,
      familyId: claims.fam,
      expiresAt: new Date(claims.exp * 1000),
    };
  }

  /** Blacklists one access token until it would have expired. Idempotent. */
  async revoke(principal: Principal): Promise<void> {
    await this.em.upsert(
      RevokedAccessToken,
      { jti: principal.jti, userId: principal.userId, expiresAt: principal.expiresAt },
      { onConflictAction: 'ignore' },
    );
  }

  /** Drops blacklist rows of tokens that have expired on their own (runs outside any request). */
  async purgeExpired(): Promise<number> {
    return this.em.fork().nativeDelete(RevokedAccessToken, { expiresAt: { $lt: new Date() } });
  }

  private decode(token: string): AccessClaims {
    try {
      const claims = jwt.verify(token, this.options.secret, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE });
      if (typeof claims === 'string' || !claims.sub || !claims.jti || typeof claims.ver !== 'number') throw new Error('claims');
      return claims as unknown as AccessClaims;
    } catch {
      throw new AppError('TOKEN_INVALID');
    }
  }
}

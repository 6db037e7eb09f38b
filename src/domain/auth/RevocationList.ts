import type { UserRole } from '../../../entities/User.ts';

/** One revocation, as stored in `token_revocations` and held in memory by every process. */
export type Revocation =
  /** A login ended (logout, refresh-token reuse): every access token of the refresh family dies. */
  | { kind: 'family'; familyId: string; revokedAt: Date }
  /**
   * A user's tokens ended: every access token carrying a lower token version dies. `role` is the new role
   * when the cause was a role change (the user stays signed in and refreshes into the new role).
   */
  | { kind: 'user'; userId: number; tokenVersion: number; role: UserRole | null; revokedAt: Date };

/** What an access token says about itself, as far as revocation is concerned. */
export interface TokenIdentity {
  userId: number;
  familyId: string;
  tokenVersion: number;
}

/**
 * Every revocation that can still matter, in memory, so checking a token costs two map lookups and no
 * query, and keeps working while the database is away. An entry is kept for `retentionMs` after it was
 * made: longer than any access token lives, so every token it kills has expired by the time it is forgotten.
 */
export class RevocationList {
  private readonly families = new Map<string, number>();
  private readonly users = new Map<number, { version: number; until: number }>();

  constructor(private readonly retentionMs: number) {}

  /** Adds a revocation; true when it revokes something this list did not already revoke. */
  add(revocation: Revocation, now = Date.now()): boolean {
    const until = revocation.revokedAt.getTime() + this.retentionMs;
    if (until <= now) return false;
    if (revocation.kind === 'family') {
      const known = this.families.get(revocation.familyId);
      this.families.set(revocation.familyId, Math.max(known ?? 0, until));
      return known === undefined;
    }
    const known = this.users.get(revocation.userId);
    if (known && known.version >= revocation.tokenVersion) {
      known.until = Math.max(known.until, until);
      return false;
    }
    this.users.set(revocation.userId, { version: revocation.tokenVersion, until: Math.max(known?.until ?? 0, until) });
    return true;
  }

  /** True when the token's login or the token's version of its user has been revoked. */
  revokes(token: TokenIdentity): boolean {
    if (this.families.has(token.familyId)) return true;
    const user = this.users.get(token.userId);
    return user !== undefined && token.tokenVersion < user.version;
  }

  /** Forgets entries no unexpired token can be affected by; returns how many were dropped. */
  prune(now = Date.now()): number {
    let dropped = 0;
    for (const [family, until] of this.families) if (until <= now && this.families.delete(family)) dropped++;
    for (const [user, entry] of this.users) if (entry.until <= now && this.users.delete(user)) dropped++;
    return dropped;
  }
}

import { raw, type EntityManager } from '@mikro-orm/sql';
import { User } from '../../../entities/User.ts';
import { RefreshToken } from '../../../entities/RefreshToken.ts';

/** Something that must hear about a user losing all sessions (e.g. to close live connections). */
export type SessionListener = (userId: number) => void;

/**
 * Kills sessions. Revoking all of a user's sessions bumps their token version, which invalidates every
 * access token already issued, and revokes every refresh family; listeners then close live connections.
 */
export class SessionRevoker {
  private readonly listeners = new Set<SessionListener>();
  private readonly familyListeners = new Set<(familyId: string) => void>();

  constructor(private readonly em: EntityManager) {}

  onUserRevoked(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hears about one login ending (logout), e.g. to close the connections opened with it. */
  onFamilyRevoked(listener: (familyId: string) => void): () => void {
    this.familyListeners.add(listener);
    return () => this.familyListeners.delete(listener);
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
    for (const listener of this.familyListeners) listener(familyId);
  }

  async revokeAllOfUser(userId: number): Promise<void> {
    await this.em.transactional(async (em) => {
      await em.nativeUpdate(User, { id: userId }, { tokenVersion: raw('token_version + 1') });
      await em.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
    });
    for (const listener of this.listeners) listener(userId);
  }
}

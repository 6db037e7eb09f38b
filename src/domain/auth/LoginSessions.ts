import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { LoginSession } from '../../../entities/LoginSession.ts';
import { RefreshToken } from '../../../entities/RefreshToken.ts';
import type { User } from '../../../entities/User.ts';
import type { Principal } from './TokenService.ts';
import type { SessionRevoker } from './SessionRevoker.ts';

/** Where a sign-in or refresh came from, as the device list shows it. */
export interface ClientInfo {
  address: string;
  userAgent?: string;
}

export interface LoginSessionView {
  id: string;
  current: boolean;
  address: string;
  user_agent: string | null;
  created_at: string;
  last_used_at: string;
}

const USER_AGENT_MAX = 300;

/**
 * A user's logins as devices. A login is alive while its refresh family holds an unspent, unrevoked,
 * unexpired token: that is what the list shows, so a login ended any way (logout, reuse, ban, new
 * password, expiry) disappears from it. Ending one goes through the SessionRevoker, so its access
 * tokens die at once on every server and its live connections close.
 */
export class LoginSessions {
  constructor(
    private readonly em: EntityManager,
    private readonly revoker: SessionRevoker,
  ) {}

  /** Describes a new login (`familyId`) or notes another use of it, in the caller's unit of work. */
  async touch(em: EntityManager, user: User, familyId: string, client: ClientInfo): Promise<void> {
    const userAgent = client.userAgent?.slice(0, USER_AGENT_MAX) ?? null;
    const row = await em.findOne(LoginSession, { id: familyId });
    if (row) {
      row.lastUsedAt = new Date();
      row.address = client.address.slice(0, 64);
      row.userAgent = userAgent;
    } else {
      em.create(LoginSession, { id: familyId, user, address: client.address.slice(0, 64), userAgent });
    }
  }

  /** My live logins, the most recently used first (a handful per user: one page). */
  async list(principal: Principal): Promise<{ items: LoginSessionView[]; next_cursor: null }> {
    const live = await this.liveFamilies(principal.userId);
    const rows = await this.em.find(
      LoginSession,
      { user: principal.userId, id: { $in: [...live] } },
      { orderBy: { lastUsedAt: 'desc', id: 'asc' } },
    );
    return {
      items: rows.map((s) => ({
        id: s.id,
        current: s.id === principal.familyId,
        address: s.address,
        user_agent: s.userAgent ?? null,
        created_at: s.createdAt.toISOString(),
        last_used_at: s.lastUsedAt.toISOString(),
      })),
      next_cursor: null,
    };
  }

  /** Ends one of my logins; SESSION_NOT_FOUND for anyone else's or one already over. */
  async end(principal: Principal, sessionId: string): Promise<void> {
    const live = await this.liveFamilies(principal.userId);
    if (!live.has(sessionId)) throw new AppError('SESSION_NOT_FOUND');
    await this.revoker.revokeFamily(sessionId);
  }

  /** Ends every login of mine but the one making the request; returns how many ended. */
  async endOthers(principal: Principal): Promise<{ ended: number }> {
    const others = [...(await this.liveFamilies(principal.userId))].filter((id) => id !== principal.familyId);
    for (const familyId of others) await this.revoker.revokeFamily(familyId);
    return { ended: others.length };
  }

  private async liveFamilies(userId: number): Promise<Set<string>> {
    const tokens = await this.em.find(
      RefreshToken,
      { user: userId, usedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } },
      { fields: ['familyId'] },
    );
    return new Set(tokens.map((t) => t.familyId));
  }
}

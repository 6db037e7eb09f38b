import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { User, type UserRole, type UserStatus } from '../../../entities/User.ts';
import type { SessionRevoker } from '../auth/SessionRevoker.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { escapeLike } from '../shared/like.ts';
import { adminUser } from '../users/userViews.ts';
import type { Actor, AuditLog } from './AuditLog.ts';

const idCursor = z.tuple([z.number().int()]);

/** A user named by id (the API) or by username (the server CLI). */
export type UserRef = { id: number } | { username: string };

/**
 * User administration: listing, bans, roles. Every change is written in one transaction with its audit
 * entry and the revocation it causes, so running servers hear of it when it commits, wherever it was made.
 */
export class AdminService {
  constructor(
    private readonly em: EntityManager,
    private readonly sessions: SessionRevoker,
    private readonly audit: AuditLog,
  ) {}

  async listUsers(input: { q?: string; status?: UserStatus; role?: UserRole; cursor?: string; limit: number }) {
    const after = decodeCursor(input.cursor, idCursor);
    const where: Record<string, unknown> = {};
    if (input.status) where.status = input.status;
    if (input.role) where.role = input.role;
    if (input.q) {
      const like = `%${escapeLike(input.q)}%`;
      where.$or = [{ username: { $ilike: like } }, { nickname: { $ilike: like } }, { email: { $ilike: like } }];
    }
    if (after) where.id = { $gt: after[0] };
    const rows = await this.em.find(User, where, { orderBy: { id: 'asc' }, limit: input.limit + 1 });
    return toPage(rows, input.limit, adminUser, (u) => [u.id]);
  }

  /** Bans a user: every token and login dies at once and live connections are closed. */
  async ban(actor: Actor, ref: UserRef, reason: string) {
    const user = await this.findUser(ref);
    if (actor.id === user.id) throw new AppError('CANNOT_MODERATE_SELF');
    if (user.status === 'banned') throw new AppError('ALREADY_BANNED');
    await this.sessions.revokeUser(user.id, {}, async (em) => {
      // Conditional: of two concurrent bans exactly one is recorded.
      const changed = await em.nativeUpdate(
        User,
        { id: user.id, status: 'active' },
        { status: 'banned', banReason: reason },
      );
      if (changed === 0) throw new AppError('ALREADY_BANNED');
      this.audit.record(em, actor, { action: 'user.ban', targetType: 'user', targetId: user.id, reason });
    });
    return adminUser(await this.em.refreshOrFail(user));
  }

  async unban(actor: Actor, ref: UserRef, reason?: string) {
    const user = await this.findUser(ref);
    if (user.status !== 'banned') throw new AppError('NOT_BANNED');
    user.status = 'active';
    user.banReason = null;
    this.audit.record(this.em, actor, { action: 'user.unban', targetType: 'user', targetId: user.id, reason });
    await this.em.flush();
    return adminUser(user);
  }

  /**
   * Changes a role. Access tokens carry the role, so they are revoked; the user's logins survive and
   * refresh into tokens with the new role, and live connections are re-checked against it.
   */
  async setRole(actor: Actor, ref: UserRef, role: UserRole) {
    const user = await this.findUser(ref);
    const previous = user.role;
    const entry = { action: 'user.role', targetType: 'user', targetId: user.id, detail: { from: previous, to: role } };
    if (previous === role) {
      this.audit.record(this.em, actor, entry);
      await this.em.flush();
      return adminUser(user);
    }
    await this.sessions.revokeUser(user.id, { role }, async (em) => {
      await em.nativeUpdate(User, { id: user.id }, { role });
      this.audit.record(em, actor, entry);
    });
    return adminUser(await this.em.refreshOrFail(user));
  }

  private async findUser(ref: UserRef): Promise<User> {
    const user = await this.em.findOne(User, 'id' in ref ? { id: ref.id } : { username: ref.username.toLowerCase() });
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }
}

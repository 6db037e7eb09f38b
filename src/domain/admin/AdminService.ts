import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { User, type UserRole, type UserStatus } from '../../../entities/User.ts';
import type { SessionRevoker } from '../auth/SessionRevoker.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import { escapeLike } from '../shared/like.ts';
import { adminUser } from '../users/userViews.ts';
import { activeBan, whereStatus } from '../users/bans.ts';
import type { AuthService } from '../auth/AuthService.ts';
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
    private readonly auth: AuthService,
  ) {}

  /** Creates an account with any role (the address counts as verified: an admin entered it). */
  async createUser(
    actor: Actor,
    input: { username: string; email: string; password: string; role: UserRole; nickname?: string },
  ) {
    const created = await this.auth.register({ ...input, emailVerified: true });
    const user = await this.em.findOneOrFail(User, { id: created.id });
    this.audit.record(this.em, actor, {
      action: 'user.create',
      targetType: 'user',
      targetId: user.id,
      detail: { username: user.username, role: user.role },
    });
    await this.em.flush();
    return adminUser(user);
  }

  async listUsers(input: { q?: string; status?: UserStatus; role?: UserRole; cursor?: string; limit: number }) {
    const after = decodeCursor(input.cursor, idCursor);
    const and: Record<string, unknown>[] = [];
    if (input.status) and.push(whereStatus(input.status));
    if (input.role) and.push({ role: input.role });
    if (input.q) {
      const like = `%${escapeLike(input.q)}%`;
      and.push({ $or: [{ username: { $ilike: like } }, { nickname: { $ilike: like } }, { email: { $ilike: like } }] });
    }
    if (after) and.push({ id: { $gt: after[0] } });
    const where = and.length ? { $and: and } : {};
    const rows = await this.em.find(User, where, { orderBy: { id: 'asc' }, limit: input.limit + 1 });
    return toPage(rows, input.limit, adminUser, (u) => [u.id]);
  }

  /**
   * Bans a user, until `until` or without end: every token and login dies at once and live connections
   * are closed. The user is told the reason and the end when a sign-in is refused.
   */
  async ban(actor: Actor, ref: UserRef, reason: string, until?: Date) {
    const user = await this.findUser(ref);
    if (actor.id === user.id) throw new AppError('CANNOT_MODERATE_SELF');
    if (activeBan(user)) throw new AppError('ALREADY_BANNED');
    await this.sessions.revokeUser(user.id, {}, async (em) => {
      // Conditional: of two concurrent bans exactly one is recorded.
      const changed = await em.nativeUpdate(
        User,
        { id: user.id, ...whereStatus('active') },
        { status: 'banned', banReason: reason, bannedUntil: until ?? null },
      );
      if (changed === 0) throw new AppError('ALREADY_BANNED');
      this.audit.record(em, actor, {
        action: 'user.ban',
        targetType: 'user',
        targetId: user.id,
        reason,
        detail: { until: until?.toISOString() ?? null },
      });
    });
    return adminUser(await this.em.refreshOrFail(user));
  }

  async unban(actor: Actor, ref: UserRef, reason?: string) {
    const user = await this.findUser(ref);
    if (!activeBan(user)) throw new AppError('NOT_BANNED');
    user.status = 'active';
    user.banReason = null;
    user.bannedUntil = null;
    this.audit.record(this.em, actor, { action: 'user.unban', targetType: 'user', targetId: user.id, reason });
    await this.em.flush();
    return adminUser(user);
  }

  /**
   * Changes a role. Access tokens carry the role, so they are revoked; the user's logins survive and
   * refresh into tokens with the new role, and live connections are re-checked against it.
   */
  async setRole(actor: Actor, ref: UserRef, role: UserRole, reason?: string) {
    const user = await this.findUser(ref);
    // The CLI (no actor id) stays the way to change an admin's role, the first admin's included.
    if (actor.id === user.id) throw new AppError('CANNOT_CHANGE_OWN_ROLE');
    const previous = user.role;
    const entry = {
      action: 'user.role',
      targetType: 'user',
      targetId: user.id,
      reason: reason ?? null,
      detail: { from: previous, to: role },
    };
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
    const user = await this.em.findOne(User, {
      ...('id' in ref ? { id: ref.id } : { username: ref.username.toLowerCase() }),
      status: { $ne: 'deleted' },
    });
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }
}

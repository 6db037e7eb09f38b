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

/** User administration: listing, bans, roles. Every change is written together with its audit entry. */
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

  /** Bans a user: every token dies at once and live connections are closed. */
  async ban(actor: Actor, userId: number, reason: string) {
    if (actor.id === userId) throw new AppError('CANNOT_MODERATE_SELF');
    const user = await this.findUser(userId);
    if (user.status === 'banned') throw new AppError('ALREADY_BANNED');
    user.status = 'banned';
    user.banReason = reason;
    this.audit.record(this.em, actor, { action: 'user.ban', targetType: 'user', targetId: user.id, reason });
    await this.em.flush();
    await this.sessions.revokeAllOfUser(user.id);
    return adminUser(await this.em.refreshOrFail(user));
  }

  async unban(actor: Actor, userId: number, reason?: string) {
    const user = await this.findUser(userId);
    if (user.status !== 'banned') throw new AppError('NOT_BANNED');
    user.status = 'active';
    user.banReason = null;
    this.audit.record(this.em, actor, { action: 'user.unban', targetType: 'user', targetId: user.id, reason });
    await this.em.flush();
    return adminUser(user);
  }

  /** Changes a role; existing tokens carry the old role, so they are revoked. */
  async setRole(actor: Actor, username: string, role: UserRole) {
    const user = await this.em.findOne(User, { username: username.toLowerCase() });
    if (!user) throw new AppError('USER_NOT_FOUND');
    const previous = user.role;
    user.role = role;
    this.audit.record(this.em, actor, { action: 'user.role', targetType: 'user', targetId: user.id, detail: { from: previous, to: role } });
    await this.em.flush();
    if (previous !== role) await this.sessions.revokeAllOfUser(user.id);
    return adminUser(user);
  }

  private async findUser(userId: number): Promise<User> {
    const user = await this.em.findOne(User, { id: userId });
    if (!user) throw new AppError('USER_NOT_FOUND');
    return user;
  }
}

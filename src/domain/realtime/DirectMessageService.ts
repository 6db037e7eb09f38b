import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { DirectMessage } from '../../../entities/DirectMessage.ts';
import { User } from '../../../entities/User.ts';
import { UserBlock } from '../../../entities/UserBlock.ts';
import { channels, type HomeEvent, type RealtimeBus } from './RealtimeBus.ts';
import { dmView, iso, type DmView } from './views.ts';
import type { Author } from './ChatService.ts';

export interface ConversationView {
  user_id: number;
  username: string;
  nickname: string;
  unread: number;
  last_message: { id: number; from_user_id: number; text: string; created_at: string };
}

/**
 * Direct messages. A DM is committed, then announced to both users' home actors. Rows the recipient's
 * home has not delivered stay `deliveredAt = null`: that is the offline queue, kept across restarts.
 */
export class DirectMessageService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
  ) {}

  async send(from: Author, toUserId: number, text: string): Promise<DmView> {
    if (toUserId === from.userId) throw new AppError('CANNOT_TARGET_SELF');
    const recipient = await this.em.findOne(User, { id: toUserId, status: 'active' }, { fields: ['id'] });
    if (!recipient) throw new AppError('USER_NOT_FOUND');
    if (await this.em.count(UserBlock, { blockerId: toUserId, blockedId: from.userId })) throw new AppError('RECIPIENT_BLOCKS_YOU');
    const message = this.em.create(DirectMessage, { fromUserId: from.userId, toUserId, text } as never);
    await this.em.flush();
    const view = dmView(message, from.username);
    this.bus.publish(channels.home(toUserId), { kind: 'dm', message: view } satisfies HomeEvent);
    this.bus.publish(channels.home(from.userId), { kind: 'dm', message: view } satisfies HomeEvent);
    return view;
  }

  /** The offline queue of `userId`, oldest first. */
  async undelivered(userId: number, limit = 1000): Promise<DmView[]> {
    return this.withNames(await this.em.find(DirectMessage, { toUserId: userId, deliveredAt: null }, { orderBy: { id: 'asc' }, limit }));
  }

  async markDelivered(userId: number, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.em.nativeUpdate(DirectMessage, { id: { $in: ids }, toUserId: userId, deliveredAt: null }, { deliveredAt: new Date() });
  }

  /** DMs to or from `userId` after `afterId`, oldest first (catch-up after a reconnect). */
  async since(userId: number, afterId: number, limit = 500): Promise<DmView[]> {
    const rows = await this.em.find(
      DirectMessage,
      { id: { $gt: afterId }, $or: [{ toUserId: userId }, { fromUserId: userId }] },
      { orderBy: { id: 'asc' }, limit },
    );
    return this.withNames(rows);
  }

  async latestId(): Promise<number> {
    const [row] = await this.em.execute<{ max: number | null }[]>('select max(id) as max from direct_messages');
    return Number(row?.max ?? 0);
  }

  /** My conversations, latest first, with unread counts. */
  async conversations(userId: number): Promise<ConversationView[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `with mine as (
         select case when from_user_id = ? then to_user_id else from_user_id end as peer, id, from_user_id, text, created_at, read_at, to_user_id
           from direct_messages where from_user_id = ? or to_user_id = ?),
       last as (select distinct on (peer) peer, id, from_user_id, text, created_at from mine order by peer, id desc)
       select l.*, u.username, u.nickname,
         (select count(*) from mine m where m.peer = l.peer and m.to_user_id = ? and m.read_at is null) as unread
       from last l join users u on u.id = l.peer order by l.id desc`,
      [userId, userId, userId, userId],
    );
    return rows.map((r) => ({
      user_id: Number(r.peer),
      username: String(r.username),
      nickname: String(r.nickname),
      unread: Number(r.unread),
      last_message: { id: Number(r.id), from_user_id: Number(r.from_user_id), text: String(r.text), created_at: iso(r.created_at)! },
    }));
  }

  /** One conversation, newest first; `before` is an exclusive message id. */
  async messages(userId: number, peerId: number, input: { before?: number; limit: number }): Promise<{ items: DmView[]; next_before: number | null }> {
    const where: Record<string, unknown> = {
      $or: [{ fromUserId: userId, toUserId: peerId }, { fromUserId: peerId, toUserId: userId }],
    };
    if (input.before) where.id = { $lt: input.before };
    const rows = await this.em.find(DirectMessage, where, { orderBy: { id: 'desc' }, limit: input.limit + 1 });
    const hasMore = rows.length > input.limit;
    const items = await this.withNames(rows.slice(0, input.limit));
    return { items, next_before: hasMore ? items[items.length - 1].id : null };
  }

  /** Marks every message from `peerId` to me as read (and delivered). Returns how many changed. */
  async markRead(userId: number, peerId: number): Promise<number> {
    const now = new Date();
    await this.em.nativeUpdate(DirectMessage, { fromUserId: peerId, toUserId: userId, deliveredAt: null }, { deliveredAt: now });
    return this.em.nativeUpdate(DirectMessage, { fromUserId: peerId, toUserId: userId, readAt: null }, { readAt: now });
  }

  async unreadCount(userId: number): Promise<number> {
    return this.em.count(DirectMessage, { toUserId: userId, readAt: null });
  }

  private async withNames(rows: DirectMessage[]): Promise<DmView[]> {
    const ids = [...new Set(rows.map((r) => r.fromUserId))];
    const users = ids.length ? await this.em.find(User, { id: { $in: ids } }, { fields: ['id', 'username'] }) : [];
    const names = new Map(users.map((u) => [u.id, u.username]));
    return rows.map((r) => dmView(r, names.get(r.fromUserId) ?? '?'));
  }
}

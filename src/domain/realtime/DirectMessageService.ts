import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { DirectMessage } from '../../../entities/DirectMessage.ts';
import { User } from '../../../entities/User.ts';
import { UserBlock } from '../../../entities/UserBlock.ts';
import { channels, type HomeEvent, type RealtimeBus } from './RealtimeBus.ts';
import { dmView, iso, type DmView, type Stored } from './views.ts';
import type { Author } from './chatStore.ts';
import { SYNC_MAX } from './ChatService.ts';
import type { Page } from '../shared/pagination.ts';
import { historyPage, historyPosition, type HistoryRequest } from './historyPages.ts';
import { applyOwnChange, type MessageChange } from './ownMessages.ts';
import { attachmentIds, attachToMessage, checkAttachable } from './messageAttachments.ts';

export interface ConversationView {
  user_id: number;
  username: string;
  nickname: string;
  unread: number;
  last_message: { id: number; from_user_id: number; text: string; created_at: string };
}

/** Advisory-lock class of a user's DM stream (the second key is the user id). */
const DM_STREAM_LOCK = 30_001;

/**
 * Direct messages. A DM is committed, then announced to both users' home actors. Rows the recipient's
 * home has not delivered stay `deliveredAt = null`: that is the offline queue, kept across restarts.
 * Storing one locks both users' DM streams until it commits, so for each user ids grow in commit order
 * ("everything after id N" never misses a DM that commits later) and `seq` counts the conversation.
 */
export class DirectMessageService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
  ) {}

  /**
   * `fileIds`: the sender's own unattached files, attached once the DM is stored (see messageAttachments.ts).
   * `acceptedAt`: when the server accepted a DM it stores only now (the spool's), its `created_at`.
   */
  async send(
    from: Author,
    toUserId: number,
    text: string,
    clientMsgId?: string,
    fileIds: number[] = [],
    acceptedAt?: Date,
  ): Promise<Stored<DmView>> {
    if (clientMsgId) {
      const earlier = await this.em.findOne(DirectMessage, { fromUserId: from.userId, clientMsgId });
      if (earlier) return { view: await this.original(earlier, toUserId), duplicate: true };
    }
    if (toUserId === from.userId) throw new AppError('CANNOT_TARGET_SELF');
    const recipient = await this.em.findOne(User, { id: toUserId, status: 'active' }, { fields: ['id'] });
    if (!recipient) throw new AppError('USER_NOT_FOUND');
    if (await this.em.count(UserBlock, { blockerId: toUserId, blockedId: from.userId }))
      throw new AppError('RECIPIENT_BLOCKS_YOU');
    await checkAttachable(this.em, from.userId, fileIds);
    let message: DirectMessage;
    try {
      message = await this.insert(from.userId, toUserId, text, clientMsgId, acceptedAt);
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException) || !clientMsgId) throw err;
      const earlier = await this.em.findOneOrFail(DirectMessage, { fromUserId: from.userId, clientMsgId });
      return { view: await this.original(earlier, toUserId), duplicate: true };
    }
    const attached = await attachToMessage(this.em, from.userId, fileIds, { directMessageId: message.id });
    const view = dmView(message, from.username, attached);
    const unread = await this.unreadCount(toUserId);
    this.bus.publish(channels.home(toUserId), { kind: 'dm', message: view, unread } satisfies HomeEvent);
    this.bus.publish(channels.home(from.userId), { kind: 'dm', message: view } satisfies HomeEvent);
    return { view, duplicate: false };
  }

  /**
   * Edits or deletes the author's own DM (the rule in ownMessages.ts, the same as in groups) and tells
   * both users' homes. Someone outside the conversation learns nothing: MESSAGE_NOT_FOUND.
   */
  async change(userId: number, messageId: number, change: MessageChange): Promise<DmView> {
    const message = await this.em.findOne(DirectMessage, {
      id: messageId,
      $or: [{ fromUserId: userId }, { toUserId: userId }],
    });
    applyOwnChange(message, (m) => m.fromUserId, userId, change);
    await this.em.flush();
    const [view] = await this.withNames([message!]);
    const kind = 'text' in change ? 'dm_updated' : 'dm_deleted';
    for (const user of [message!.fromUserId, message!.toUserId])
      this.bus.publish(channels.home(user), { kind, message: view } satisfies HomeEvent);
    return view;
  }

  /** The offline queue of `userId`, oldest first. */
  async undelivered(userId: number, limit = 1000): Promise<DmView[]> {
    return this.withNames(
      await this.em.find(DirectMessage, { toUserId: userId, deliveredAt: null }, { orderBy: { id: 'asc' }, limit }),
    );
  }

  async markDelivered(userId: number, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.em.nativeUpdate(
      DirectMessage,
      { id: { $in: ids }, toUserId: userId, deliveredAt: null },
      { deliveredAt: new Date() },
    );
  }

  /** DMs to or from `userId` after `afterId`, oldest first, a page at a time (catch-up). */
  async since(userId: number, afterId: number, limit = SYNC_MAX): Promise<{ items: DmView[]; has_more: boolean }> {
    const take = Math.min(limit, SYNC_MAX);
    const rows = await this.em.find(
      DirectMessage,
      { id: { $gt: afterId }, $or: [{ toUserId: userId }, { fromUserId: userId }] },
      { orderBy: { id: 'asc' }, limit: take + 1 },
    );
    return { items: await this.withNames(rows.slice(0, take)), has_more: rows.length > take };
  }

  /** My conversations, latest first, with unread counts. */
  async conversations(userId: number): Promise<ConversationView[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `with mine as (
         select case when from_user_id = ? then to_user_id else from_user_id end as peer, id, from_user_id,
           case when deleted_at is null then text else '' end as text, created_at, read_at, to_user_id
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
      last_message: {
        id: Number(r.id),
        from_user_id: Number(r.from_user_id),
        text: String(r.text),
        created_at: iso(r.created_at)!,
      },
    }));
  }

  /** One conversation: newest first (from the latest, or on from a cursor), or oldest first after `after`. */
  async messages(userId: number, peerId: number, input: HistoryRequest): Promise<Page<DmView>> {
    const at = historyPosition(input);
    const where: Record<string, unknown> = {
      $or: [
        { fromUserId: userId, toUserId: peerId },
        { fromUserId: peerId, toUserId: userId },
      ],
    };
    if (at.forward) where.id = { $gt: at.after };
    else if (at.before) where.id = { $lt: at.before };
    const rows = await this.em.find(DirectMessage, where, {
      orderBy: { id: at.forward ? 'asc' : 'desc' },
      limit: input.limit + 1,
    });
    const page = historyPage(rows, input.limit, at.forward);
    return { ...page, items: await this.withNames(page.items) };
  }

  /**
   * Marks every message from `peerId` to me as read (and delivered) and tells `peerId`'s home they were
   * seen (`dm_seen`). Returns how many changed.
   */
  async markRead(userId: number, peerId: number): Promise<number> {
    const now = new Date();
    const conversation = { fromUserId: peerId, toUserId: userId };
    const [latest] = await this.em.find(
      DirectMessage,
      { ...conversation, readAt: null },
      { fields: ['id'], orderBy: { id: 'desc' }, limit: 1 },
    );
    if (!latest) return 0;
    const upTo = { ...conversation, id: { $lte: latest.id } };
    await this.em.nativeUpdate(DirectMessage, { ...upTo, deliveredAt: null }, { deliveredAt: now });
    const marked = await this.em.nativeUpdate(DirectMessage, { ...upTo, readAt: null }, { readAt: now });
    const seen = { user_id: userId, up_to_id: latest.id, read_at: now.toISOString() };
    this.bus.publish(channels.home(peerId), { kind: 'dm_seen', seen } satisfies HomeEvent);
    return marked;
  }

  async unreadCount(userId: number): Promise<number> {
    return this.em.count(DirectMessage, { toUserId: userId, readAt: null });
  }

  /** Locks both users' streams (lower id first, so two senders never deadlock), then draws the id and the seq. */
  private async insert(
    fromUserId: number,
    toUserId: number,
    text: string,
    clientMsgId?: string,
    acceptedAt?: Date,
  ): Promise<DirectMessage> {
    const [low, high] = fromUserId < toUserId ? [fromUserId, toUserId] : [toUserId, fromUserId];
    const id = await this.em.transactional(async (em) => {
      await em.execute('select pg_advisory_xact_lock(?, ?), pg_advisory_xact_lock(?, ?)', [
        DM_STREAM_LOCK,
        low,
        DM_STREAM_LOCK,
        high,
      ]);
      const [row] = await em.execute<{ id: number }[]>(
        `insert into direct_messages (from_user_id, to_user_id, seq, text, client_msg_id, created_at)
         values (?, ?, coalesce((select seq from direct_messages
                                  where (from_user_id = ? and to_user_id = ?) or (from_user_id = ? and to_user_id = ?)
                                  order by id desc limit 1), 0) + 1, ?, ?::uuid, coalesce(?::timestamptz, clock_timestamp()))
         returning id`,
        [
          fromUserId,
          toUserId,
          fromUserId,
          toUserId,
          toUserId,
          fromUserId,
          text,
          clientMsgId ?? null,
          acceptedAt?.toISOString() ?? null,
        ],
      );
      return Number(row.id);
    });
    return this.em.findOneOrFail(DirectMessage, { id });
  }

  /** A repeat must name the same recipient; it gets the message as first stored. */
  private async original(message: DirectMessage, toUserId: number): Promise<DmView> {
    if (message.toUserId !== toUserId) {
      throw new AppError('VALIDATION_FAILED', {
        message: 'This client_msg_id was already used for another message',
        detail: [{ path: 'client_msg_id', message: 'already used for a message to someone else' }],
      });
    }
    return (await this.withNames([message]))[0];
  }

  private async withNames(rows: DirectMessage[]): Promise<DmView[]> {
    const ids = [...new Set(rows.map((r) => r.fromUserId))];
    const users = ids.length ? await this.em.find(User, { id: { $in: ids } }, { fields: ['id', 'username'] }) : [];
    const names = new Map(users.map((u) => [u.id, u.username]));
    const files = await attachmentIds(this.em, { directMessageIds: rows.map((r) => r.id) });
    return rows.map((r) => dmView(r, names.get(r.fromUserId) ?? '?', files.get(r.id)));
  }
}

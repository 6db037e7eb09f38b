import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { ChatGroup } from '../../../entities/ChatGroup.ts';
import { ChatMember } from '../../../entities/ChatMember.ts';
import { ChatMessage, type ChatMessageKind } from '../../../entities/ChatMessage.ts';
import { User } from '../../../entities/User.ts';
import { channels, type GroupEvent, type HomeEvent, type RealtimeBus } from './RealtimeBus.ts';
import { chatMessageView, groupView, iso, type ChatMessageView, type GroupView } from './views.ts';

export interface Author {
  userId: number;
  username: string;
}

export interface MyGroupView extends GroupView {
  member_count: number;
  unread: number;
  last_read_message_id: number;
  last_message: { id: number; kind: string; from: string | null; text: string; created_at: string } | null;
}

export interface MemberView {
  user_id: number;
  username: string;
  nickname: string;
  last_read_message_id: number;
  joined_at: string;
}

export const HISTORY_MAX = 100;
const PREVIEW_CHARS = 200;

/**
 * Chat groups, membership and messages. Every message is committed before it is returned, so whatever
 * a room broadcasts is already in the history; ids come from the table's sequence and give one order.
 */
export class ChatService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
    private readonly options: { defaultRetention: number | null },
  ) {}

  async createGroup(owner: Author, input: { name: string; retain_messages?: number | null }): Promise<GroupView> {
    const group = await this.em.transactional(async (em) => {
      const g = em.create(ChatGroup, {
        name: input.name,
        ownerId: owner.userId,
        retainMessages: input.retain_messages === undefined ? this.options.defaultRetention : input.retain_messages,
      } as never);
      await em.flush();
      em.create(ChatMember, { groupId: g.id, userId: owner.userId } as never);
      await this.insertMessage(em, g, { kind: 'system', author: null, text: `${owner.username} created the group "${input.name}"` });
      return g;
    });
    return groupView(group);
  }

  async getGroup(groupId: number): Promise<ChatGroup> {
    const group = await this.em.findOne(ChatGroup, { id: groupId });
    if (!group) throw new AppError('GROUP_NOT_FOUND');
    return group;
  }

  async requireMember(groupId: number, userId: number): Promise<ChatMember> {
    await this.getGroup(groupId);
    const member = await this.em.findOne(ChatMember, { groupId, userId });
    if (!member) throw new AppError('NOT_GROUP_MEMBER');
    return member;
  }

  async isMember(groupId: number, userId: number): Promise<boolean> {
    return (await this.em.count(ChatMember, { groupId, userId })) > 0;
  }

  async groupDetail(groupId: number, viewerId: number): Promise<GroupView & { members: MemberView[] }> {
    const group = await this.getGroup(groupId);
    await this.requireMember(groupId, viewerId);
    return { ...groupView(group), members: await this.members(groupId) };
  }

  async members(groupId: number): Promise<MemberView[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select u.id, u.username, u.nickname, m.last_read_message_id, m.joined_at
         from chat_members m join users u on u.id = m.user_id where m.group_id = ? order by m.id`,
      [groupId],
    );
    return rows.map((r) => ({
      user_id: Number(r.id),
      username: String(r.username),
      nickname: String(r.nickname),
      last_read_message_id: Number(r.last_read_message_id),
      joined_at: iso(r.joined_at)!,
    }));
  }

  /** Groups I belong to, latest activity first, with a preview and my unread count (Klav's my_rooms). */
  async myGroups(userId: number): Promise<MyGroupView[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select g.*, m.last_read_message_id as my_cursor,
         (select count(*) from chat_members x where x.group_id = g.id) as member_count,
         (select count(*) from chat_messages c where c.group_id = g.id and c.id > m.last_read_message_id
            and c.deleted_at is null and (c.author_id is null or c.author_id <> ?)
            and (c.kind <> 'room_dm' or c.to_user_id = ?)) as unread
       from chat_groups g join chat_members m on m.group_id = g.id and m.user_id = ?
       order by g.last_message_id desc nulls last, g.id desc`,
      [userId, userId, userId],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      name: String(r.name),
      owner_id: Number(r.owner_id),
      retain_messages: r.retain_messages === null ? null : Number(r.retain_messages),
      created_at: iso(r.created_at)!,
      member_count: Number(r.member_count),
      unread: Number(r.unread),
      last_read_message_id: Number(r.my_cursor),
      last_message: r.last_message_id
        ? {
            id: Number(r.last_message_id),
            kind: String(r.last_message_kind),
            from: (r.last_message_from as string | null) ?? null,
            text: String(r.last_message_text ?? ''),
            created_at: iso(r.last_message_at)!,
          }
        : null,
    }));
  }

  async join(groupId: number, user: Author): Promise<ChatMessageView> {
    const group = await this.getGroup(groupId);
    if (await this.isMember(groupId, user.userId)) throw new AppError('ALREADY_GROUP_MEMBER');
    return this.addMember(group, user.userId, `${user.username} joined`);
  }

  async invite(groupId: number, inviter: Author, targetUserId: number): Promise<ChatMessageView> {
    const group = await this.getGroup(groupId);
    await this.requireMember(groupId, inviter.userId);
    const target = await this.em.findOne(User, { id: targetUserId, status: 'active' }, { fields: ['id', 'username'] });
    if (!target) throw new AppError('USER_NOT_FOUND');
    if (await this.isMember(groupId, targetUserId)) throw new AppError('ALREADY_GROUP_MEMBER');
    const view = await this.addMember(group, targetUserId, `${inviter.username} added ${target.username}`);
    this.bus.publish(channels.home(targetUserId), {
      kind: 'notification',
      notification: {
        type: 'group_invite', text: `${inviter.username} added you to "${group.name}"`,
        from_user_id: inviter.userId, group_id: groupId, created_at: view.created_at,
      },
    } satisfies HomeEvent);
    return view;
  }

  async leave(groupId: number, user: Author): Promise<ChatMessageView> {
    const group = await this.getGroup(groupId);
    const view = await this.em.transactional(async (em) => {
      const removed = await em.nativeDelete(ChatMember, { groupId, userId: user.userId });
      if (removed === 0) throw new AppError('NOT_GROUP_MEMBER');
      return this.insertMessage(em, group, { kind: 'system', author: null, text: `${user.username} left` });
    });
    this.announce(groupId, view, true);
    return view;
  }

  async rename(groupId: number, actor: Author, changes: { name?: string; retain_messages?: number | null }): Promise<GroupView> {
    const group = await this.getGroup(groupId);
    if (group.ownerId !== actor.userId) throw new AppError('FORBIDDEN', { message: 'Only the group owner may change it' });
    let view: ChatMessageView | undefined;
    await this.em.transactional(async (em) => {
      const g = await em.findOneOrFail(ChatGroup, { id: groupId });
      if (changes.retain_messages !== undefined) g.retainMessages = changes.retain_messages;
      if (changes.name !== undefined && changes.name !== g.name) {
        const old = g.name;
        g.name = changes.name;
        view = await this.insertMessage(em, g, { kind: 'system', author: null, text: `${actor.username} renamed the group from "${old}" to "${changes.name}"` });
      }
      await em.flush();
      Object.assign(group, { name: g.name, retainMessages: g.retainMessages });
    });
    if (view) this.announce(groupId, view, true);
    return groupView(group);
  }

  /**
   * Stores a message (committed before this returns). The author's membership is the caller's check
   * (the chat room verifies it at join and evicts removed members); a room_dm target must be a member.
   */
  async post(groupId: number, author: Author, input: { kind: 'msg' | 'room_dm'; text: string; toUserId?: number }): Promise<ChatMessageView> {
    if (input.kind === 'room_dm') {
      if (input.toUserId === author.userId) throw new AppError('CANNOT_TARGET_SELF');
      if (!input.toUserId || !(await this.isMember(groupId, input.toUserId))) throw new AppError('RECIPIENT_NOT_IN_GROUP');
    }
    return this.insertMessage(this.em, { id: groupId }, { kind: input.kind, author, text: input.text, toUserId: input.toUserId });
  }

  /** A system notice into a group (admin broadcast); announced to the live room. */
  async postSystem(groupId: number, text: string): Promise<ChatMessageView> {
    const group = await this.getGroup(groupId);
    const view = await this.em.transactional((em) => this.insertMessage(em, group, { kind: 'system', author: null, text }));
    this.announce(groupId, view, false);
    return view;
  }

  async edit(groupId: number, messageId: number, userId: number, text: string): Promise<ChatMessageView> {
    const message = await this.ownMessage(groupId, messageId, userId);
    message.text = text;
    message.editedAt = new Date();
    await this.em.flush();
    return chatMessageView(message);
  }

  async remove(groupId: number, messageId: number, userId: number): Promise<ChatMessageView> {
    const message = await this.ownMessage(groupId, messageId, userId);
    message.deletedAt = new Date();
    await this.em.flush();
    return chatMessageView(message);
  }

  /** Moves my read cursor forward (never back). Returns the cursor now stored. */
  async markRead(groupId: number, userId: number, messageId: number): Promise<number> {
    await this.requireMember(groupId, userId);
    await this.em.nativeUpdate(ChatMember, { groupId, userId, lastReadMessageId: { $lt: messageId } }, { lastReadMessageId: messageId });
    const member = await this.em.findOneOrFail(ChatMember, { groupId, userId }, { refresh: true });
    return member.lastReadMessageId;
  }

  /** Newest first, `before` an exclusive message id; only what `viewerId` may see. */
  async history(groupId: number, viewerId: number, input: { before?: number; limit: number }): Promise<{ items: ChatMessageView[]; next_before: number | null }> {
    await this.requireMember(groupId, viewerId);
    const limit = Math.min(input.limit, HISTORY_MAX);
    const where: Record<string, unknown> = { groupId, ...this.visibleTo(viewerId) };
    if (input.before) where.id = { $lt: input.before };
    const rows = await this.em.find(ChatMessage, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
    const hasMore = rows.length > limit;
    const items = rows.slice(0, limit).map(chatMessageView);
    return { items, next_before: hasMore ? items[items.length - 1].id : null };
  }

  /** Everything after `afterId` that `viewerId` may see, oldest first (catch-up after a reconnect). */
  async since(groupId: number, viewerId: number, afterId: number, limit = 500): Promise<ChatMessageView[]> {
    const where: Record<string, unknown> = { groupId, id: { $gt: afterId }, ...this.visibleTo(viewerId) };
    const rows = await this.em.find(ChatMessage, where, { orderBy: { id: 'asc' }, limit });
    return rows.map(chatMessageView);
  }

  /** Latest public messages (no room_dm) oldest first, for a room's state window. */
  async latestPublic(groupId: number, count: number): Promise<ChatMessageView[]> {
    const rows = await this.em.find(ChatMessage, { groupId, kind: { $ne: 'room_dm' } }, { orderBy: { id: 'desc' }, limit: count });
    return rows.reverse().map(chatMessageView);
  }

  private visibleTo(viewerId: number): Record<string, unknown> {
    return { $or: [{ kind: { $ne: 'room_dm' } }, { authorId: viewerId }, { toUserId: viewerId }] };
  }

  private async ownMessage(groupId: number, messageId: number, userId: number): Promise<ChatMessage> {
    const message = await this.em.findOne(ChatMessage, { id: messageId, groupId });
    if (!message || message.deletedAt) throw new AppError('MESSAGE_NOT_FOUND');
    if (message.authorId !== userId) throw new AppError('NOT_MESSAGE_AUTHOR');
    return message;
  }

  private async addMember(group: ChatGroup, userId: number, text: string): Promise<ChatMessageView> {
    const view = await this.em.transactional(async (em) => {
      em.create(ChatMember, { groupId: group.id, userId } as never);
      await em.flush();
      return this.insertMessage(em, group, { kind: 'system', author: null, text });
    });
    this.announce(group.id, view, true);
    return view;
  }

  private announce(groupId: number, message: ChatMessageView, membersChanged: boolean): void {
    this.bus.publish(channels.group(groupId), { kind: 'message', message } satisfies GroupEvent);
    if (membersChanged) this.bus.publish(channels.group(groupId), { kind: 'members_changed' } satisfies GroupEvent);
  }

  /**
   * One statement: insert the message, update the group's preview (not for room_dm) and prune beyond the
   * group's retention. Atomic on its own, and cheap enough for the hot path of every chat message.
   */
  private async insertMessage(
    em: EntityManager,
    group: { id: number },
    input: { kind: ChatMessageKind; author: Author | null; text: string; toUserId?: number },
  ): Promise<ChatMessageView> {
    const rows = await em.execute<Record<string, unknown>[]>(
      `with m as (
         insert into chat_messages (group_id, kind, author_id, author_name, to_user_id, text, created_at)
         values (?, ?, ?, ?, ?, ?, clock_timestamp()) returning *),
       g as (
         update chat_groups set last_message_id = m.id, last_message_at = m.created_at, last_message_text = left(m.text, ${PREVIEW_CHARS}),
           last_message_from = m.author_name, last_message_kind = m.kind
         from m where chat_groups.id = m.group_id and m.kind <> 'room_dm'
         returning chat_groups.retain_messages),
       d as (
         delete from chat_messages where group_id = ? and id <= (
           select c.id from chat_messages c where c.group_id = ? and (select retain_messages from g) is not null
           order by c.id desc offset greatest((select retain_messages from g) - 1, 0) limit 1))
       select * from m`,
      [group.id, input.kind, input.author?.userId ?? null, input.author?.username ?? null, input.toUserId ?? null, input.text, group.id, group.id],
    );
    const r = rows[0];
    return {
      id: Number(r.id),
      group_id: Number(r.group_id),
      kind: r.kind as ChatMessageKind,
      author_id: r.author_id === null ? null : Number(r.author_id),
      author_name: (r.author_name as string | null) ?? null,
      to_user_id: r.to_user_id === null ? null : Number(r.to_user_id),
      text: String(r.text),
      created_at: iso(r.created_at)!,
      edited_at: null,
      deleted: false,
    };
  }
}

export const GroupNameSchema = z.string().trim().min(1).max(100);

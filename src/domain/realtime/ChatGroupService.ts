import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { ChatGroup, type GroupVisibility } from '../../../entities/ChatGroup.ts';
import { ChatMember } from '../../../entities/ChatMember.ts';
import { User, type UserRole } from '../../../entities/User.ts';
import type { Page } from '../shared/pagination.ts';
import { channels, type GroupEvent, type RealtimeBus } from './RealtimeBus.ts';
import { insertChatMessage, type Author } from './chatStore.ts';
import type { NotificationService } from './NotificationService.ts';
import { groupView, iso, type ChatMessageView, type GroupView } from './views.ts';
import { discoverGroups, myGroups, type DiscoveredGroupView, type MyGroupView } from './groupListings.ts';
import { GroupCreationLimits, type GroupLimits } from './GroupCreationLimits.ts';
import type { LimiterStore } from '../shared/rateLimits.ts';

export type { DiscoveredGroupView, MyGroupView } from './groupListings.ts';
export type { GroupLimits } from './GroupCreationLimits.ts';

/** Who acts on a group: admins may do what owners do, and invite to or join any group. */
export interface Actor extends Author {
  role: UserRole;
}

export interface GroupSettings {
  name?: string;
  retain_messages?: number | null;
  visibility?: GroupVisibility;
  history_visible_to_new_members?: boolean;
}

export interface MemberView {
  user_id: number;
  username: string;
  nickname: string;
  last_read_message_id: number;
  joined_at: string;
}

/**
 * Chat groups and who is in them: private groups (join by invitation from a member or an admin) and
 * open ones (anyone may join; listed by `discover`), removal and ownership. Every membership change is
 * a system message in the group and a `members_changed` event its live room acts on.
 */
export class ChatGroupService {
  private readonly creationLimits: GroupCreationLimits;

  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
    private readonly notifications: NotificationService,
    private readonly limits: GroupLimits,
    limiterStore?: LimiterStore,
  ) {
    this.creationLimits = new GroupCreationLimits(limits, limiterStore);
  }

  async create(owner: Author, input: GroupSettings & { name: string }): Promise<GroupView> {
    await this.creationLimits.check(this.em, owner.userId);
    const group = await this.em.transactional(async (em) => {
      const g = em.create(ChatGroup, {
        name: input.name,
        ownerId: owner.userId,
        visibility: input.visibility ?? 'private',
        historyVisibleToNewMembers: input.history_visible_to_new_members ?? true,
        retainMessages: input.retain_messages === undefined ? this.limits.defaultRetention : input.retain_messages,
      });
      await em.flush();
      em.create(ChatMember, { groupId: g.id, userId: owner.userId });
      await em.flush();
      await insertChatMessage(em, g.id, {
        kind: 'system',
        author: null,
        text: `${owner.username} created the group "${input.name}"`,
      });
      return g;
    });
    return groupView(group);
  }

  async get(groupId: number): Promise<ChatGroup> {
    const group = await this.em.findOne(ChatGroup, { id: groupId });
    if (!group) throw new AppError('GROUP_NOT_FOUND');
    return group;
  }

  async requireMember(groupId: number, userId: number): Promise<ChatMember> {
    const member = await this.em.findOne(ChatMember, { groupId, userId });
    if (member) return member;
    await this.get(groupId);
    throw new AppError('NOT_GROUP_MEMBER');
  }

  async isMember(groupId: number, userId: number): Promise<boolean> {
    return (await this.em.count(ChatMember, { groupId, userId })) > 0;
  }

  async detail(groupId: number, viewer: Actor): Promise<GroupView & { members: MemberView[] }> {
    const group = await this.get(groupId);
    if (viewer.role !== 'admin') await this.requireMember(groupId, viewer.userId);
    return { ...groupView(group), members: await this.members(groupId) };
  }

  /** Members, longest-standing first. */
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

  /** Groups I belong to, latest activity first, with a preview and my unread count. */
  mine(userId: number): Promise<MyGroupView[]> {
    return myGroups(this.em, userId);
  }

  /** Open groups whose name contains `q`, oldest first, keyset paged. */
  discover(input: { q?: string; cursor?: string; limit: number }): Promise<Page<DiscoveredGroupView>> {
    return discoverGroups(this.em, input);
  }

  /** Joins an open group (admins may join any). */
  async join(groupId: number, user: Actor): Promise<ChatMessageView> {
    const group = await this.get(groupId);
    if (await this.isMember(groupId, user.userId)) throw new AppError('ALREADY_GROUP_MEMBER');
    if (group.visibility !== 'open' && user.role !== 'admin') throw new AppError('GROUP_PRIVATE');
    return this.addMember(group, user.userId, `${user.username} joined`);
  }

  /** A member (or an admin) adds someone; they are told by a notification. */
  async invite(groupId: number, inviter: Actor, targetUserId: number): Promise<ChatMessageView> {
    const group = await this.get(groupId);
    if (inviter.role !== 'admin') await this.requireMember(groupId, inviter.userId);
    const target = await this.em.findOne(User, { id: targetUserId, status: 'active' }, { fields: ['id', 'username'] });
    if (!target) throw new AppError('USER_NOT_FOUND');
    const view = await this.addMember(group, targetUserId, `${inviter.username} added ${target.username}`);
    await this.notifications.notify(targetUserId, {
      type: 'group_invite',
      text: `${inviter.username} added you to "${group.name}"`,
      fromUserId: inviter.userId,
      groupId,
    });
    return view;
  }

  async leave(groupId: number, user: Author): Promise<ChatMessageView> {
    await this.get(groupId);
    return this.dropMember(groupId, user.userId, `${user.username} left`);
  }

  /** The owner or an admin removes a member: their live connections close and they are told. */
  async removeMember(groupId: number, actor: Actor, targetUserId: number): Promise<ChatMessageView> {
    const group = await this.requireManager(groupId, actor);
    if (targetUserId === actor.userId)
      throw new AppError('CANNOT_TARGET_SELF', { message: 'Leave the group instead of removing yourself' });
    const target = await this.em.findOne(User, { id: targetUserId }, { fields: ['id', 'username'] });
    if (!target || !(await this.isMember(groupId, targetUserId))) {
      throw new AppError('RECIPIENT_NOT_IN_GROUP', { message: 'That user is not a member of this chat group' });
    }
    const view = await this.dropMember(groupId, targetUserId, `${actor.username} removed ${target.username}`);
    await this.notifications.notify(targetUserId, {
      type: 'group_removed',
      text: `${actor.username} removed you from "${group.name}"`,
      fromUserId: actor.userId,
      groupId,
    });
    return view;
  }

  /** The owner or an admin hands the group to another member. */
  async transferOwnership(groupId: number, actor: Actor, targetUserId: number): Promise<GroupView> {
    await this.requireManager(groupId, actor);
    const target = await this.em.findOne(User, { id: targetUserId }, { fields: ['id', 'username'] });
    if (!target || !(await this.isMember(groupId, targetUserId))) {
      throw new AppError('RECIPIENT_NOT_IN_GROUP', { message: 'The new owner must be a member of this chat group' });
    }
    const view = await this.em.transactional(async (em) => {
      await em.nativeUpdate(ChatGroup, { id: groupId }, { ownerId: targetUserId });
      return (
        await insertChatMessage(em, groupId, {
          kind: 'system',
          author: null,
          text: `${target.username} now owns the group`,
        })
      ).view;
    });
    this.announce(groupId, view, false);
    return groupView(await this.em.findOneOrFail(ChatGroup, { id: groupId }, { refresh: true }));
  }

  /** The owner or an admin changes the name, the retention, the visibility or what newcomers read. */
  async update(groupId: number, actor: Actor, changes: GroupSettings): Promise<GroupView> {
    await this.requireManager(groupId, actor);
    let view: ChatMessageView | undefined;
    const group = await this.em.transactional(async (em) => {
      const g = await em.findOneOrFail(ChatGroup, { id: groupId });
      if (changes.retain_messages !== undefined) g.retainMessages = changes.retain_messages;
      if (changes.visibility !== undefined) g.visibility = changes.visibility;
      if (changes.history_visible_to_new_members !== undefined)
        g.historyVisibleToNewMembers = changes.history_visible_to_new_members;
      const old = g.name;
      if (changes.name !== undefined) g.name = changes.name;
      await em.flush();
      if (changes.name !== undefined && changes.name !== old) {
        view = (
          await insertChatMessage(em, groupId, {
            kind: 'system',
            author: null,
            text: `${actor.username} renamed the group from "${old}" to "${changes.name}"`,
          })
        ).view;
      }
      return g;
    });
    if (view) {
      this.announce(groupId, view, false);
      this.bus.publish(channels.group(groupId), { kind: 'renamed', name: group.name } satisfies GroupEvent);
    }
    return groupView(await this.em.findOneOrFail(ChatGroup, { id: group.id }, { refresh: true }));
  }

  private async requireManager(groupId: number, actor: Actor): Promise<ChatGroup> {
    const group = await this.get(groupId);
    if (group.ownerId !== actor.userId && actor.role !== 'admin') {
      throw new AppError('FORBIDDEN', { message: 'Only the group owner or an admin may do this' });
    }
    return group;
  }

  /**
   * Adds a member and records it. When the group hides its past from newcomers, the member reads from
   * the system message that records the join onwards.
   */
  private async addMember(group: ChatGroup, userId: number, text: string): Promise<ChatMessageView> {
    if (await this.isMember(group.id, userId)) throw new AppError('ALREADY_GROUP_MEMBER');
    let view: ChatMessageView;
    try {
      view = await this.em.transactional(async (em) => {
        const { view: joined } = await insertChatMessage(em, group.id, { kind: 'system', author: null, text });
        em.create(ChatMember, {
          groupId: group.id,
          userId,
          visibleAfterId: group.historyVisibleToNewMembers ? 0 : joined.id - 1,
        });
        await em.flush();
        return joined;
      });
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AppError('ALREADY_GROUP_MEMBER');
      throw err;
    }
    this.announce(group.id, view, true);
    return view;
  }

  /** Removes a member; when it was the owner, the longest-standing member left becomes owner. */
  private async dropMember(groupId: number, userId: number, text: string): Promise<ChatMessageView> {
    const views = await this.em.transactional(async (em) => {
      const removed = await em.nativeDelete(ChatMember, { groupId, userId });
      if (removed === 0) throw new AppError('NOT_GROUP_MEMBER');
      const out = [(await insertChatMessage(em, groupId, { kind: 'system', author: null, text })).view];
      const group = await em.findOneOrFail(ChatGroup, { id: groupId }, { refresh: true });
      if (group.ownerId === userId) {
        const heir = await em.findOne(ChatMember, { groupId }, { orderBy: { id: 'asc' } });
        if (heir) {
          await em.nativeUpdate(ChatGroup, { id: groupId }, { ownerId: heir.userId });
          const user = await em.findOneOrFail(User, { id: heir.userId }, { fields: ['username'] });
          out.push(
            (
              await insertChatMessage(em, groupId, {
                kind: 'system',
                author: null,
                text: `${user.username} now owns the group`,
              })
            ).view,
          );
        }
      }
      return out;
    });
    for (const view of views) this.announce(groupId, view, false);
    this.bus.publish(channels.group(groupId), { kind: 'members_changed' } satisfies GroupEvent);
    return views[0];
  }

  private announce(groupId: number, message: ChatMessageView, membersChanged: boolean): void {
    this.bus.publish(channels.group(groupId), { kind: 'message', message } satisfies GroupEvent);
    if (membersChanged) this.bus.publish(channels.group(groupId), { kind: 'members_changed' } satisfies GroupEvent);
  }
}

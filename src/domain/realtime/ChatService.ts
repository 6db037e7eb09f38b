import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { ChatMember } from '../../../entities/ChatMember.ts';
import { ChatMessage } from '../../../entities/ChatMessage.ts';
import { channels, type GroupEvent, type RealtimeBus } from './RealtimeBus.ts';
import { insertChatMessage, insertChatMessages, type Author, type BatchedChatMessage } from './chatStore.ts';
import { chatMessageView, type ChatMessageView, type Stored } from './views.ts';
import type { ChatGroupService } from './ChatGroupService.ts';
import type { Page } from '../shared/pagination.ts';
import { historyPage, historyPosition, type HistoryRequest } from './historyPages.ts';
import { applyOwnChange, type MessageChange } from './ownMessages.ts';
import { attachmentIds, attachToMessage, checkAttachable } from './messageAttachments.ts';
import { notifyMentions } from './mentions.ts';
import type { NotificationService } from './NotificationService.ts';

export type { Author } from './chatStore.ts';

export const HISTORY_MAX = 100;
/** Most messages one `sync` reply carries; `has_more` says another page follows. */
export const SYNC_MAX = 200;

export interface SyncPage {
  /** Oldest first. */
  items: ChatMessageView[];
  /** More messages follow: send `sync` again with the last item's id. */
  has_more: boolean;
}

/**
 * The messages of chat groups. Every message is committed before it is returned, so whatever a room
 * broadcasts is already in the history; within a group ids grow in commit order (see chatStore.ts).
 * What a member reads: public messages, room_dms to or from them, and — when the group hides its past
 * from newcomers — only what came after they joined.
 */
export class ChatService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
    private readonly groups: ChatGroupService,
    private readonly notifications: NotificationService,
  ) {}

  /**
   * Stores a message from a member (the membership check is part of the insert). A room_dm target must
   * be a member. A repeated client_msg_id returns the original with `duplicate: true`. `fileIds`: the
   * author's own unattached files, attached once the message is stored (see messageAttachments.ts).
   * `acceptedAt`: when the server accepted a message it stores only now (the spool's), its `created_at`.
   */
  async post(
    groupId: number,
    author: Author,
    input: {
      kind: 'msg' | 'room_dm';
      text: string;
      toUserId?: number;
      clientMsgId?: string;
      fileIds?: number[];
      acceptedAt?: Date;
    },
  ): Promise<Stored<ChatMessageView>> {
    const { fileIds = [], ...message } = input;
    if (message.kind === 'room_dm') {
      if (message.toUserId === author.userId) throw new AppError('CANNOT_TARGET_SELF');
      if (!message.toUserId || !(await this.groups.isMember(groupId, message.toUserId)))
        throw new AppError('RECIPIENT_NOT_IN_GROUP');
    }
    // A repeat carries files already attached to its original: the store below answers it as a duplicate.
    if (fileIds.length && !(await this.isRepeat(author.userId, message.clientMsgId)))
      await checkAttachable(this.em, author.userId, fileIds);
    const result = await insertChatMessage(this.em, groupId, { ...message, author, authorMustBeMember: true });
    const { view } = result;
    if (result.duplicate)
      view.file_ids = (await attachmentIds(this.em, { chatMessageIds: [view.id] })).get(view.id) ?? [];
    else if (fileIds.length)
      view.file_ids = await attachToMessage(this.em, author.userId, fileIds, { chatMessageId: view.id });
    if (!result.duplicate) await notifyMentions(this.em, this.notifications, author, view);
    return result;
  }

  /**
   * Stores several plain messages (`msg`, no files) of one group in one statement, in order (see
   * insertChatMessages); one outcome per message, in the same order: its stored view, or the error its
   * sender should hear. A message the batch did not store (not a member, a repeat) goes through `post`
   * alone, after the batch: ids still grow in the order the outcomes are delivered.
   */
  async postMany(groupId: number, messages: BatchedChatMessage[]): Promise<(Stored<ChatMessageView> | Error)[]> {
    // One message alone: the one-message statement plans and runs in ~2/3 of the batch statement's time.
    const views = messages.length > 1 ? await insertChatMessages(this.em, groupId, messages) : [null];
    const outcomes: (Stored<ChatMessageView> | Error)[] = [];
    for (const [i, view] of views.entries()) {
      const { author, text, clientMsgId } = messages[i];
      try {
        if (view) await notifyMentions(this.em, this.notifications, author, view);
        outcomes.push(
          view ? { view, duplicate: false } : await this.post(groupId, author, { kind: 'msg', text, clientMsgId }),
        );
      } catch (err) {
        outcomes.push(err instanceof Error ? err : new Error(String(err)));
      }
    }
    return outcomes;
  }

  /** A system notice into a group (admin broadcast); announced to the live room. */
  async postSystem(groupId: number, text: string): Promise<ChatMessageView> {
    const { view } = await insertChatMessage(this.em, groupId, { kind: 'system', author: null, text });
    this.bus.publish(channels.group(groupId), { kind: 'message', message: view } satisfies GroupEvent);
    return view;
  }

  /** Edits or deletes the author's own message (the rule in ownMessages.ts, the same as for DMs). */
  async change(groupId: number, messageId: number, userId: number, change: MessageChange): Promise<ChatMessageView> {
    const message = await this.em.findOne(ChatMessage, { id: messageId, groupId });
    applyOwnChange(message, (m) => m.authorId, userId, change);
    await this.em.flush();
    return chatMessageView(message!, (await attachmentIds(this.em, { chatMessageIds: [messageId] })).get(messageId));
  }

  /** Moves my read cursor forward (never back). Returns the cursor now stored. */
  async markRead(groupId: number, userId: number, messageId: number): Promise<number> {
    await this.groups.requireMember(groupId, userId);
    await this.em.nativeUpdate(
      ChatMember,
      { groupId, userId, lastReadMessageId: { $lt: messageId } },
      { lastReadMessageId: messageId },
    );
    const member = await this.em.findOneOrFail(ChatMember, { groupId, userId }, { refresh: true });
    return member.lastReadMessageId;
  }

  /**
   * A page of what `viewerId` may read: newest first (from the latest, or on from a cursor), or oldest
   * first after `after`.
   */
  async history(groupId: number, viewerId: number, input: HistoryRequest): Promise<Page<ChatMessageView>> {
    const member = await this.groups.requireMember(groupId, viewerId);
    const limit = Math.min(input.limit, HISTORY_MAX);
    const at = historyPosition(input);
    const where = this.readableBy(member, groupId);
    if (at.forward) where.id = { $gt: Math.max(at.after!, member.visibleAfterId) };
    else if (at.before) where.id = { $gt: member.visibleAfterId, $lt: at.before };
    const rows = await this.em.find(ChatMessage, where, {
      orderBy: { id: at.forward ? 'asc' : 'desc' },
      limit: limit + 1,
    });
    const page = historyPage(rows, limit, at.forward);
    const files = await attachmentIds(this.em, { chatMessageIds: page.items.map((m) => m.id) });
    return { ...page, items: page.items.map((m) => chatMessageView(m, files.get(m.id))) };
  }

  /** Everything `viewerId` may read after `afterId`, oldest first, a page at a time (catch-up). */
  async since(groupId: number, viewerId: number, afterId: number, limit = SYNC_MAX): Promise<SyncPage> {
    const page = await this.history(groupId, viewerId, { after: afterId, limit: Math.min(limit, SYNC_MAX) });
    return { items: page.items, has_more: page.next_cursor !== null };
  }

  /**
   * The latest `count` messages `viewerId` may read, oldest first (what a fresh join shows): one
   * statement reads the membership, the messages and their files; only an empty answer asks again
   * whether the viewer is a member at all (a non-member is refused, as `history` refuses).
   */
  async latest(groupId: number, viewerId: number, count: number): Promise<SyncPage> {
    if (count === 0) return { items: [], has_more: false };
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select m.*, (select coalesce(json_agg(f.id order by f.id), '[]') from files f where f.chat_message_id = m.id)
           as file_ids
         from chat_members cm
         join lateral (
           select * from chat_messages c
           where c.group_id = cm.group_id and c.id > cm.visible_after_id
             and (c.kind <> 'room_dm' or c.author_id = cm.user_id or c.to_user_id = cm.user_id)
           order by c.id desc limit ?) m on true
         where cm.group_id = ? and cm.user_id = ?
         order by m.id`,
      [count, groupId, viewerId],
    );
    if (rows.length === 0) await this.groups.requireMember(groupId, viewerId);
    const items = rows.map((row) => {
      const fileIds = (typeof row.file_ids === 'string' ? JSON.parse(row.file_ids) : row.file_ids) as number[];
      return chatMessageView(this.em.map(ChatMessage, row), fileIds.map(Number));
    });
    return { items, has_more: false };
  }

  private async isRepeat(authorId: number, clientMsgId: string | undefined): Promise<boolean> {
    return Boolean(clientMsgId) && (await this.em.count(ChatMessage, { authorId, clientMsgId })) > 0;
  }

  /** Messages of the group `member` may read: public ones, room_dms to or from them, none before they could see. */
  private readableBy(member: ChatMember, groupId: number): Record<string, unknown> {
    const viewerId = member.userId;
    return {
      groupId,
      id: { $gt: member.visibleAfterId },
      $or: [{ kind: { $ne: 'room_dm' } }, { authorId: viewerId }, { toUserId: viewerId }],
    };
  }
}

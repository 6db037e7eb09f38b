import type { AuthContext } from '@colyseus/core';
import { ServerError } from '@colyseus/core';
import { RequestContext } from '@mikro-orm/core';
import { AppError, toAppError } from '../../src/errors/index.ts';
import type { Services } from '../../src/services.ts';
import type { Principal } from '../../src/domain/auth/TokenService.ts';
import { channels, type GroupEvent } from '../../src/domain/realtime/RealtimeBus.ts';
import type { ChatMessageView } from '../../src/domain/realtime/views.ts';
import { authenticateWith, type PlazaClient, type RoomDeps } from '../shared/PlazaRoom.ts';
import { RealtimeRoom, type RealtimeRoomOptions } from '../shared/RealtimeRoom.ts';
import { ChatMemberState, ChatMessageState, ChatState } from './state.ts';
import { ChatJoinOptions, ChatMessages } from './messages.ts';

const TYPING_TIMEOUT_MS = 5000;

/**
 * Token check plus membership: only members of `groupId` get a seat. The normalised groupId is written
 * back into the options so `filterBy(['groupId'])` routes every member to the group's one room.
 */
export function chatOnAuth(services: Services) {
  const authenticate = authenticateWith(services);
  return async (token: string, options: Record<string, unknown>, context: AuthContext): Promise<Principal> => {
    const principal = await authenticate(token, options, context);
    try {
      const parsed = ChatJoinOptions.safeParse(options);
      if (!parsed.success) throw new AppError('JOIN_OPTIONS_INVALID', { message: 'Join options must be { groupId: <positive integer> }' });
      await RequestContext.create(services.orm.em, () => services.chat.requireMember(parsed.data.groupId, principal.userId));
      options.groupId = parsed.data.groupId;
      return principal;
    } catch (err) {
      const { error } = toAppError(err);
      throw new ServerError(error.status, `[${error.code}] ${error.message}`);
    }
  };
}

/** One live room per chat group: created on demand, disposed when the last member leaves. */
export class ChatRoom extends RealtimeRoom<{ groupId: number }> {
  declare state: ChatState;
  private groupId = 0;
  private lastMessageId = 0;
  /** Posts go through one queue so broadcast order is id order, the same for every member. */
  private sendQueue: Promise<unknown> = Promise.resolve();
  private readonly connections = new Map<number, number>();
  /** sessionId → id of the last message broadcast before that connection dropped. */
  private readonly droppedAfter = new Map<string, number>();
  private readonly typingTimers = new Map<number, { clear(): void }>();

  override async onCreate(options: { groupId: number } & RealtimeRoomOptions & RoomDeps) {
    super.onCreate(options);
    this.groupId = Number(options.groupId);
    this.state = new ChatState();
    this.state.groupId = this.groupId;
    await this.withDb(async () => {
      const group = await this.services.chat.getGroup(this.groupId);
      this.state.name = group.name;
      await this.loadMembers();
      const window = await this.services.chat.latestPublic(this.groupId, this.config.CHAT_WINDOW);
      for (const view of window) this.addToWindow(view);
      this.lastMessageId = group.lastMessageId ?? 0;
    });
    await this.setMetadata({ groupId: this.groupId, name: this.state.name });
    await this.presence.subscribe(channels.group(this.groupId), (event: GroupEvent) => this.onGroupEvent(event));

    this.on('msg', ChatMessages.msg, (client, m) => this.post(client, { kind: 'msg', text: m.text }), { limited: true });
    this.on('room_dm', ChatMessages.room_dm, (client, m) => this.post(client, { kind: 'room_dm', text: m.text, toUserId: m.to }), { limited: true });
    this.on('typing', ChatMessages.typing, (client, m) => this.setTyping(client.auth!.userId, m.typing));
    this.on('edit', ChatMessages.edit, async (client, m) => {
      const view = await this.withDb(() => this.services.chat.edit(this.groupId, m.message_id, client.auth!.userId, m.text));
      this.applyChange(view, 'message_updated');
    }, { limited: true });
    this.on('delete', ChatMessages.delete, async (client, m) => {
      const view = await this.withDb(() => this.services.chat.remove(this.groupId, m.message_id, client.auth!.userId));
      this.applyChange(view, 'message_deleted');
    });
    this.on('read', ChatMessages.read, async (client, m) => {
      const cursor = await this.withDb(() => this.services.chat.markRead(this.groupId, client.auth!.userId, m.message_id));
      for (const c of this.clientsOf(client.auth!.userId)) c.send('read', { last_read_message_id: cursor });
    });
    this.on('history', ChatMessages.history, async (client, m) => {
      const page = await this.withDb(() => this.services.chat.history(this.groupId, client.auth!.userId, m));
      client.send('history', page);
    });
  }

  override async onJoin(client: PlazaClient) {
    const userId = client.auth!.userId;
    this.connections.set(userId, (this.connections.get(userId) ?? 0) + 1);
    const member = this.state.members.get(String(userId));
    if (member) member.online = true;
    await this.listConnection(client, this.groupId);
  }

  override onDrop(client: PlazaClient) {
    this.droppedAfter.set(client.sessionId, this.lastMessageId);
    this.keepSeat(client).catch(() => this.droppedAfter.delete(client.sessionId));
  }

  /** Sends what the client missed while dropped, oldest first, as ordinary `message`s. */
  override async onReconnect(client: PlazaClient) {
    const after = this.droppedAfter.get(client.sessionId) ?? this.lastMessageId;
    this.droppedAfter.delete(client.sessionId);
    try {
      const missed = await this.withDb(() => this.services.chat.since(this.groupId, client.auth!.userId, after));
      for (const view of missed) client.send('message', view);
    } catch (err) {
      this.sendError(client, err);
    }
  }

  override async onLeave(client: PlazaClient) {
    const userId = client.auth!.userId;
    const left = (this.connections.get(userId) ?? 1) - 1;
    if (left > 0) this.connections.set(userId, left);
    else {
      this.connections.delete(userId);
      const member = this.state.members.get(String(userId));
      if (member) {
        member.online = false;
        member.typing = false;
      }
    }
    await this.unlistConnection(client);
  }

  /** Lets messages already being stored finish (and be delivered) before the database closes. */
  override async onDispose() {
    await this.sendQueue;
  }

  private post(client: PlazaClient, input: { kind: 'msg' | 'room_dm'; text: string; toUserId?: number }) {
    const author = { userId: client.auth!.userId, username: client.auth!.username };
    const work = this.sendQueue.then(async () => {
      const view = await this.store(() => this.services.chat.post(this.groupId, author, input));
      this.deliver(view);
    });
    this.sendQueue = work.catch(() => undefined);
    return work;
  }

  /** Public messages go to state and everyone; a room_dm goes to its two users' connections only. */
  private deliver(view: ChatMessageView): void {
    this.lastMessageId = Math.max(this.lastMessageId, view.id);
    if (view.kind === 'room_dm') {
      const targets = new Set([view.author_id, view.to_user_id]);
      for (const c of this.clients as unknown as PlazaClient[]) if (targets.has(c.auth!.userId)) c.send('message', view);
      return;
    }
    this.addToWindow(view);
    if (view.author_id) this.setTyping(view.author_id, false);
    this.broadcast('message', view);
  }

  private applyChange(view: ChatMessageView, type: 'message_updated' | 'message_deleted'): void {
    if (view.kind === 'room_dm') {
      const targets = new Set([view.author_id, view.to_user_id]);
      for (const c of this.clients as unknown as PlazaClient[]) if (targets.has(c.auth!.userId)) c.send(type, view);
      return;
    }
    const entry = this.state.messages.get(String(view.id));
    if (entry) entry.assign({ text: view.text, editedAt: view.edited_at ?? '', deleted: view.deleted });
    this.broadcast(type, view);
  }

  /** Window ids, oldest first (ids only grow, so insertion order is id order). */
  private readonly windowIds: number[] = [];

  private addToWindow(view: ChatMessageView): void {
    if (this.config.CHAT_WINDOW === 0) return;
    this.state.messages.set(String(view.id), ChatMessageState.from(view));
    this.windowIds.push(view.id);
    while (this.windowIds.length > this.config.CHAT_WINDOW) this.state.messages.delete(String(this.windowIds.shift()));
  }

  private setTyping(userId: number, typing: boolean): void {
    const member = this.state.members.get(String(userId));
    if (!member) return;
    if (member.typing !== typing) member.typing = typing;
    this.typingTimers.get(userId)?.clear();
    this.typingTimers.delete(userId);
    if (typing) this.typingTimers.set(userId, this.clock.setTimeout(() => this.setTyping(userId, false), TYPING_TIMEOUT_MS));
  }

  private async onGroupEvent(event: GroupEvent): Promise<void> {
    try {
      if (event.kind === 'message') {
        this.sendQueue = this.sendQueue.then(() => this.deliver(event.message)).catch(() => undefined);
      } else if (event.kind === 'members_changed') {
        await this.withDb(() => this.loadMembers());
        for (const c of [...this.clients] as PlazaClient[]) {
          if (!this.state.members.has(String(c.auth!.userId))) {
            this.sendError(c, new AppError('NOT_GROUP_MEMBER', { message: 'You are no longer a member of this group' }));
            c.leave(4403, 'no longer a member');
          }
        }
      }
    } catch (err) {
      this.log.error({ err }, 'group event failed');
    }
  }

  private async loadMembers(): Promise<void> {
    const members = await this.services.chat.members(this.groupId);
    const ids = new Set(members.map((m) => String(m.user_id)));
    for (const key of [...this.state.members.keys()]) if (!ids.has(key)) this.state.members.delete(key);
    for (const m of members) {
      const existing = this.state.members.get(String(m.user_id));
      const entry = existing ?? new ChatMemberState();
      entry.assign({ userId: m.user_id, username: m.username, nickname: m.nickname, online: this.connections.has(m.user_id) });
      if (!existing) this.state.members.set(String(m.user_id), entry);
    }
  }
}

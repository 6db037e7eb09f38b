import { matchMaker, type AuthContext } from '@colyseus/core';
import { RequestContext } from '@mikro-orm/core';
import { AppError } from '../../src/errors/index.ts';
import type { Principal } from '../../src/domain/auth/TokenService.ts';
import type { ChatService, SyncPage } from '../../src/domain/realtime/ChatService.ts';
import type { ChatGroupService } from '../../src/domain/realtime/ChatGroupService.ts';
import { channels, roomIds, type GroupEvent } from '../../src/domain/realtime/RealtimeBus.ts';
import type { ChatMessageView, Stored } from '../../src/domain/realtime/views.ts';
import type { MessageSpool } from '../../src/domain/realtime/spool/MessageSpool.ts';
import type { PendingChatMessageView } from '../../src/domain/realtime/spool/spooledMessages.ts';
import { authenticateWith, refusal, type AuthServices } from '../shared/roomAuth.ts';
import { CloseCodes, PlazaRoom, principalOf, type PlazaClient, type RoomDeps } from '../shared/PlazaRoom.ts';
import { StoreQueue } from './StoreQueue.ts';
import { TypingFlags } from './TypingFlags.ts';
import { GroupMembers } from './GroupMembers.ts';
import { ChatMemberState, ChatState } from './state.ts';
import { ChatJoinOptions, ChatMessages } from './messages.ts';
import { actingUser } from '../../src/domain/shared/actors.ts';
import type { Author } from '../../src/domain/realtime/chatStore.ts';

const TYPING_TIMEOUT_MS = 5000;
/** Typing changes reach the state (and every member, as one patch) at most this often. */
const TYPING_PATCH_MS = 500;

/** A plain message waiting in the store queue to be stored with its neighbours. */
interface QueuedPost {
  client: PlazaClient;
  author: Author;
  text: string;
  clientMsgId?: string;
}

/** What a chat room uses. */
export interface ChatRoomServices {
  chat: ChatService;
  groups: ChatGroupService;
  /** Stores messages, or spools them while the database is away. */
  spool: MessageSpool;
}

export interface ChatRoomOptions extends RoomDeps<ChatRoomServices> {
  /** The group, from the options of the join that created the room (checked by onAuth first). */
  groupId?: number;
  /** Latest messages sent to a connection that joins without last_seen_id. */
  window: number;
  /** Largest group whose members are in the synced state (larger: `membersPaged`, the `members` request). */
  stateMembersMax: number;
}

/**
 * Token and join options at matchmaking: only members of `groupId` go on. The normalised groupId is
 * written back into the options so `filterBy(['groupId'])` routes every member to the group's one room.
 * The room checks its own group again on every join (a joinById names no group at all).
 *
 * When the group's room lives in this process, its member list answers for a member on it (the room
 * reloads the list on every membership change, from any process, and evicts whoever left); anyone
 * else, or a group whose room is elsewhere or not open, is looked up in the database.
 */
export function chatOnAuth(services: AuthServices & { groups: ChatGroupService }) {
  const authenticate = authenticateWith(services);
  return async (token: string, options: Record<string, unknown>, context: AuthContext): Promise<Principal> => {
    const principal = await authenticate(token, options, context);
    const parsed = ChatJoinOptions.safeParse(options);
    if (!parsed.success)
      throw refusal(
        new AppError('JOIN_OPTIONS_INVALID', {
          message: 'Join options must be { groupId: <positive integer>, last_seen_id?: <message id> }',
        }),
      );
    const live = matchMaker.getLocalRoomById(roomIds.chat(parsed.data.groupId));
    if (!(live instanceof ChatRoom && live.listsMember(principal.userId)))
      try {
        await RequestContext.create(services.orm.em, () =>
          services.groups.requireMember(parsed.data.groupId, principal.userId),
        );
      } catch (err) {
        throw refusal(err);
      }
    options.groupId = parsed.data.groupId;
    return principal;
  };
}

/** One live room per chat group (`chat-<groupId>`): created on demand, disposed when the last member leaves. */
export class ChatRoom extends PlazaRoom<ChatRoomServices, ChatState> {
  private groupId = 0;
  private window = 0;
  private stateMembersMax = 0;
  private readonly members = new GroupMembers();
  /**
   * Stores and deliveries go through one queue, so broadcast order is id order, the same for every
   * member; plain messages that queue up while a store runs are stored together.
   */
  private sends!: StoreQueue<QueuedPost>;
  /** Live connections per user (a user is online while they have one). */
  private readonly connections = new Map<number, number>();
  private readonly typing = new TypingFlags(TYPING_PATCH_MS, TYPING_TIMEOUT_MS);

  override async onCreate(options: ChatRoomOptions) {
    this.groupId = Number(options.groupId);
    if (!Number.isInteger(this.groupId) || this.groupId <= 0) throw new AppError('JOIN_OPTIONS_INVALID');
    this.listedGroupId = this.groupId;
    this.window = options.window;
    this.stateMembersMax = options.stateMembersMax;
    await super.onCreate(options);
    this.sends = new StoreQueue(this.settings.storeTimeoutMs, (posts) => this.storeBatch(posts));
    this.state = new ChatState();
    this.state.groupId = this.groupId;
    await this.withDb(async () => {
      this.state.name = (await this.services.groups.get(this.groupId)).name;
      await this.loadMembers();
    });
    await this.setMetadata({ groupId: this.groupId, name: this.state.name });
    await this.presence.subscribe(channels.group(this.groupId), (event: GroupEvent) => this.onGroupEvent(event));

    this.on(
      'msg',
      ChatMessages.msg,
      (client, m) =>
        this.post(client, 'msg', { kind: 'msg', text: m.text, clientMsgId: m.client_msg_id, fileIds: m.file_ids }),
      { limited: true },
    );
    this.on(
      'room_dm',
      ChatMessages.room_dm,
      (client, m) =>
        this.post(client, 'room_dm', {
          kind: 'room_dm',
          text: m.text,
          toUserId: m.to,
          clientMsgId: m.client_msg_id,
          fileIds: m.file_ids,
        }),
      { limited: true },
    );
    this.on('typing', ChatMessages.typing, (client, m) => this.setTyping(principalOf(client).userId, m.typing));
    this.on(
      'edit',
      ChatMessages.edit,
      async (client, m) => {
        const view = await this.persist(() =>
          this.services.chat.change(this.groupId, m.message_id, principalOf(client).userId, { text: m.text }),
        );
        this.applyChange(view, 'message_updated');
      },
      { limited: true },
    );
    this.on(
      'delete',
      ChatMessages.delete,
      async (client, m) => {
        const view = await this.persist(() =>
          this.services.chat.change(this.groupId, m.message_id, principalOf(client).userId, { deleted: true }),
        );
        this.applyChange(view, 'message_deleted');
      },
      { limited: true },
    );
    this.on(
      'read',
      ChatMessages.read,
      async (client, m) => {
        const userId = principalOf(client).userId;
        const cursor = await this.withDb(() => this.services.chat.markRead(this.groupId, userId, m.message_id));
        this.members.markRead(userId, cursor);
        const member = this.state.members.get(String(userId));
        if (member) member.lastReadId = cursor;
        for (const c of this.clientsOf(userId)) c.send('read', { last_read_message_id: cursor });
      },
      { limited: true },
    );
    this.on(
      'history',
      ChatMessages.history,
      async (client, m) => {
        client.send(
          'history',
          await this.withDb(() => this.services.chat.history(this.groupId, principalOf(client).userId, m)),
        );
      },
      { limited: true },
    );
    this.on('sync', ChatMessages.sync, (client, m) => this.sync(client, m.last_seen_id, m.limit), { limited: true });
    this.on(
      'members',
      ChatMessages.members,
      (client, m) =>
        client.send(
          'members',
          this.members.page(m.after, m.limit, (id) => this.connections.has(id)),
        ),
      { limited: true },
    );
  }

  /** On the member list this room last read (the matchmaking check of a member of a group open here). */
  listsMember(userId: number): boolean {
    return this.members.has(userId);
  }

  protected override fixedRoomId(): string {
    return roomIds.chat(this.groupId);
  }

  /**
   * Only members of this room's own group, whatever the join options said. The room's member list
   * (loaded at creation, reloaded on every membership change) answers without a query; someone not on
   * it yet (added a moment ago, the change not heard yet) is looked up in the database.
   */
  protected override async admit(client: PlazaClient): Promise<void> {
    const userId = principalOf(client).userId;
    if (this.members.has(userId)) return;
    await this.withDb(() => this.services.groups.requireMember(this.groupId, userId));
  }

  /** Online, then a `sync`: what came after last_seen_id, or the latest messages; live ones follow it. */
  protected override joined(client: PlazaClient, options: unknown): void {
    this.setOnline(principalOf(client).userId, +1);
    const lastSeen = ChatJoinOptions.safeParse(options).data?.last_seen_id;
    void this.sync(client, lastSeen).catch((err) => this.sendError(client, err, { type: 'sync' }));
  }

  protected override left(client: PlazaClient): void {
    this.setOnline(principalOf(client).userId, -1);
  }

  /** Lets messages already being stored finish (and be delivered) before the database closes. */
  protected override async disposing() {
    await this.sends?.drained();
  }

  /**
   * Replies `sync`: everything the member may read after `lastSeen` (oldest first, `has_more` when a
   * page is full), or the latest messages without one. It runs in the send queue, so no delivery
   * slips between the query and the reply: live messages come after it.
   */
  private sync(client: PlazaClient, lastSeen: number | undefined, limit?: number): Promise<void> {
    const viewer = principalOf(client).userId;
    return this.sends.push(async () => {
      const page: SyncPage = await this.withDb(() =>
        lastSeen === undefined
          ? this.services.chat.latest(this.groupId, viewer, this.window)
          : this.services.chat.since(this.groupId, viewer, lastSeen, limit),
      );
      client.send('sync', page);
    });
  }

  /** Stores and delivers in queue order; every send gets its own answer by the store deadline. */
  private post(client: PlazaClient, type: 'msg' | 'room_dm', input: Parameters<ChatService['post']>[2]): Promise<void> {
    const author = actingUser(principalOf(client));
    const context = { type, ...(input.clientMsgId ? { client_msg_id: input.clientMsgId } : {}) };
    const late = (started: boolean) =>
      this.sendError(
        client,
        started
          ? new AppError('MESSAGE_STORE_UNCONFIRMED', { detail: { retryable: true } })
          : new AppError('MESSAGE_STORE_UNAVAILABLE', {
              message: 'The message was not stored in time: nothing was stored; retry',
              detail: { retryable: true },
            }),
        context,
      );
    if (input.kind === 'msg' && !input.fileIds?.length)
      return this.sends.add({ client, author, text: input.text, clientMsgId: input.clientMsgId }, late);
    return this.sends.push(
      async () =>
        this.deliver(
          client,
          await this.persist(() =>
            // While the database is away, membership is what the room last read (its state).
            this.services.spool.postToGroup(this.groupId, author, input, (id) => this.members.has(id)),
          ),
        ),
      late,
    );
  }

  /**
   * Stores the plain messages that queued up together in one statement and delivers them in id order
   * (a message stored alone after the batch, in a race, has a higher id and goes last). Each sender
   * hears its own outcome: `message_sent`, or its error.
   */
  private async storeBatch(posts: QueuedPost[]): Promise<unknown[]> {
    const outcomes = await this.persist(() =>
      this.services.spool.postManyToGroup(this.groupId, posts, (id) => this.members.has(id)),
    );
    const stored = [...outcomes.keys()].filter((i) => !(outcomes[i] instanceof Error));
    const idOf = (i: number) => (outcomes[i] as Stored<{ id: number | null }>).view.id ?? Infinity;
    for (const i of stored.sort((a, b) => idOf(a) - idOf(b)))
      this.deliver(posts[i].client, outcomes[i] as Stored<ChatMessageView | PendingChatMessageView>);
    return outcomes.map((o) => (o instanceof Error ? o : undefined));
  }

  /**
   * The sender's connection gets `message_sent` (also for a repeat, which goes nowhere else). Public
   * messages go to everyone; a room_dm to its two users' connections only.
   */
  private deliver(sender: PlazaClient | null, stored: Stored<ChatMessageView | PendingChatMessageView>): void {
    const { view, duplicate } = stored;
    sender?.send('message_sent', view);
    if (duplicate) return;
    if (view.kind === 'room_dm') {
      for (const c of this.clientsOf(view.author_id!)) c.send('message', view);
      for (const c of this.clientsOf(view.to_user_id!)) c.send('message', view);
      return;
    }
    if (view.author_id) this.setTyping(view.author_id, false);
    this.broadcast('message', view);
  }

  private applyChange(view: ChatMessageView, type: 'message_updated' | 'message_deleted' | 'stored'): void {
    if (view.kind === 'room_dm') {
      for (const userId of new Set([view.author_id!, view.to_user_id!]))
        for (const c of this.clientsOf(userId)) c.send(type, view);
      return;
    }
    this.broadcast(type, view);
  }

  private setOnline(userId: number, change: 1 | -1): void {
    const count = (this.connections.get(userId) ?? 0) + change;
    if (count > 0) this.connections.set(userId, count);
    else this.connections.delete(userId);
    const member = this.state.members.get(String(userId));
    if (!member) return;
    member.online = count > 0;
    if (count <= 0) this.setTyping(userId, false);
  }

  private setTyping(userId: number, typing: boolean): void {
    if (this.state.members.has(String(userId))) this.typing.set(userId, typing, this.clock.currentTime);
  }

  protected override beforePatch(now: number): void {
    this.typing.flush(now, (userId, typing) => {
      const member = this.state.members.get(String(userId));
      if (member && member.typing !== typing) member.typing = typing;
    });
  }

  private async onGroupEvent(event: GroupEvent): Promise<void> {
    try {
      if (event.kind === 'message') {
        await this.sends.push(async () => this.deliver(null, { view: event.message, duplicate: false }));
      } else if (event.kind === 'stored') {
        await this.sends.push(async () => this.applyChange(event.message, 'stored'));
      } else if (event.kind === 'renamed') {
        this.state.name = event.name;
      } else if (event.kind === 'members_changed') {
        await this.withDb(() => this.loadMembers());
        this.evictWhere(
          (c) => !this.members.has(principalOf(c).userId),
          CloseCodes.FORBIDDEN,
          new AppError('NOT_GROUP_MEMBER', { message: 'You are no longer a member of this group' }),
        );
      }
    } catch (err) {
      this.log.error({ err }, 'group event failed');
    }
  }

  /**
   * Reads the member list into the room; a group small enough has it in state too (a larger one is
   * `membersPaged`: no per-member state to encode at each join and patch on each join).
   */
  private async loadMembers(): Promise<void> {
    const members = await this.services.groups.members(this.groupId);
    this.members.replace(members);
    this.state.memberCount = members.length;
    this.state.membersPaged = members.length > this.stateMembersMax;
    if (this.state.membersPaged) {
      this.state.members.clear();
      return;
    }
    const ids = new Set(members.map((m) => String(m.user_id)));
    for (const key of [...this.state.members.keys()]) if (!ids.has(key)) this.state.members.delete(key);
    for (const m of members) {
      const existing = this.state.members.get(String(m.user_id));
      const entry = existing ?? new ChatMemberState();
      entry.assign({
        userId: m.user_id,
        username: m.username,
        nickname: m.nickname,
        online: this.connections.has(m.user_id),
        lastReadId: m.last_read_message_id,
      });
      if (!existing) this.state.members.set(String(m.user_id), entry);
    }
  }
}

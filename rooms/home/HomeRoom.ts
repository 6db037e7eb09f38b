import type { AuthContext } from '@colyseus/core';
import { AppError } from '../../src/errors/index.ts';
import type { Principal } from '../../src/domain/auth/TokenService.ts';
import type { ChatGroupService } from '../../src/domain/realtime/ChatGroupService.ts';
import type { DirectMessageService } from '../../src/domain/realtime/DirectMessageService.ts';
import type { NotificationService } from '../../src/domain/realtime/NotificationService.ts';
import type { ChosenStatus, UserStatuses, StatusUpdate } from '../../src/domain/realtime/UserStatuses.ts';
import { channels, roomIds, type HomeEvent } from '../../src/domain/realtime/RealtimeBus.ts';
import type { FriendPresenceView, SocialService } from '../../src/domain/realtime/SocialService.ts';
import type { DmView } from '../../src/domain/realtime/views.ts';
import type { HomeOpenings } from '../../src/domain/realtime/HomeOpenings.ts';
import type { MessageSpool } from '../../src/domain/realtime/spool/MessageSpool.ts';
import { authenticateWith, refusal, type AuthServices } from '../shared/roomAuth.ts';
import { PlazaRoom, principalOf, type PlazaClient, type RoomDeps } from '../shared/PlazaRoom.ts';
import { FriendState, HomeState } from './state.ts';
import { HomeJoinOptions, HomeMessages } from './messages.ts';
import { actingUser } from '../../src/domain/shared/actors.ts';

/**
 * A home's state changes seldom (my status, the unread count, followees' presence), and every signed-in
 * user has a home: its patch tick runs every 200 ms, not Colyseus' 50 ms (with 1,000 homes the default
 * ticks alone were ~5% of the server's CPU in bench:capacity).
 */
const HOME_PATCH_MS = 200;

/** What a home room uses. */
export interface HomeRoomServices {
  dms: DirectMessageService;
  /** Stores DMs, or spools them while the database is away. */
  spool: MessageSpool;
  social: SocialService;
  groups: ChatGroupService;
  statuses: UserStatuses;
  notifications: NotificationService;
  homeOpenings: HomeOpenings;
}

export interface HomeRoomOptions extends RoomDeps<HomeRoomServices> {
  /** Whose home: written by onAuth from the token, never taken from the client. */
  userId?: number;
  /** Seconds after the last device leaves before the user shows offline. */
  presenceGraceSeconds: number;
}

/**
 * The token decides whose home it is: the user id is written into the options, and
 * `filterBy(['userId'])` sends all of a user's devices to the same actor.
 */
export function homeOnAuth(services: AuthServices) {
  const authenticate = authenticateWith(services);
  return async (token: string, options: Record<string, unknown>, context: AuthContext): Promise<Principal> => {
    const principal = await authenticate(token, options, context);
    if (!HomeJoinOptions.safeParse(options).success) {
      throw refusal(
        new AppError('JOIN_OPTIONS_INVALID', {
          message: 'Join options must be { status?: "online" | "away" | "invisible", last_seen_id?: <DM id> }',
        }),
      );
    }
    options.userId = principal.userId;
    return principal;
  };
}

/**
 * A user's actor (`home-<userId>`). Being in it is being online; it holds my status and my followees'
 * presence, and receives what other parts address to me (DMs, notifications, support) on my channel.
 */
export class HomeRoom extends PlazaRoom<HomeRoomServices, HomeState> {
  private userId = 0;
  private presenceGraceSeconds = 0;
  private presenceSubscriptions = new Map<number, (update: StatusUpdate) => void>();
  private subscribedToSupport = false;
  /** The status others were last told. */
  private published: ChosenStatus | 'offline' = 'offline';
  private offlineTimer: { clear(): void } | undefined;
  /**
   * Until the first join: whether DMs or notifications may be waiting (from the opening query, or heard
   * of since with no device here). Later joins read both as before.
   */
  private waiting: { dms: boolean; notifications: boolean } | undefined;

  override async onCreate(options: HomeRoomOptions) {
    this.userId = Number(options.userId);
    if (!Number.isInteger(this.userId) || this.userId <= 0) throw new AppError('JOIN_OPTIONS_INVALID');
    this.presenceGraceSeconds = options.presenceGraceSeconds;
    await super.onCreate(options);
    this.autoDispose = false;
    this.setPatchRate(HOME_PATCH_MS);
    this.state = new HomeState();
    this.state.userId = this.userId;
    await this.presence.subscribe(channels.home(this.userId), (event: HomeEvent) => this.onHomeEvent(event));
    const opening = await this.withDb(() => this.services.homeOpenings.open(this.userId));
    this.state.unreadDms = opening.unreadDms;
    this.waiting = { dms: opening.undeliveredDms, notifications: opening.unreadNotifications };
    await this.showFollowing(opening.following);
    // Nobody is here yet: what was written above reaches the first device in its full state. Flushed now
    // (a patch with no client only clears the changes), it is not also sent to that device as a patch.
    this.broadcastPatch();

    this.on('status', HomeMessages.status, async (_client, m) => {
      this.state.status = m.status;
      await this.publishStatus(m.status);
    });
    this.on(
      'dm',
      HomeMessages.dm,
      async (client, m) => {
        const context = { type: 'dm', ...(m.client_msg_id ? { client_msg_id: m.client_msg_id } : {}) };
        const { view } = await this.persistInTime(client, context, () =>
          this.services.spool.sendDm(actingUser(principalOf(client)), m.to, m.text, m.client_msg_id, m.file_ids),
        );
        client.send('dm_sent', view);
      },
      { limited: true },
    );
    // The answer is the `dm_updated` / `dm_deleted` every device of both users receives through the home channel.
    this.on(
      'dm_edit',
      HomeMessages.dm_edit,
      (client, m) =>
        this.withDb(() => this.services.dms.change(principalOf(client).userId, m.message_id, { text: m.text })),
      { limited: true },
    );
    this.on(
      'dm_delete',
      HomeMessages.dm_delete,
      (client, m) =>
        this.withDb(() => this.services.dms.change(principalOf(client).userId, m.message_id, { deleted: true })),
      { limited: true },
    );
    this.on(
      'dm_read',
      HomeMessages.dm_read,
      async (_client, m) => {
        await this.withDb(async () => {
          await this.services.dms.markRead(this.userId, m.user_id);
          this.state.unreadDms = await this.services.dms.unreadCount(this.userId);
        });
      },
      { limited: true },
    );
    this.on(
      'follow',
      HomeMessages.follow,
      (client, m) => this.withDb(() => this.services.social.follow(actingUser(principalOf(client)), m.user_id)),
      { limited: true },
    );
    this.on(
      'unfollow',
      HomeMessages.unfollow,
      (client, m) => this.withDb(() => this.services.social.unfollow(actingUser(principalOf(client)), m.user_id)),
      { limited: true },
    );
    this.on(
      'create_group',
      HomeMessages.create_group,
      async (client, m) => {
        client.send(
          'group_created',
          await this.withDb(() => this.services.groups.create(actingUser(principalOf(client)), m)),
        );
      },
      { limited: true },
    );
    this.on(
      'my_groups',
      HomeMessages.my_groups,
      async (client) => {
        client.send('my_groups', { items: await this.withDb(() => this.services.groups.mine(this.userId)) });
      },
      { limited: true },
    );
    this.on(
      'friends_online',
      HomeMessages.friends_online,
      async (client) => {
        client.send('friends_online', {
          items: await this.withDb(() => this.services.social.friendsOnline(this.userId)),
        });
      },
      { limited: true },
    );
    this.on('sync', HomeMessages.sync, (client, m) => this.sync(client, m.last_seen_id, m.limit), { limited: true });
  }

  protected override fixedRoomId(): string {
    return roomIds.home(this.userId);
  }

  /** One home per signed-in user, its state a few hundred bytes: not Colyseus' 2 × 16 KB of buffers each. */
  protected override stateBufferBytes(): number {
    return 4 * 1024;
  }

  /** Only its owner's devices, whichever way they came in. */
  protected override admit(client: PlazaClient): void {
    if (principalOf(client).userId !== this.userId)
      throw new AppError('FORBIDDEN', { message: 'This is not your home' });
  }

  /**
   * Online (the first device sets the status), then what is waiting: with last_seen_id a `sync` of the
   * DMs after it, otherwise the offline DM queue as `dm`s; then unread notifications.
   */
  protected override async joined(client: PlazaClient, options: unknown): Promise<void> {
    this.offlineTimer?.clear();
    this.offlineTimer = undefined;
    const join = HomeJoinOptions.safeParse(options ?? {}).data ?? {
      status: 'online' as const,
      last_seen_id: undefined,
    };
    if (principalOf(client).role === 'admin' && !this.subscribedToSupport) {
      this.subscribedToSupport = true;
      await this.presence.subscribe(channels.supportAdmins, (event: HomeEvent) => this.onHomeEvent(event));
    }
    if (this.clients.length === 1 && this.published === 'offline') {
      this.state.status = join.status;
      await this.publishStatus(join.status);
    }
    const waiting = this.waiting ?? { dms: true, notifications: true };
    this.waiting = undefined;
    if (join.last_seen_id !== undefined) await this.sync(client, join.last_seen_id);
    else if (waiting.dms) await this.deliverQueue(client);
    if (!waiting.notifications) return;
    for (const notification of await this.withDb(() => this.services.notifications.unread(this.userId)))
      client.send('notification', notification);
  }

  protected override left(): void {
    if (this.clients.length > 0) return;
    // A short grace so a flaky network or a page reload does not flap presence.
    this.offlineTimer = this.clock.setTimeout(async () => {
      if (this.clients.length > 0) return;
      try {
        await this.publishStatus('offline');
      } finally {
        await this.disconnect();
      }
    }, this.presenceGraceSeconds * 1000);
  }

  protected override async disposing() {
    if (this.published === 'offline') return;
    // Left online with a shared presence store, the user would look online to everyone for good.
    await this.publishStatus('offline').catch((err) =>
      this.log.error({ err, user_id: this.userId }, 'publishing offline on dispose failed'),
    );
  }

  private async publishStatus(status: ChosenStatus | 'offline'): Promise<void> {
    const before = this.published;
    this.published = status;
    // No request context: going online touches no database, going offline writes in its own.
    await this.services.statuses.change(this.userId, before, status);
  }

  /** Replies `sync`: the DMs to or from me after `lastSeen`, oldest first; those to me count as delivered. */
  private async sync(client: PlazaClient, lastSeen: number, limit?: number): Promise<void> {
    const page = await this.withDb(() => this.services.dms.since(this.userId, lastSeen, limit));
    client.send('sync', page);
    await this.markDelivered(page.items);
  }

  /** The offline queue: undelivered DMs with their original time, then marked delivered. */
  private async deliverQueue(client: PlazaClient): Promise<void> {
    const queued = await this.withDb(() => this.services.dms.undelivered(this.userId));
    for (const dm of queued) client.send('dm', dm);
    await this.markDelivered(queued);
  }

  private async markDelivered(dms: DmView[]): Promise<void> {
    const mine = dms.filter((d) => d.to_user_id === this.userId).map((d) => d.id);
    if (mine.length) await this.withDb(() => this.services.dms.markDelivered(this.userId, mine));
  }

  private async onHomeEvent(event: HomeEvent): Promise<void> {
    try {
      switch (event.kind) {
        case 'dm': {
          if (this.clients.length === 0) {
            if (this.waiting) this.waiting.dms = true;
            return; // stays queued in the DB
          }
          this.broadcast('dm', event.message);
          // A pending DM (database away) is marked delivered when it is stored and announced again.
          if (event.message.to_user_id === this.userId && event.message.id !== null) {
            if (event.unread !== undefined) this.state.unreadDms = event.unread;
            await this.markDelivered([event.message]);
          }
          return;
        }
        case 'dm_updated':
        case 'dm_deleted':
          this.broadcast(event.kind, event.message);
          return;
        case 'dm_seen':
          this.broadcast('dm_seen', event.seen);
          return;
        case 'dm_stored':
          this.broadcast('stored', event.message);
          return;
        case 'spool_refused':
          this.broadcast('error', { message: event.message, detail: event.detail, error_code: event.error_code });
          return;
        case 'notification':
          if (this.waiting) this.waiting.notifications = true;
          this.broadcast('notification', event.notification);
          return;
        case 'support':
          this.broadcast('support', event.message);
          return;
        case 'following_changed':
          await this.loadFollowing();
          return;
        case 'ai_job':
          this.broadcast('ai_job', { event: event.event.event, job: event.event.job });
          return;
      }
    } catch (err) {
      this.log.error({ err, user_id: this.userId }, 'home event failed');
    }
  }

  /** (Re)reads whom I follow, mirrors their presence into state and subscribes to their channels. */
  private async loadFollowing(): Promise<void> {
    await this.showFollowing(await this.withDb(() => this.services.social.followingPresence(this.userId)));
  }

  private async showFollowing(friends: FriendPresenceView[]): Promise<void> {
    const keep = new Set(friends.map((f) => f.user_id));
    for (const [id, listener] of this.presenceSubscriptions) {
      if (keep.has(id)) continue;
      this.presence.unsubscribe(channels.presence(id), listener);
      this.presenceSubscriptions.delete(id);
      this.state.following.delete(String(id));
    }
    for (const friend of friends) {
      this.upsertFriend(friend);
      if (this.presenceSubscriptions.has(friend.user_id)) continue;
      const listener = (update: StatusUpdate) => this.onPresence(update);
      this.presenceSubscriptions.set(friend.user_id, listener);
      await this.presence.subscribe(channels.presence(friend.user_id), listener);
    }
  }

  private upsertFriend(friend: FriendPresenceView): void {
    const existing = this.state.following.get(String(friend.user_id));
    const entry = existing ?? new FriendState();
    entry.assign({
      userId: friend.user_id,
      username: friend.username,
      nickname: friend.nickname,
      status: friend.status,
      lastSeenAt: friend.last_seen_at ?? '',
    });
    if (!existing) this.state.following.set(String(friend.user_id), entry);
  }

  private onPresence(update: StatusUpdate): void {
    const entry = this.state.following.get(String(update.user_id));
    if (!entry) return;
    entry.status = update.status;
    if (update.last_seen_at) entry.lastSeenAt = update.last_seen_at;
  }
}

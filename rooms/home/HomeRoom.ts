import type { AuthContext } from '@colyseus/core';
import type { Services } from '../../src/services.ts';
import type { Principal } from '../../src/domain/auth/TokenService.ts';
import { channels, type HomeEvent } from '../../src/domain/realtime/RealtimeBus.ts';
import type { PresenceUpdate } from '../../src/domain/realtime/PresenceService.ts';
import type { FriendPresenceView } from '../../src/domain/realtime/SocialService.ts';
import type { DmView } from '../../src/domain/realtime/views.ts';
import { authenticateWith, type PlazaClient, type RoomDeps } from '../shared/PlazaRoom.ts';
import { RealtimeRoom, type RealtimeRoomOptions } from '../shared/RealtimeRoom.ts';
import { FriendState, HomeState } from './state.ts';
import { HomeJoinOptions, HomeMessages } from './messages.ts';

/**
 * The token decides whose home it is: the user id is written into the options, and
 * `filterBy(['userId'])` sends all of a user's devices to the same actor.
 */
export function homeOnAuth(services: Services) {
  const authenticate = authenticateWith(services);
  return async (token: string, options: Record<string, unknown>, context: AuthContext): Promise<Principal> => {
    const principal = await authenticate(token, options, context);
    options.userId = principal.userId;
    return principal;
  };
}

/**
 * A user's actor. Being in it is being online; it holds my status and my followees' presence, and
 * receives what other parts address to me (DMs, notifications, support) on my home channel.
 */
export class HomeRoom extends RealtimeRoom<{ userId: number }> {
  declare state: HomeState;
  private userId = 0;
  private username = '';
  private lastDmId = 0;
  private presenceSubscriptions = new Map<number, (update: PresenceUpdate) => void>();
  private subscribedToSupport = false;
  private published: 'online' | 'away' | 'invisible' | 'offline' = 'offline';
  private offlineTimer: { clear(): void } | undefined;
  private readonly droppedAfter = new Map<string, number>();

  override async onCreate(options: { userId: number } & RealtimeRoomOptions & RoomDeps) {
    super.onCreate(options);
    this.userId = Number(options.userId);
    this.autoDispose = false;
    this.state = new HomeState();
    this.state.userId = this.userId;
    await this.presence.subscribe(channels.home(this.userId), (event: HomeEvent) => this.onHomeEvent(event));
    await this.withDb(async () => {
      this.lastDmId = await this.services.dms.latestId();
      this.state.unreadDms = await this.services.dms.unreadCount(this.userId);
    });
    await this.loadFollowing();

    this.on('status', HomeMessages.status, async (_client, m) => {
      this.state.status = m.status;
      await this.publishStatus(m.status);
    });
    this.on('dm', HomeMessages.dm, async (client, m) => {
      const view = await this.store(() => this.services.dms.send(this.author(client), m.to, m.text));
      client.send('dm_sent', view);
    }, { limited: true });
    this.on('dm_read', HomeMessages.dm_read, async (_client, m) => {
      await this.withDb(async () => {
        await this.services.dms.markRead(this.userId, m.user_id);
        this.state.unreadDms = await this.services.dms.unreadCount(this.userId);
      });
    });
    this.on('follow', HomeMessages.follow, (client, m) => this.withDb(() => this.services.social.follow(this.author(client), m.user_id)), { limited: true });
    this.on('unfollow', HomeMessages.unfollow, (client, m) => this.withDb(() => this.services.social.unfollow(this.author(client), m.user_id)));
    this.on('create_group', HomeMessages.create_group, async (client, m) => {
      const group = await this.withDb(() => this.services.chat.createGroup(this.author(client), { name: m.name }));
      client.send('group_created', group);
    }, { limited: true });
    this.on('my_groups', HomeMessages.my_groups, async (client) => {
      client.send('my_groups', { items: await this.withDb(() => this.services.chat.myGroups(this.userId)) });
    });
    this.on('friends_online', HomeMessages.friends_online, async (client) => {
      client.send('friends_online', { items: await this.withDb(() => this.services.social.friendsOnline(this.userId)) });
    });
  }

  override async onJoin(client: PlazaClient, options: unknown) {
    this.offlineTimer?.clear();
    this.offlineTimer = undefined;
    this.username = client.auth!.username;
    if (client.auth!.role === 'admin' && !this.subscribedToSupport) {
      this.subscribedToSupport = true;
      await this.presence.subscribe(channels.supportAdmins, (event: HomeEvent) => this.onHomeEvent(event));
    }
    await this.listConnection(client, null);
    if (this.clients.length === 1 && this.published === 'offline') {
      const parsed = HomeJoinOptions.safeParse(options ?? {});
      this.state.status = parsed.success ? parsed.data.status : 'online';
      await this.publishStatus(this.state.status as 'online');
    }
    await this.deliverQueue(client);
  }

  override onDrop(client: PlazaClient) {
    this.droppedAfter.set(client.sessionId, this.lastDmId);
    this.keepSeat(client).catch(() => this.droppedAfter.delete(client.sessionId));
  }

  /** DMs sent or received while this device was away, oldest first. */
  override async onReconnect(client: PlazaClient) {
    const after = this.droppedAfter.get(client.sessionId) ?? this.lastDmId;
    this.droppedAfter.delete(client.sessionId);
    try {
      const missed = await this.withDb(() => this.services.dms.since(this.userId, after));
      for (const dm of missed) client.send('dm', dm);
      await this.markDelivered(missed);
    } catch (err) {
      this.sendError(client, err);
    }
  }

  override async onLeave(client: PlazaClient) {
    await this.unlistConnection(client);
    if (this.clients.length > 0) return;
    // A short grace so a flaky network or a page reload does not flap presence.
    this.offlineTimer = this.clock.setTimeout(async () => {
      if (this.clients.length > 0) return;
      try {
        await this.publishStatus('offline');
      } finally {
        await this.disconnect();
      }
    }, this.config.PRESENCE_GRACE * 1000);
  }

  override async onDispose() {
    if (this.published !== 'offline') await this.publishStatus('offline').catch(() => undefined);
  }

  private author(client: PlazaClient) {
    return { userId: client.auth!.userId, username: client.auth!.username };
  }

  private async publishStatus(status: 'online' | 'away' | 'invisible' | 'offline'): Promise<void> {
    const visible = status === 'invisible' ? 'offline' : status;
    const before = this.published === 'invisible' ? 'offline' : this.published;
    this.published = status;
    if (visible === before) return;
    await this.withDb(() => this.services.presence.set(this.userId, status));
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
          this.lastDmId = Math.max(this.lastDmId, event.message.id);
          if (this.clients.length === 0) return; // stays queued in the DB
          this.broadcast('dm', event.message);
          if (event.message.to_user_id === this.userId) {
            this.state.unreadDms += 1;
            await this.markDelivered([event.message]);
          }
          return;
        }
        case 'notification':
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
    const friends = await this.withDb(() => this.services.social.followingPresence(this.userId));
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
      const listener = (update: PresenceUpdate) => this.onPresence(update);
      this.presenceSubscriptions.set(friend.user_id, listener);
      await this.presence.subscribe(channels.presence(friend.user_id), listener);
    }
  }

  private upsertFriend(friend: FriendPresenceView): void {
    const existing = this.state.following.get(String(friend.user_id));
    const entry = existing ?? new FriendState();
    entry.assign({ userId: friend.user_id, username: friend.username, nickname: friend.nickname, status: friend.status, lastSeenAt: friend.last_seen_at ?? '' });
    if (!existing) this.state.following.set(String(friend.user_id), entry);
  }

  private onPresence(update: PresenceUpdate): void {
    const entry = this.state.following.get(String(update.user_id));
    if (!entry) return;
    entry.status = update.status;
    if (update.last_seen_at) entry.lastSeenAt = update.last_seen_at;
  }
}

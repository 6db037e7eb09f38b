import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { Follow } from '../../../entities/Follow.ts';
import { User } from '../../../entities/User.ts';
import { UserBlock } from '../../../entities/UserBlock.ts';
import type { BlockList } from './BlockList.ts';
import { channels, type HomeEvent, type RealtimeBus } from './RealtimeBus.ts';
import type { UserStatuses, VisibleStatus } from './UserStatuses.ts';
import type { Author } from './chatStore.ts';
import type { NotificationService } from './NotificationService.ts';

export interface FollowedUserView {
  user_id: number;
  username: string;
  nickname: string;
  since: string;
}

export interface FriendPresenceView {
  user_id: number;
  username: string;
  nickname: string;
  status: VisibleStatus;
  last_seen_at: string | null;
}

/** Rows of followed users (`id`, `username`, `nickname`, `last_seen_at`) with the status each shows now. */
export async function withStatuses(
  statuses: UserStatuses,
  rows: Record<string, unknown>[],
): Promise<FriendPresenceView[]> {
  const shown = await statuses.visibleOf(rows.map((r) => Number(r.id)));
  return rows.map((r) => ({
    user_id: Number(r.id),
    username: String(r.username),
    nickname: String(r.nickname),
    status: shown.get(Number(r.id)) ?? 'offline',
    last_seen_at: r.last_seen_at ? new Date(String(r.last_seen_at)).toISOString() : null,
  }));
}

/** One-way follows and blocks. A follow lets the follower see the followee's presence. */
export class SocialService {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
    private readonly statuses: UserStatuses,
    private readonly notifications: NotificationService,
    /** Kept current with every block and unblock (DMs are checked against it while the database is away). */
    private readonly blockList?: BlockList,
  ) {}

  async follow(me: Author, targetId: number): Promise<void> {
    await this.requireOther(me.userId, targetId);
    if (await this.em.count(UserBlock, { blockerId: targetId, blockedId: me.userId }))
      throw new AppError('RECIPIENT_BLOCKS_YOU');
    const follow = { followerId: me.userId, followeeId: targetId };
    const created = await insertOnce(
      () => this.em.count(Follow, follow),
      () => this.em.fork().insert(Follow, { ...follow, createdAt: new Date() }),
    );
    this.bus.publish(channels.home(me.userId), { kind: 'following_changed' } satisfies HomeEvent);
    if (created)
      await this.notifications.notify(targetId, {
        type: 'followed',
        text: `${me.username} follows you`,
        fromUserId: me.userId,
      });
  }

  async unfollow(me: Author, targetId: number): Promise<void> {
    const removed = await this.em.nativeDelete(Follow, { followerId: me.userId, followeeId: targetId });
    if (removed === 0) throw new AppError('NOT_FOLLOWING');
    this.bus.publish(channels.home(me.userId), { kind: 'following_changed' } satisfies HomeEvent);
  }

  async following(userId: number): Promise<FollowedUserView[]> {
    return this.listJoined(
      `select u.id, u.username, u.nickname, f.created_at from follows f join users u on u.id = f.followee_id where f.follower_id = ? order by f.id`,
      userId,
    );
  }

  async followers(userId: number): Promise<FollowedUserView[]> {
    return this.listJoined(
      `select u.id, u.username, u.nickname, f.created_at from follows f join users u on u.id = f.follower_id where f.followee_id = ? order by f.id`,
      userId,
    );
  }

  /** Presence of everyone I follow (what `home` state shows). */
  async followingPresence(userId: number): Promise<FriendPresenceView[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select u.id, u.username, u.nickname, u.last_seen_at from follows f join users u on u.id = f.followee_id where f.follower_id = ? order by f.id`,
      [userId],
    );
    return withStatuses(this.statuses, rows);
  }

  /** Those I follow who are visibly online or away. */
  async friendsOnline(userId: number): Promise<FriendPresenceView[]> {
    return (await this.followingPresence(userId)).filter((f) => f.status !== 'offline');
  }

  /** Blocking also ends the blocked user's follow of me (they no longer see my presence). */
  async block(me: Author, targetId: number): Promise<void> {
    await this.requireOther(me.userId, targetId);
    const block = { blockerId: me.userId, blockedId: targetId };
    await insertOnce(
      () => this.em.count(UserBlock, block),
      () => this.em.fork().insert(UserBlock, { ...block, createdAt: new Date() }),
    );
    this.blockList?.added(me.userId, targetId);
    await this.em.nativeDelete(Follow, { followerId: targetId, followeeId: me.userId });
    this.bus.publish(channels.home(targetId), { kind: 'following_changed' } satisfies HomeEvent);
  }

  async unblock(me: Author, targetId: number): Promise<void> {
    const removed = await this.em.nativeDelete(UserBlock, { blockerId: me.userId, blockedId: targetId });
    this.blockList?.removed(me.userId, targetId);
    if (removed === 0) throw new AppError('NOT_BLOCKED');
  }

  async blocked(userId: number): Promise<FollowedUserView[]> {
    return this.listJoined(
      `select u.id, u.username, u.nickname, b.created_at from user_blocks b join users u on u.id = b.blocked_id where b.blocker_id = ? order by b.id`,
      userId,
    );
  }

  private async requireOther(meId: number, targetId: number): Promise<void> {
    if (meId === targetId) throw new AppError('CANNOT_TARGET_SELF');
    const target = await this.em.findOne(User, { id: targetId, status: 'active' }, { fields: ['id'] });
    if (!target) throw new AppError('USER_NOT_FOUND');
  }

  private async listJoined(sql: string, userId: number): Promise<FollowedUserView[]> {
    const rows = await this.em.execute<Record<string, unknown>[]>(sql, [userId]);
    return rows.map((r) => ({
      user_id: Number(r.id),
      username: String(r.username),
      nickname: String(r.nickname),
      since: new Date(String(r.created_at)).toISOString(),
    }));
  }
}

/** Inserts a row unless an equal one exists (idempotent follow/block). Returns whether it inserted. */
async function insertOnce(count: () => Promise<number>, insert: () => Promise<unknown>): Promise<boolean> {
  if (await count()) return false;
  try {
    await insert();
    return true;
  } catch (err) {
    // Two requests raced past the count: the other one inserted it.
    if (err instanceof UniqueConstraintViolationException) return false;
    throw err;
  }
}

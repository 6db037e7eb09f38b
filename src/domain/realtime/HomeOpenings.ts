import type { EntityManager } from '@mikro-orm/sql';
import type { UserStatuses } from './UserStatuses.ts';
import { withStatuses, type FriendPresenceView } from './SocialService.ts';

/** What a user's `home` needs when it opens, read in one query. */
export interface HomeOpening {
  unreadDms: number;
  /** Whom I follow, with the status each shows now. */
  following: FriendPresenceView[];
  /** DMs to me not yet delivered to any device: the first join reads and delivers them. */
  undeliveredDms: boolean;
  /** Unread notifications: the first join reads and sends them. */
  unreadNotifications: boolean;
}

/**
 * Opens a home in one statement instead of four (unread count, followees, offline queue, unread
 * notifications): a sign-in usually finds nothing waiting, and then nothing more is read.
 */
export class HomeOpenings {
  constructor(
    private readonly em: EntityManager,
    private readonly statuses: UserStatuses,
  ) {}

  async open(userId: number): Promise<HomeOpening> {
    const [row] = await this.em.execute<Record<string, unknown>[]>(
      `select
         (select count(*) from direct_messages where to_user_id = ? and read_at is null) as unread_dms,
         exists (select 1 from direct_messages where to_user_id = ? and delivered_at is null) as undelivered_dms,
         exists (select 1 from notifications where user_id = ? and read_at is null) as unread_notifications,
         (select coalesce(json_agg(json_build_object('id', u.id, 'username', u.username, 'nickname', u.nickname,
                                                     'last_seen_at', u.last_seen_at) order by f.id), '[]'::json)
            from follows f join users u on u.id = f.followee_id where f.follower_id = ?) as following`,
      [userId, userId, userId, userId],
    );
    // pg parses json columns; a driver that does not leaves the text.
    const following: unknown = typeof row.following === 'string' ? JSON.parse(row.following) : row.following;
    return {
      unreadDms: Number(row.unread_dms),
      following: await withStatuses(this.statuses, following as Record<string, unknown>[]),
      undeliveredDms: Boolean(row.undelivered_dms),
      unreadNotifications: Boolean(row.unread_notifications),
    };
  }
}

import type { EntityManager } from '@mikro-orm/sql';
import { User } from '../../../entities/User.ts';
import { channels, keys, type RealtimeBus } from './RealtimeBus.ts';

/** Up to this many users are looked up one by one rather than by reading every status. */
const FEW_USERS = 32;

/** What a user chooses in `home`; `invisible` looks `offline` to everyone else. */
export type ChosenStatus = 'online' | 'away' | 'invisible';
/** What others see. */
export type VisibleStatus = 'online' | 'away' | 'offline';

/** What others see of a chosen status. */
export function visibleStatus(status: ChosenStatus | 'offline'): VisibleStatus {
  return status === 'invisible' ? 'offline' : status;
}

export interface StatusUpdate {
  user_id: number;
  status: VisibleStatus;
  last_seen_at: string | null;
}

/**
 * Each user's online status (the product's "presence"; not to be confused with Colyseus' `presence`,
 * the shared store and pub/sub the rooms call `this.presence`). Who is visibly online. The current status lives in the shared presence store (so every process and
 * REST see it); changes go out on the user's presence channel, which followers' homes subscribe to.
 */
export class UserStatuses {
  constructor(
    private readonly em: EntityManager,
    private readonly bus: RealtimeBus,
  ) {}

  /** A user's status moves from `from` to `to`; others hear of it only when what they see changes. */
  async change(userId: number, from: ChosenStatus | 'offline', to: ChosenStatus | 'offline'): Promise<void> {
    if (visibleStatus(from) !== visibleStatus(to)) await this.set(userId, to);
  }

  async set(userId: number, status: ChosenStatus | 'offline'): Promise<StatusUpdate> {
    const visible = visibleStatus(status);
    let lastSeen: Date | null = null;
    if (visible === 'offline') {
      await this.bus.hdel(keys.presence, String(userId));
      lastSeen = new Date();
      // Its own context: callers need none (going online, the common case, touches no database).
      await this.em.fork().nativeUpdate(User, { id: userId }, { lastSeenAt: lastSeen });
    } else {
      await this.bus.hset(keys.presence, String(userId), visible);
    }
    const update: StatusUpdate = { user_id: userId, status: visible, last_seen_at: lastSeen?.toISOString() ?? null };
    this.bus.publish(channels.presence(userId), update);
    return update;
  }

  /** Visible status of each user (absent → offline). */
  async visibleOf(userIds: number[]): Promise<Map<number, VisibleStatus>> {
    // A few users: one lookup each, not the status of everyone online (a home opens with its followees').
    if (userIds.length <= FEW_USERS) {
      const found = await Promise.all(userIds.map((id) => this.bus.hget(keys.presence, String(id))));
      return new Map(userIds.map((id, i) => [id, (found[i] as VisibleStatus | null) ?? 'offline']));
    }
    const all = await this.bus.hgetall(keys.presence);
    return new Map(userIds.map((id) => [id, (all[String(id)] as VisibleStatus | undefined) ?? 'offline']));
  }
}

import type { EntityManager } from '@mikro-orm/sql';
import { User, type UserStatus } from '../../../entities/User.ts';

/** A ban as the banned user is told of it: why, and until when (null: no end set). */
export interface BanNotice {
  reason: string | null;
  until: string | null;
}

/** The ban holding `user` at `now`, if any: a timed ban past its end no longer holds. */
export function activeBan(user: User, now = new Date()): BanNotice | undefined {
  if (user.status !== 'banned') return undefined;
  if (user.bannedUntil && user.bannedUntil <= now) return undefined;
  return { reason: user.banReason ?? null, until: user.bannedUntil?.toISOString() ?? null };
}

/** The status as it holds now: a timed ban that has ended reads as active even before it is lifted. */
export function effectiveStatus(user: User, now = new Date()): UserStatus {
  return user.status === 'banned' && !activeBan(user, now) ? 'active' : user.status;
}

/**
 * Filters users by the status that holds now. A timed ban ends by itself: the row is lifted when the
 * user next signs in, and until then reads as active everywhere.
 */
export function whereStatus(status: UserStatus, now = new Date()): Record<string, unknown> {
  if (status === 'banned') return { status: 'banned', $or: [{ bannedUntil: null }, { bannedUntil: { $gt: now } }] };
  if (status === 'active') return { $or: [{ status: 'active' }, { status: 'banned', bannedUntil: { $lte: now } }] };
  return { status };
}

/** Clears a timed ban that has ended (conditional: a new ban made meanwhile stays). */
export async function liftEndedBan(em: EntityManager, user: User, now = new Date()): Promise<void> {
  if (user.status !== 'banned' || !user.bannedUntil || user.bannedUntil > now) return;
  await em.nativeUpdate(
    User,
    { id: user.id, status: 'banned', bannedUntil: { $lte: now } },
    { status: 'active', banReason: null, bannedUntil: null },
  );
  user.status = 'active';
  user.banReason = null;
  user.bannedUntil = null;
}

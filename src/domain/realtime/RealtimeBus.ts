import type { UserRole } from '../../../entities/User.ts';
import type { AiJobEvent } from '../ai/ports.ts';
import type { ChatMessageView, DmSeenView, DmView, NotificationView, SupportMessageView } from './views.ts';
import type { PendingDmView } from './spool/spooledMessages.ts';

/**
 * How realtime parts talk across rooms (and processes): publish/subscribe channels plus a small shared
 * key/value store. Implemented on Colyseus presence (src/infra/realtime); the domain only sees this.
 */
export interface RealtimeBus {
  publish(channel: string, payload: unknown): void;
  hset(key: string, field: string, value: string): Promise<unknown>;
  hdel(key: string, field: string): Promise<unknown>;
  hgetall(key: string): Promise<Record<string, string>>;
  hget(key: string, field: string): Promise<string | null>;
}

/** Channel and key names, in one place so rooms, routes and services agree. */
export const channels = {
  /** Everything addressed to one user's `home` actor (DMs, notifications, follow changes). */
  home: (userId: number) => `plaza:home:${userId}`,
  /** A user's visible presence changes; followers' homes subscribe. */
  presence: (userId: number) => `plaza:presence:${userId}`,
  /** Events for a chat group's live room (system messages from REST, member changes). */
  group: (groupId: number) => `plaza:group:${groupId}`,
  /** Support messages, heard by every admin's home. */
  supportAdmins: 'plaza:support:admins',
  /** Sessions ended or a role changed: every room of every type closes what may no longer stay. Payload: RevocationEvent. */
  revoked: 'plaza:revoked',
} as const;

/**
 * The payload of `channels.revoked`, the one contract between whoever ends sessions (logout, ban,
 * password change, refresh-token reuse, a role change, the CLI through the database) and the rooms:
 *
 * - `{ family_id }`: one login ended. Connections opened with that login get error 11002 and close
 *   with 4401.
 * - `{ user_id }`: every session of the user ended (their access tokens are dead). All their
 *   connections get 11002 and close with 4401.
 * - `{ user_id, role }`: the user's role is now `role` and their sessions stay valid. Connections to
 *   rooms whose minimum role `role` no longer reaches (an operator demoted to user in `ssh`) get 11007
 *   and close with 4403; the others carry the new role from then on.
 *
 * Seats kept for a dropped connection's reconnect are cancelled the same way.
 */
export interface RevocationEvent {
  user_id?: number;
  family_id?: string;
  role?: UserRole;
}

/**
 * The fixed room ids of the one-per-actor rooms: every process creates, finds and checks them by these
 * (the room-listing driver's atomic insert keeps one of each across processes).
 */
export const roomIds = {
  home: (userId: number) => `home-${userId}`,
  chat: (groupId: number) => `chat-${groupId}`,
} as const;

export const keys = {
  /** userId → JSON PresenceRecord (visible status only; invisible users are absent). */
  presence: 'plaza:presence',
  /** sessionId → JSON ConnectionView of every live room connection (with the process holding it). */
  connections: 'plaza:connections',
  /** userId → how many room connections the user holds (the per-user connection cap). */
  connectionCounts: 'plaza:connection-counts',
} as const;

/** What a home actor can receive through its channel. */
export type HomeEvent =
  /** `unread`: the recipient's unread DM count, on the recipient's channel. */
  | { kind: 'dm'; message: DmView | PendingDmView; unread?: number }
  /** A DM to or from me was edited or deleted by its author (on both users' channels). */
  | { kind: 'dm_updated' | 'dm_deleted'; message: DmView }
  /** On the sender's channel: `user_id` has read my DMs to them up to `up_to_id`. */
  | { kind: 'dm_seen'; seen: DmSeenView }
  /** A DM this user sent while the database was away is stored now (to the sender's channel). */
  | { kind: 'dm_stored'; message: DmView }
  /** A message this user sent while the database was away was refused when it was stored. */
  | {
      kind: 'spool_refused';
      error_code: number;
      message: string;
      detail: { type: string; client_msg_id: string; group_id?: number; to?: number };
    }
  | { kind: 'notification'; notification: NotificationView }
  | { kind: 'following_changed' }
  | { kind: 'support'; message: SupportMessageView }
  | { kind: 'ai_job'; event: AiJobEvent };

/** What a chat group's room can receive through its channel. */
export type GroupEvent =
  | { kind: 'message'; message: ChatMessageView }
  /** A message delivered as pending while the database was away is stored now: its id and seq. */
  | { kind: 'stored'; message: ChatMessageView }
  | { kind: 'members_changed' }
  | { kind: 'renamed'; name: string };

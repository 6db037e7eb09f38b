/**
 * How realtime parts talk across rooms (and processes): publish/subscribe channels plus a small shared
 * key/value store. Implemented on Colyseus presence (src/infra/realtime); the domain only sees this.
 */
export interface RealtimeBus {
  publish(channel: string, payload: unknown): void;
  hset(key: string, field: string, value: string): Promise<unknown>;
  hdel(key: string, field: string): Promise<unknown>;
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
}

/** Channel and key names, in one place so rooms, routes and services agree. */
export const channels = {
  /** Everything addressed to one user's `home` actor (DMs, notices, follow changes). */
  home: (userId: number) => `plaza:home:${userId}`,
  /** A user's visible presence changes; followers' homes subscribe. */
  presence: (userId: number) => `plaza:presence:${userId}`,
  /** Events for a chat group's live room (system messages from REST, member changes). */
  group: (groupId: number) => `plaza:group:${groupId}`,
  /** Support messages, heard by every admin's home. */
  supportAdmins: 'plaza:support:admins',
  /** A user lost all sessions (ban, password change): every room closes their connections. */
  revoked: 'plaza:revoked',
} as const;

export const keys = {
  /** userId → JSON PresenceRecord (visible status only; invisible users are absent). */
  presence: 'plaza:presence',
  /** sessionId → JSON ConnectionRecord of every live room connection. */
  connections: 'plaza:connections',
} as const;

/** What a home actor can receive through its channel. */
export type HomeEvent =
  | { kind: 'dm'; message: import('./views.ts').DmView }
  | { kind: 'notification'; notification: Notification }
  | { kind: 'following_changed' }
  | { kind: 'support'; message: import('./views.ts').SupportMessageView }
  | { kind: 'ai_job'; event: import('../ai/ports.ts').AiJobEvent };

export interface Notification {
  type: 'followed' | 'group_invite' | 'notice';
  text: string;
  from_user_id: number | null;
  group_id?: number;
  created_at: string;
}

/** What a chat group's room can receive through its channel. */
export type GroupEvent =
  | { kind: 'message'; message: import('./views.ts').ChatMessageView }
  | { kind: 'members_changed' };

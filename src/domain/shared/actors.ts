import type { UserRole } from '../../../entities/User.ts';
import type { Actor } from '../admin/AuditLog.ts';

/** A signed-in caller as the token service knows them (a Principal, a room client's principal). */
interface SignedIn {
  userId: number;
  username: string;
  role: UserRole;
}

/**
 * Who writes or acts (a message's author, a follower, a group's member or moderator): the caller's id, name
 * and role, and nothing of their token. The one place a principal becomes the domain's acting user.
 */
export function actingUser(principal: SignedIn): SignedIn {
  return { userId: principal.userId, username: principal.username, role: principal.role };
}

/** The same caller as the admin audit log records them. */
export function auditActor(principal: SignedIn): Actor {
  return { id: principal.userId, name: principal.username };
}

import type { User } from '../../../entities/User.ts';
import { activeBan, effectiveStatus } from './bans.ts';

/** What `publicUser` reads: the entity, or the same fields of a row read with a list. */
export type PublicUserFields = Pick<User, 'id' | 'username' | 'nickname' | 'bio' | 'role' | 'createdAt'> & {
  avatarFile?: { id: number } | null;
};

/** What anyone signed in may see of a user. A deleted account shows as its placeholder. */
export function publicUser(user: PublicUserFields) {
  return {
    id: user.id,
    username: user.username,
    nickname: user.nickname,
    bio: user.bio,
    avatar_file_id: user.avatarFile?.id ?? null,
    role: user.role,
    created_at: user.createdAt.toISOString(),
  };
}

/** What a user sees of themself. */
export function privateUser(user: User) {
  return {
    ...publicUser(user),
    email: user.email,
    email_verified: Boolean(user.emailVerifiedAt),
    status: effectiveStatus(user),
    last_seen_at: user.lastSeenAt?.toISOString() ?? null,
    updated_at: user.updatedAt.toISOString(),
  };
}

/** What admins see in the user list. */
export function adminUser(user: User) {
  const ban = activeBan(user);
  return {
    ...privateUser(user),
    ban_reason: ban?.reason ?? null,
    banned_until: ban?.until ?? null,
    deleted_at: user.deletedAt?.toISOString() ?? null,
  };
}

export type PublicUser = ReturnType<typeof publicUser>;
export type PrivateUser = ReturnType<typeof privateUser>;
export type AdminUser = ReturnType<typeof adminUser>;

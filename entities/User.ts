import { defineEntity, p } from '@mikro-orm/core';
import { StoredFile } from './StoredFile.ts';

export const USER_ROLES = ['user', 'operator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Roles are ordered: an admin passes every operator check, an operator every user check. */
export function roleAtLeast(role: UserRole, minimum: UserRole): boolean {
  return USER_ROLES.indexOf(role) >= USER_ROLES.indexOf(minimum);
}
/** `deleted`: the account was closed by its owner; the row stays as the placeholder author of kept content. */
export const USER_STATUSES = ['active', 'banned', 'deleted'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().autoincrement(),
    /** Stored lower-case: usernames are case-insensitive identifiers. */
    username: p.string().length(32).unique(),
    /** Stored lower-case: e-mail addresses compare case-insensitively. */
    email: p.string().length(254).unique(),
    passwordHash: p.text().hidden().lazy(),
    nickname: p.string().length(64),
    bio: p.text().default(''),
    /** One of the user's own standalone image uploads; cleared by the database when the file goes. */
    avatarFile: () => p.manyToOne(StoredFile).nullable().deleteRule('set null'),
    role: p.enum([...USER_ROLES]).default('user'),
    status: p.enum([...USER_STATUSES]).default('active'),
    banReason: p.string().length(500).nullable(),
    /** A timed ban ends by itself at this instant; null with `banned` is a ban without end. */
    bannedUntil: p.datetime().nullable(),
    /** When the owner proved the address (null: not yet, or verification was off when it was set). */
    emailVerifiedAt: p.datetime().nullable(),
    /** When the owner deleted the account. */
    deletedAt: p.datetime().nullable(),
    /** The username a deleted account had: nobody may register it until the hold period has passed. */
    heldUsername: p.string().length(32).nullable().index(),
    /** Bumped to invalidate every access token issued before (ban, password change). */
    tokenVersion: p.integer().default(0),
    lastSeenAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class User extends UserSchema.class {}
UserSchema.setClass(User);

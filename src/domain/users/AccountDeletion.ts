import type { EntityManager } from '@mikro-orm/sql';
import { User } from '../../../entities/User.ts';
import { StoredFile } from '../../../entities/StoredFile.ts';
import { ChatMessage } from '../../../entities/ChatMessage.ts';
import { ChatMember } from '../../../entities/ChatMember.ts';
import { Follow } from '../../../entities/Follow.ts';
import { UserBlock } from '../../../entities/UserBlock.ts';
import { Notification } from '../../../entities/Notification.ts';
import { LoginSession } from '../../../entities/LoginSession.ts';
import { EmailToken } from '../../../entities/EmailToken.ts';
import type { SessionRevoker } from '../auth/SessionRevoker.ts';
import type { PasswordCheck } from '../auth/PasswordCheck.ts';
import type { Principal } from '../auth/TokenService.ts';

/** How a deleted account appears as the author of what it leaves behind. */
export const DELETED_NICKNAME = 'Deleted user';

/** The placeholder username of deleted account `id`: `#` never passes sign-up validation, so nobody can take it. */
export function deletedUsername(id: number): string {
  return `deleted#${id}`;
}

/** Where stored bytes go once their rows are gone (the file service). */
export interface StoredBytes {
  removeBytes(keys: string[]): Promise<void>;
}

/**
 * Deletes an account at its owner's request (password required). The policy (README, "Deleting an
 * account"): the row stays as an anonymised placeholder so posts, comments and messages keep their
 * author and threads stay readable; everything personal goes — e-mail, profile, avatar and standalone
 * uploads, follows, blocks, memberships, notifications, sessions. Every token dies at once. The username
 * is held for DELETED_USERNAME_HOLD seconds (nobody can pose as the owner right away), then anyone may
 * register it.
 */
export class AccountDeletion {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: { sessions: SessionRevoker; passwords: PasswordCheck; files: StoredBytes },
  ) {}

  async delete(principal: Principal, password: string): Promise<void> {
    const user = await this.deps.passwords.confirm(this.em, principal.userId, password);
    const id = user.id;
    let storageKeys: string[] = [];
    await this.deps.sessions.revokeUser(id, {}, async (em) => {
      const standalone = await em.find(
        StoredFile,
        { owner: id, post: null, comment: null },
        { fields: ['id', 'storageKey'] },
      );
      storageKeys = standalone.map((f) => f.storageKey);
      await em.nativeUpdate(
        User,
        { id },
        {
          status: 'deleted',
          deletedAt: new Date(),
          heldUsername: user.username,
          username: deletedUsername(id),
          email: `deleted-${id}@deleted.invalid`,
          emailVerifiedAt: null,
          // Not a hash argon2 can match: nothing signs in as this row again.
          passwordHash: '!deleted',
          nickname: DELETED_NICKNAME,
          bio: '',
          avatarFile: null,
          banReason: null,
          bannedUntil: null,
        },
      );
      if (standalone.length) await em.nativeDelete(StoredFile, { id: { $in: standalone.map((f) => f.id) } });
      await em.nativeUpdate(ChatMessage, { authorId: id }, { authorName: deletedUsername(id) });
      await em.nativeDelete(ChatMember, { userId: id });
      await em.nativeDelete(Follow, { $or: [{ followerId: id }, { followeeId: id }] });
      await em.nativeDelete(UserBlock, { $or: [{ blockerId: id }, { blockedId: id }] });
      await em.nativeDelete(Notification, { userId: id });
      await em.nativeDelete(LoginSession, { user: id });
      await em.nativeDelete(EmailToken, { user: id });
    });
    await this.deps.files.removeBytes(storageKeys);
  }
}

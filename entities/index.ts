import { User } from './User.ts';
import { RefreshToken } from './RefreshToken.ts';
import { RevokedAccessToken } from './RevokedAccessToken.ts';
import { PasswordResetToken } from './PasswordResetToken.ts';
import { OutboxEmail } from './OutboxEmail.ts';
import { AdminAuditEntry } from './AdminAuditEntry.ts';
import { ChatGroup } from './ChatGroup.ts';
import { ChatMember } from './ChatMember.ts';
import { ChatMessage } from './ChatMessage.ts';
import { DirectMessage } from './DirectMessage.ts';
import { Follow } from './Follow.ts';
import { UserBlock } from './UserBlock.ts';
import { SupportMessage } from './SupportMessage.ts';

export { User, RefreshToken, RevokedAccessToken, PasswordResetToken, OutboxEmail, AdminAuditEntry };
// realtime (issue 4)
export { ChatGroup, ChatMember, ChatMessage, DirectMessage, Follow, UserBlock, SupportMessage };

/** Every entity Plaza maps; the ORM and the migration generator both read this list. */
export const allEntities = [User, RefreshToken, RevokedAccessToken, PasswordResetToken, OutboxEmail, AdminAuditEntry,
  ChatGroup, ChatMember, ChatMessage, DirectMessage, Follow, UserBlock, SupportMessage];

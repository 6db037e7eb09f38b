import { User } from './User.ts';
import { RefreshToken } from './RefreshToken.ts';
import { RevokedAccessToken } from './RevokedAccessToken.ts';
import { PasswordResetToken } from './PasswordResetToken.ts';
import { OutboxEmail } from './OutboxEmail.ts';
import { AdminAuditEntry } from './AdminAuditEntry.ts';
import { SshSessionLease } from './SshSessionLease.ts';

export { User, RefreshToken, RevokedAccessToken, PasswordResetToken, OutboxEmail, AdminAuditEntry, SshSessionLease };

/** Every entity Plaza maps; the ORM and the migration generator both read this list. */
export const allEntities = [User, RefreshToken, RevokedAccessToken, PasswordResetToken, OutboxEmail, AdminAuditEntry, SshSessionLease];

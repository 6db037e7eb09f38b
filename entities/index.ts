import { User } from './User.ts';
import { RefreshToken } from './RefreshToken.ts';
import { RevokedAccessToken } from './RevokedAccessToken.ts';
import { PasswordResetToken } from './PasswordResetToken.ts';
import { OutboxEmail } from './OutboxEmail.ts';
import { AdminAuditEntry } from './AdminAuditEntry.ts';
import { AiJob } from './AiJob.ts';
import { AiModelSetting } from './AiModelSetting.ts';
import { AiTrainedModel } from './AiTrainedModel.ts';

export { User, RefreshToken, RevokedAccessToken, PasswordResetToken, OutboxEmail, AdminAuditEntry, AiJob, AiModelSetting, AiTrainedModel };

/** Every entity Plaza maps; the ORM and the migration generator both read this list. */
export const allEntities = [User, RefreshToken, RevokedAccessToken, PasswordResetToken, OutboxEmail, AdminAuditEntry, AiJob, AiModelSetting, AiTrainedModel];

import { User } from './User.ts';
import { RefreshToken } from './RefreshToken.ts';
import { TokenRevocation } from './TokenRevocation.ts';
import { PasswordResetToken } from './PasswordResetToken.ts';
import { OutboxEmail } from './OutboxEmail.ts';
import { AdminAuditEntry } from './AdminAuditEntry.ts';
import { Board } from './Board.ts';
import { BoardGrant } from './BoardGrant.ts';
import { Post } from './Post.ts';
import { Comment } from './Comment.ts';
import { PostLike } from './PostLike.ts';
import { PostView } from './PostView.ts';
import { StoredFile } from './StoredFile.ts';
import { AiJob } from './AiJob.ts';
import { AiModelSetting } from './AiModelSetting.ts';
import { AiTrainedModel } from './AiTrainedModel.ts';
import { SshSessionLease } from './SshSessionLease.ts';
import { ChatGroup } from './ChatGroup.ts';
import { ChatMember } from './ChatMember.ts';
import { ChatMessage } from './ChatMessage.ts';
import { DirectMessage } from './DirectMessage.ts';
import { Follow } from './Follow.ts';
import { UserBlock } from './UserBlock.ts';
import { SupportMessage } from './SupportMessage.ts';
import { Notification } from './Notification.ts';
import { LoginSession } from './LoginSession.ts';
import { EmailToken } from './EmailToken.ts';
import { SavedQuery } from './SavedQuery.ts';
import { ImportRecord } from './ImportRecord.ts';

/** Every entity Plaza maps; the ORM and the migration generator both read this list. */
export const allEntities = [
  User,
  RefreshToken,
  TokenRevocation,
  PasswordResetToken,
  OutboxEmail,
  AdminAuditEntry,
  Board,
  BoardGrant,
  Post,
  Comment,
  PostLike,
  PostView,
  StoredFile,
  AiJob,
  AiModelSetting,
  AiTrainedModel,
  SshSessionLease,
  ChatGroup,
  ChatMember,
  ChatMessage,
  DirectMessage,
  Follow,
  UserBlock,
  SupportMessage,
  Notification,
  LoginSession,
  EmailToken,
  SavedQuery,
  ImportRecord,
];

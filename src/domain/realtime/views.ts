import type { ChatGroup, GroupVisibility } from '../../../entities/ChatGroup.ts';
import type { Notification, NotificationType } from '../../../entities/Notification.ts';
import type { ChatMessage } from '../../../entities/ChatMessage.ts';
import type { DirectMessage } from '../../../entities/DirectMessage.ts';
import type { SupportMessage } from '../../../entities/SupportMessage.ts';

export interface ChatMessageView {
  id: number;
  group_id: number;
  kind: 'msg' | 'system' | 'room_dm';
  /** Position among the group's public messages (contiguous: a jump means something was missed); null for room_dm. */
  seq: number | null;
  author_id: number | null;
  author_name: string | null;
  to_user_id: number | null;
  text: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  client_msg_id: string | null;
  /** Attached files (readable by the conversation's members: GET /files/:id); empty once deleted. */
  file_ids: number[];
}

export function chatMessageView(m: ChatMessage, fileIds: number[] = []): ChatMessageView {
  return {
    id: m.id,
    group_id: m.groupId,
    kind: m.kind,
    seq: m.seq ?? null,
    author_id: m.authorId ?? null,
    author_name: m.authorName ?? null,
    to_user_id: m.toUserId ?? null,
    text: m.deletedAt ? '' : m.text,
    created_at: m.createdAt.toISOString(),
    edited_at: m.editedAt?.toISOString() ?? null,
    deleted: Boolean(m.deletedAt),
    client_msg_id: m.clientMsgId ?? null,
    file_ids: m.deletedAt ? [] : fileIds,
  };
}

export interface GroupView {
  id: number;
  name: string;
  owner_id: number;
  visibility: GroupVisibility;
  history_visible_to_new_members: boolean;
  retain_messages: number | null;
  created_at: string;
}

export function groupView(g: ChatGroup): GroupView {
  return {
    id: g.id,
    name: g.name,
    owner_id: g.ownerId,
    visibility: g.visibility,
    history_visible_to_new_members: g.historyVisibleToNewMembers,
    retain_messages: g.retainMessages ?? null,
    created_at: g.createdAt.toISOString(),
  };
}

export interface DmView {
  id: number;
  /** Position in the conversation of these two users (contiguous: a jump means something was missed). */
  seq: number;
  from_user_id: number;
  from_username: string;
  to_user_id: number;
  /** Empty once deleted. */
  text: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
  read: boolean;
  client_msg_id: string | null;
  /** Attached files (readable by the two users: GET /files/:id); empty once deleted. */
  file_ids: number[];
}

/** A read receipt for the sender: `user_id` has read every DM I sent them up to `up_to_id`. */
export interface DmSeenView {
  user_id: number;
  up_to_id: number;
  read_at: string;
}

export function dmView(m: DirectMessage, fromUsername: string, fileIds: number[] = []): DmView {
  return {
    id: m.id,
    seq: m.seq,
    from_user_id: m.fromUserId,
    from_username: fromUsername,
    to_user_id: m.toUserId,
    text: m.deletedAt ? '' : m.text,
    created_at: m.createdAt.toISOString(),
    edited_at: m.editedAt?.toISOString() ?? null,
    deleted: Boolean(m.deletedAt),
    read: Boolean(m.readAt),
    client_msg_id: m.clientMsgId ?? null,
    file_ids: m.deletedAt ? [] : fileIds,
  };
}

export interface SupportMessageView {
  id: number;
  user_id: number;
  author_id: number;
  author_name: string;
  from_admin: boolean;
  text: string;
  created_at: string;
  client_msg_id: string | null;
}

export function supportMessageView(m: SupportMessage): SupportMessageView {
  return {
    id: m.id,
    user_id: m.userId,
    author_id: m.authorId,
    author_name: m.authorName,
    from_admin: m.fromAdmin,
    text: m.text,
    created_at: m.createdAt.toISOString(),
    client_msg_id: m.clientMsgId ?? null,
  };
}

export interface NotificationView {
  id: number;
  type: NotificationType;
  text: string;
  from_user_id: number | null;
  group_id: number | null;
  read: boolean;
  created_at: string;
}

export function notificationView(n: Notification): NotificationView {
  return {
    id: n.id,
    type: n.type,
    text: n.text,
    from_user_id: n.fromUserId ?? null,
    group_id: n.groupId ?? null,
    read: Boolean(n.readAt),
    created_at: n.createdAt.toISOString(),
  };
}

/** A stored result plus whether it was already there (a repeated client_msg_id). */
export interface Stored<T> {
  view: T;
  duplicate: boolean;
}

export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

import type { ChatGroup } from '../../../entities/ChatGroup.ts';
import type { ChatMessage } from '../../../entities/ChatMessage.ts';
import type { DirectMessage } from '../../../entities/DirectMessage.ts';
import type { SupportMessage } from '../../../entities/SupportMessage.ts';

export interface ChatMessageView {
  id: number;
  group_id: number;
  kind: 'msg' | 'system' | 'room_dm';
  author_id: number | null;
  author_name: string | null;
  to_user_id: number | null;
  text: string;
  created_at: string;
  edited_at: string | null;
  deleted: boolean;
}

export function chatMessageView(m: ChatMessage): ChatMessageView {
  return {
    id: m.id,
    group_id: m.groupId,
    kind: m.kind,
    author_id: m.authorId ?? null,
    author_name: m.authorName ?? null,
    to_user_id: m.toUserId ?? null,
    text: m.deletedAt ? '' : m.text,
    created_at: m.createdAt.toISOString(),
    edited_at: m.editedAt?.toISOString() ?? null,
    deleted: Boolean(m.deletedAt),
  };
}

export interface GroupView {
  id: number;
  name: string;
  owner_id: number;
  retain_messages: number | null;
  created_at: string;
}

export function groupView(g: ChatGroup): GroupView {
  return { id: g.id, name: g.name, owner_id: g.ownerId, retain_messages: g.retainMessages ?? null, created_at: g.createdAt.toISOString() };
}

export interface DmView {
  id: number;
  from_user_id: number;
  from_username: string;
  to_user_id: number;
  text: string;
  created_at: string;
  read: boolean;
}

export function dmView(m: DirectMessage, fromUsername: string): DmView {
  return {
    id: m.id,
    from_user_id: m.fromUserId,
    from_username: fromUsername,
    to_user_id: m.toUserId,
    text: m.text,
    created_at: m.createdAt.toISOString(),
    read: Boolean(m.readAt),
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
  };
}

export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

import type { Author } from '../chatStore.ts';
import type { ChatMessageView, DmView } from '../views.ts';

/** A message accepted while the database was away: kept in the spool until it is stored. */
export type SpooledMessage =
  | {
      id: string;
      /** When it was accepted (ISO). */
      at: string;
      target: 'group';
      groupId: number;
      author: Author;
      kind: 'msg' | 'room_dm';
      text: string;
      toUserId?: number;
      /** Always set (generated when the sender gave none): storing it twice stores it once. */
      clientMsgId: string;
    }
  | {
      id: string;
      at: string;
      target: 'dm';
      author: Author;
      toUserId: number;
      text: string;
      clientMsgId: string;
    };

/** A group message delivered live before it is stored: no id and no seq yet (both come with `stored`). */
export interface PendingChatMessageView extends Omit<ChatMessageView, 'id' | 'seq' | 'client_msg_id'> {
  id: null;
  seq: null;
  pending: true;
  client_msg_id: string;
}

/** A DM delivered live before it is stored. */
export interface PendingDmView extends Omit<DmView, 'id' | 'seq' | 'client_msg_id'> {
  id: null;
  seq: null;
  pending: true;
  client_msg_id: string;
}

export function pendingChatView(m: Extract<SpooledMessage, { target: 'group' }>): PendingChatMessageView {
  return {
    id: null,
    seq: null,
    pending: true,
    group_id: m.groupId,
    kind: m.kind,
    author_id: m.author.userId,
    author_name: m.author.username,
    to_user_id: m.toUserId ?? null,
    text: m.text,
    created_at: m.at,
    edited_at: null,
    deleted: false,
    // Messages with attachments are never spooled (they wait for the database).
    file_ids: [],
    client_msg_id: m.clientMsgId,
  };
}

export function pendingDmView(m: Extract<SpooledMessage, { target: 'dm' }>): PendingDmView {
  return {
    id: null,
    seq: null,
    pending: true,
    from_user_id: m.author.userId,
    from_username: m.author.username,
    to_user_id: m.toUserId,
    text: m.text,
    created_at: m.at,
    read: false,
    edited_at: null,
    deleted: false,
    file_ids: [],
    client_msg_id: m.clientMsgId,
  };
}

/** Where spooled messages are kept durably (an append-only file: src/infra/realtime/SpoolFile.ts). */
export interface SpoolLog {
  /** The messages written and not yet marked stored, oldest first: what a restarted process replays. */
  open(): Promise<SpooledMessage[]>;
  /** Resolves once the message is on disk (fsynced). */
  append(message: SpooledMessage): Promise<void>;
  /** The message is in the database: a replay skips it. */
  markStored(id: string): Promise<void>;
  /** Empties the log (everything in it is stored). */
  clear(): Promise<void>;
  /** Bytes the log holds now. */
  bytes(): number;
}

import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { ChatGroup } from '../../../entities/ChatGroup.ts';
import { ChatMessage, type ChatMessageKind } from '../../../entities/ChatMessage.ts';
import { chatMessageView, iso, type ChatMessageView, type Stored } from './views.ts';

export interface Author {
  userId: number;
  username: string;
}

export interface NewChatMessage {
  kind: ChatMessageKind;
  /** null for system messages. */
  author: Author | null;
  text: string;
  toUserId?: number;
  clientMsgId?: string;
  /** Store only if the author is (still) a member: the domain's own membership check, in the same statement. */
  authorMustBeMember?: boolean;
  /** When the server accepted it, if earlier than now (a spooled message): its `created_at`. Default: the insert's time. */
  acceptedAt?: Date;
}

const PREVIEW_CHARS = 200;
/** What a stored message's view is made of (`rowView`): a statement returns these, not every column. */
const VIEW_COLUMNS = 'id, group_id, kind, seq, author_id, author_name, to_user_id, text, client_msg_id, created_at';

/**
 * Stores one message in one statement. It first takes the group's row (a lock held until commit) to
 * move the group's `last_seq` and preview, and only then draws the message id, so within a group ids
 * grow in commit order and `seq` is contiguous; then it prunes beyond the group's retention. A repeated
 * (author, client_msg_id) stores nothing and returns the original with `duplicate: true`.
 */
export async function insertChatMessage(
  em: EntityManager,
  groupId: number,
  input: NewChatMessage,
): Promise<Stored<ChatMessageView>> {
  const isPublic = input.kind !== 'room_dm';
  const authorId = input.author?.userId ?? null;
  const authorName = input.author?.username ?? null;
  const acceptedAt = input.acceptedAt?.toISOString() ?? null;
  let rows: Record<string, unknown>[];
  try {
    rows = await em.execute<Record<string, unknown>[]>(
      `with g as (
         update chat_groups set
           last_seq = last_seq + (case when ?::boolean then 1 else 0 end),
           last_message_id = case when ?::boolean then nextval('chat_messages_id_seq') else last_message_id end,
           last_message_at = case when ?::boolean then coalesce(?::timestamptz, clock_timestamp()) else last_message_at end,
           last_message_text = case when ?::boolean then left(?::text, ${PREVIEW_CHARS}) else last_message_text end,
           last_message_from = case when ?::boolean then ?::varchar else last_message_from end,
           last_message_kind = case when ?::boolean then ?::varchar else last_message_kind end
         where id = ? and (not ?::boolean or exists (select 1 from chat_members where group_id = ? and user_id = ?))
         returning id, last_seq, last_message_id, last_message_at, retain_messages),
       m as (
         insert into chat_messages (id, group_id, seq, kind, author_id, author_name, to_user_id, text, client_msg_id, created_at)
         select case when ?::boolean then g.last_message_id else nextval('chat_messages_id_seq') end, g.id,
           case when ?::boolean then g.last_seq end, ?, ?, ?, ?, ?, ?::uuid,
           case when ?::boolean then g.last_message_at else coalesce(?::timestamptz, clock_timestamp()) end
         from g returning ${VIEW_COLUMNS}),
       d as (
         delete from chat_messages where group_id = ? and id <= (
           select c.id from chat_messages c where c.group_id = ? and (select retain_messages from g) is not null
           order by c.id desc offset greatest((select retain_messages from g) - 1, 0) limit 1))
       select * from m`,
      [
        isPublic,
        isPublic,
        isPublic,
        acceptedAt,
        isPublic,
        input.text,
        isPublic,
        authorName,
        isPublic,
        input.kind,
        groupId,
        Boolean(input.authorMustBeMember),
        groupId,
        authorId,
        isPublic,
        isPublic,
        input.kind,
        authorId,
        authorName,
        input.toUserId ?? null,
        input.text,
        input.clientMsgId ?? null,
        isPublic,
        acceptedAt,
        groupId,
        groupId,
      ],
    );
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException && input.clientMsgId && authorId !== null) {
      return { view: await original(em, groupId, authorId, input.clientMsgId), duplicate: true };
    }
    throw err;
  }
  if (rows.length === 0) {
    if (!(await em.count(ChatGroup, { id: groupId }))) throw new AppError('GROUP_NOT_FOUND');
    throw new AppError('NOT_GROUP_MEMBER');
  }
  return { view: rowView(rows[0]), duplicate: false };
}

/** A plain public message (no files) from a member, stored with others in one statement. */
export interface BatchedChatMessage {
  author: Author;
  text: string;
  clientMsgId?: string;
}

/**
 * Stores several public messages in one statement, in the given order, as `insertChatMessage` stores
 * one: the group's row is locked first (held until commit), then the ids are drawn in order, so ids
 * grow in commit order and `seq` stays contiguous; the group's preview is the last one; retention is
 * applied once. Answers one view per input, in input order, or `null` for a message this statement did
 * not store — its author is not a member, or its client_msg_id was used before (also earlier in the
 * same batch) — which the caller stores alone with `insertChatMessage` to get its exact answer. A
 * unique violation (a concurrent repeat) stores nothing and answers `null` for every message.
 */
export async function insertChatMessages(
  em: EntityManager,
  groupId: number,
  input: BatchedChatMessage[],
): Promise<(ChatMessageView | null)[]> {
  const seen = new Set<string>();
  const batch = input.flatMap((m, ord) => {
    const key = m.clientMsgId && `${m.author.userId}:${m.clientMsgId}`;
    if (key && seen.has(key)) return [];
    if (key) seen.add(key);
    return [
      {
        ord,
        author_id: m.author.userId,
        author_name: m.author.username,
        text: m.text,
        client_msg_id: m.clientMsgId ?? null,
      },
    ];
  });
  let rows: Record<string, unknown>[];
  try {
    rows = await em.execute<Record<string, unknown>[]>(
      `with input as (
         select * from jsonb_to_recordset(?::jsonb)
           as x(ord int, author_id int, author_name varchar, text text, client_msg_id uuid)),
       ok as (
         select i.*, row_number() over (order by i.ord) as n from input i
         where exists (select 1 from chat_members cm where cm.group_id = ? and cm.user_id = i.author_id)
           and (i.client_msg_id is null or not exists (
             select 1 from chat_messages c where c.author_id = i.author_id and c.client_msg_id = i.client_msg_id))),
       g as (select id, last_seq, retain_messages from chat_groups where id = ? for update),
       m as (
         insert into chat_messages (id, group_id, seq, kind, author_id, author_name, to_user_id, text, client_msg_id, created_at)
         select nextval('chat_messages_id_seq'), g.id, g.last_seq + ok.n, 'msg', ok.author_id, ok.author_name, null,
           ok.text, ok.client_msg_id, clock_timestamp()
         from g cross join ok order by ok.n
         returning ${VIEW_COLUMNS}),
       l as (select * from m order by id desc limit 1),
       u as (
         update chat_groups set last_seq = chat_groups.last_seq + (select count(*) from m),
           last_message_id = l.id, last_message_at = l.created_at, last_message_text = left(l.text, ${PREVIEW_CHARS}),
           last_message_from = l.author_name, last_message_kind = 'msg'
         from l where chat_groups.id = ?),
       d as (
         delete from chat_messages where group_id = ? and id <= (
           select c.id from chat_messages c where c.group_id = ? and (select retain_messages from g) is not null
           order by c.id desc offset greatest((select retain_messages from g) - (select count(*) from ok), 0) limit 1))
       select m.*, ok.ord, (select retain_messages from g) as retain from m join ok on m.seq = (select last_seq from g) + ok.n`,
      [JSON.stringify(batch), groupId, groupId, groupId, groupId, groupId],
    );
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) return input.map(() => null);
    throw err;
  }
  // The statement prunes only rows older than itself: a batch longer than the retention prunes its own first ones.
  const retain = rows[0]?.retain === null || rows[0]?.retain === undefined ? null : Number(rows[0].retain);
  if (retain !== null && rows.length > retain) await pruneBeyond(em, groupId, retain);
  const views: (ChatMessageView | null)[] = input.map(() => null);
  for (const r of rows) views[Number(r.ord)] = rowView(r);
  return views;
}

async function pruneBeyond(em: EntityManager, groupId: number, retain: number): Promise<void> {
  await em.execute(
    `delete from chat_messages where group_id = ? and id <= (
       select c.id from chat_messages c where c.group_id = ? order by c.id desc offset ? limit 1)`,
    [groupId, groupId, retain],
  );
}

async function original(
  em: EntityManager,
  groupId: number,
  authorId: number,
  clientMsgId: string,
): Promise<ChatMessageView> {
  const message = await em.findOneOrFail(ChatMessage, { authorId, clientMsgId });
  if (message.groupId !== groupId) {
    throw new AppError('VALIDATION_FAILED', {
      message: 'This client_msg_id was already used for another message',
      detail: [{ path: 'client_msg_id', message: 'already used in another group' }],
    });
  }
  return chatMessageView(message);
}

function rowView(r: Record<string, unknown>): ChatMessageView {
  return {
    id: Number(r.id),
    group_id: Number(r.group_id),
    kind: r.kind as ChatMessageKind,
    seq: r.seq === null ? null : Number(r.seq),
    author_id: r.author_id === null ? null : Number(r.author_id),
    author_name: (r.author_name as string | null) ?? null,
    to_user_id: r.to_user_id === null ? null : Number(r.to_user_id),
    text: String(r.text),
    created_at: iso(r.created_at)!,
    edited_at: null,
    deleted: false,
    client_msg_id: (r.client_msg_id as string | null) ?? null,
    file_ids: [],
  };
}

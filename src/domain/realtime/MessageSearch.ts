import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';
import { substringCondition } from '../shared/textSearch.ts';
import { iso } from './views.ts';

/** One message found by a search in my messages: a group message or a DM. */
export interface MessageHitView {
  source: 'group' | 'dm';
  id: number;
  /** The group, for a group message. */
  group_id: number | null;
  /** The other user of the conversation, for a DM. */
  peer_id: number | null;
  author_id: number | null;
  author_name: string | null;
  text: string;
  created_at: string;
}

/** A page position: the row's time in microseconds, its source and id (ids of groups and DMs may repeat). */
const cursorShape = z.tuple([z.number().int(), z.enum(['group', 'dm']), z.number().int()]);

/**
 * Searches what I may read, newest first: messages of my groups (as the group's history shows them to
 * me: public ones and room_dms to or from me, none before I could see) and my DMs. Deleted messages
 * are not found. Terms match any part of a word, case-insensitively, with the same syntax and
 * trigram indexes as the boards' search (textSearch.ts).
 */
export class MessageSearch {
  constructor(private readonly em: EntityManager) {}

  async search(userId: number, input: { q: string; cursor?: string; limit: number }): Promise<Page<MessageHitView>> {
    const after = decodeCursor(input.cursor, cursorShape);
    const { sql, params } = searchQuery(userId, input.q, after ?? null, input.limit + 1);
    const rows = await this.em.execute<Record<string, unknown>[]>(sql, params);
    return toPage(rows, input.limit, hitView, (r) => [Number(r.at_us), String(r.source), Number(r.id)]);
  }
}

/** The search as one statement (exported so a test can read its plan). */
export function searchQuery(
  userId: number,
  q: string,
  after: z.infer<typeof cursorShape> | null,
  limit: number,
): { sql: string; params: unknown[] } {
  const inGroups = substringCondition('m."text"', q);
  const inDms = substringCondition('d."text"', q);
  const atUs = (column: string) => `(extract(epoch from ${column}) * 1000000)::bigint`;
  const sql = `select * from (
      select 'group' as source, m.id, m.group_id, null::int as peer_id, m.author_id, m.author_name, m.text,
        m.created_at, ${atUs('m.created_at')} as at_us
      from chat_messages m join chat_members cm on cm.group_id = m.group_id and cm.user_id = ?
      where m.deleted_at is null and m.id > cm.visible_after_id
        and (m.kind <> 'room_dm' or m.author_id = ? or m.to_user_id = ?) and ${inGroups.sql}
      union all
      select 'dm', d.id, null, case when d.from_user_id = ? then d.to_user_id else d.from_user_id end,
        d.from_user_id, u.username, d.text, d.created_at, ${atUs('d.created_at')}
      from direct_messages d join users u on u.id = d.from_user_id
      where (d.from_user_id = ? or d.to_user_id = ?) and d.deleted_at is null and ${inDms.sql}
    ) hits
    ${after ? 'where (at_us, source, id) < (?, ?, ?)' : ''}
    order by at_us desc, source desc, id desc limit ?`;
  return {
    sql,
    params: [
      userId,
      userId,
      userId,
      ...inGroups.params,
      userId,
      userId,
      userId,
      ...inDms.params,
      ...(after ?? []),
      limit,
    ],
  };
}

function hitView(r: Record<string, unknown>): MessageHitView {
  const optionalNumber = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    source: r.source as MessageHitView['source'],
    id: Number(r.id),
    group_id: optionalNumber(r.group_id),
    peer_id: optionalNumber(r.peer_id),
    author_id: optionalNumber(r.author_id),
    author_name: (r.author_name as string | null) ?? null,
    text: String(r.text),
    created_at: iso(r.created_at)!,
  };
}

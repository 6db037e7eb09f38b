import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import type { GroupVisibility } from '../../../entities/ChatGroup.ts';
import { escapeLike } from '../shared/like.ts';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';
import { iso, type GroupView } from './views.ts';

/** A group I belong to, as my list shows it. */
export interface MyGroupView extends GroupView {
  member_count: number;
  unread: number;
  last_read_message_id: number;
  last_message: { id: number; kind: string; from: string | null; text: string; created_at: string } | null;
}

/** An open group, as discovery lists it. */
export interface DiscoveredGroupView extends GroupView {
  member_count: number;
}

/** Groups I belong to, latest activity first, with a preview and my unread count. */
export async function myGroups(em: EntityManager, userId: number): Promise<MyGroupView[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select g.*, m.last_read_message_id as my_cursor,
       (select count(*) from chat_members x where x.group_id = g.id) as member_count,
       (select count(*) from chat_messages c where c.group_id = g.id and c.id > greatest(m.last_read_message_id, m.visible_after_id)
          and c.deleted_at is null and (c.author_id is null or c.author_id <> ?)
          and (c.kind <> 'room_dm' or c.to_user_id = ?)) as unread
     from chat_groups g join chat_members m on m.group_id = g.id and m.user_id = ?
     order by g.last_message_id desc nulls last, g.id desc`,
    [userId, userId, userId],
  );
  return rows.map((r) => ({
    ...rowGroupView(r),
    member_count: Number(r.member_count),
    unread: Number(r.unread),
    last_read_message_id: Number(r.my_cursor),
    last_message:
      r.last_message_id && Number(r.last_message_id) > 0
        ? {
            id: Number(r.last_message_id),
            kind: String(r.last_message_kind),
            from: (r.last_message_from as string | null) ?? null,
            text: String(r.last_message_text ?? ''),
            created_at: iso(r.last_message_at)!,
          }
        : null,
  }));
}

/** Open groups whose name contains `q`, oldest first, keyset paged. */
export async function discoverGroups(
  em: EntityManager,
  input: { q?: string; cursor?: string; limit: number },
): Promise<Page<DiscoveredGroupView>> {
  const after = decodeCursor(input.cursor, z.tuple([z.number().int()]));
  const rows = await em.execute<Record<string, unknown>[]>(
    `select g.*, (select count(*) from chat_members x where x.group_id = g.id) as member_count
       from chat_groups g
      where g.visibility = 'open' and g.id > ? and (?::text is null or g.name ilike ?)
      order by g.id limit ?`,
    [after?.[0] ?? 0, input.q ?? null, `%${escapeLike(input.q ?? '')}%`, input.limit + 1],
  );
  return toPage(
    rows,
    input.limit,
    (r) => ({ ...rowGroupView(r), member_count: Number(r.member_count) }),
    (r) => [Number(r.id)],
  );
}

function rowGroupView(r: Record<string, unknown>): GroupView {
  return {
    id: Number(r.id),
    name: String(r.name),
    owner_id: Number(r.owner_id),
    visibility: r.visibility as GroupVisibility,
    history_visible_to_new_members: Boolean(r.history_visible_to_new_members),
    retain_messages: r.retain_messages === null ? null : Number(r.retain_messages),
    created_at: iso(r.created_at)!,
  };
}

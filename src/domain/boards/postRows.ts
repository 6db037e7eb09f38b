import type { EntityManager } from '@mikro-orm/sql';
import { POST_SEARCH_TEXT } from '../../../entities/Post.ts';
import type { BoardAccessPolicy } from '../../../entities/Board.ts';
import type { UserRole } from '../../../entities/User.ts';
import type { FileCategory } from '../../../entities/StoredFile.ts';
import type { FileFields } from '../files/fileViews.ts';
import { substringCondition } from '../shared/textSearch.ts';
import type { BoardRules, GrantRules, Viewer } from './BoardAccess.ts';
import type { CommentFields, PostFields } from './boardViews.ts';

/**
 * The read paths of the boards (a page of posts, one post, a page of comments), each ONE statement
 * without entity hydration: they are the hot paths, and on the embedded database every statement is a
 * round trip to its thread. The board's rules and the viewer's grant come with the rows (the caller
 * decides on them before anything is shown); each post or comment comes with its author and its
 * attachments, a post also with whether the viewer liked it. Rows map to the same fields the entities
 * have, so `postView`/`commentView` make the one shape from either.
 */

/** A post as the list reads it: the fields `postView` needs, and whether the viewer liked it. */
export type PostRow = PostFields & { liked: boolean; attachments: FileFields[] };

export interface PostPageRequest {
  boardId: number;
  viewer: Viewer;
  /** `id` for newest first; a counter column for most liked/viewed (newest first among equals). */
  orderBy: 'id' | 'like_count' | 'view_count';
  /** The keyset position to continue after: `[id]` for `id`, `[counter, id]` otherwise. */
  after?: number[];
  q?: string;
  /** How many rows to read (a page asks one more than it shows). */
  limit: number;
}

/** A comment as its list reads it: the fields `commentView` needs, and its attachments. */
export type CommentRow = CommentFields & { attachments: FileFields[] };

/** The rules a read is decided on: the board's, and the viewer's grant on it. */
export interface Rules {
  board: BoardRules;
  grant: GrantRules | null;
}

/** What a page statement answers: nothing when the board (or post) does not exist. */
export type RowsUnder<Row> = Rules & { rows: Row[] };

/** The columns of the post's author, prefixed `author_` (see `authorOf`). */
const AUTHOR_COLUMNS = ['id', 'username', 'nickname', 'bio', 'avatar_file_id', 'role', 'created_at']
  .map((c) => `u.${c} as author_${c}`)
  .join(', ');

/** A JSON array of the attachments whose `column` is `ownerSql`, oldest first (null when none). */
function attachmentsJson(column: 'post_id' | 'comment_id', ownerSql: string): string {
  return `(select json_agg(json_build_object('id', f.id, 'owner_id', f.owner_id, 'original_name', f.original_name,
    'size', f.size, 'sha256', f.sha256, 'mime', f.mime, 'category', f.category, 'post_id', f.post_id,
    'comment_id', f.comment_id, 'created_at', f.created_at) order by f.id)
    from files f where f.${column} = ${ownerSql})`;
}

/** The board's rules (`b`) and the viewer's grant (`g`), read back by `rulesOf`. */
const RULES_COLUMNS = `b.visible as board_visible, b.available as board_available, b.access as board_access,
  b.deleted_at as board_deleted_at, g.can_read, g.can_write, g.can_comment, g.can_upload`;
/** Joins the viewer's grant (one parameter: the viewer's id) to a board `b`. */
const GRANT_JOIN = 'left join board_grants g on g.board_id = b.id and g.user_id = ?';
/** A post `p` by `u` with the viewer's like (one parameter: the viewer's id) and its attachments. */
const POST_COLUMNS = `p.id, p.board_id, p.title, p.body, p.comment_count, p.view_count, p.like_count, p.created_at,
  p.updated_at, ${AUTHOR_COLUMNS},
  exists (select 1 from post_likes l where l.post_id = p.id and l.user_id = ?) as liked,
  ${attachmentsJson('post_id', 'p.id')} as attachments`;

/** Reads a board's rules, the viewer's grant on it and one page of its live posts, in one statement. */
export async function readPostPage(em: EntityManager, input: PostPageRequest): Promise<RowsUnder<PostRow> | undefined> {
  const viewerId = input.viewer?.userId ?? null;
  // The board's id again inside (not `b.id`): with a constant the planner picks the (board_id, …) index.
  const params: unknown[] = [viewerId, viewerId, input.boardId];
  const conditions: string[] = [];
  const { orderBy, after } = input;
  if (after && orderBy === 'id') {
    conditions.push('p.id < ?');
    params.push(after[0]);
  } else if (after) {
    conditions.push(`(p.${orderBy}, p.id) < (?, ?)`);
    params.push(after[0], after[1]);
  }
  if (input.q) {
    const search = substringCondition(POST_SEARCH_TEXT, input.q);
    conditions.push(search.sql);
    params.push(...search.params);
  }
  params.push(input.limit, input.boardId);
  const order = orderBy === 'id' ? 'p.id desc' : `p.${orderBy} desc, p.id desc`;
  const rows = await em.execute<Record<string, unknown>[]>(
    `select ${RULES_COLUMNS}, p.* from boards b ${GRANT_JOIN}
     left join lateral (
       select ${POST_COLUMNS} from posts p join users u on u.id = p.author_id
       where p.board_id = ? and p.deleted_at is null${conditions.map((c) => ` and ${c}`).join('')}
       order by ${order} limit ?
     ) p on true
     where b.id = ?
     order by ${order}`,
    params,
    'all',
  );
  return rowsUnder(rows, postRowOf);
}

/**
 * What one signed-in viewer adds to a page whose posts are known: their grant on the board and which of
 * `postIds` they like, in one statement (the page itself may come from PostPageCache).
 */
export async function readViewerPart(
  em: EntityManager,
  boardId: number,
  userId: number,
  postIds: number[],
): Promise<{ grant: GrantRules | null; liked: Set<number> }> {
  const likedSql = postIds.length
    ? `(select json_agg(l.post_id) from post_likes l where l.user_id = ? and l.post_id in (${postIds.map(() => '?').join(', ')}))`
    : 'null';
  const [row] = await em.execute<Record<string, unknown>[]>(
    `select g.can_read, g.can_write, g.can_comment, g.can_upload, ${likedSql} as liked
     from (select 1) one left join board_grants g on g.board_id = ? and g.user_id = ?`,
    [...(postIds.length ? [userId, ...postIds] : []), boardId, userId],
    'all',
  );
  return { grant: grantOf(row), liked: new Set(jsonArray(row.liked).map(Number)) };
}

/** Reads a live post with its board's rules and the viewer's grant, in one statement. */
export async function readPost(
  em: EntityManager,
  postId: number,
  viewer: Viewer,
): Promise<(Rules & { post: PostRow }) | undefined> {
  const viewerId = viewer?.userId ?? null;
  const [row] = await em.execute<Record<string, unknown>[]>(
    `select ${RULES_COLUMNS}, ${POST_COLUMNS}
     from posts p join boards b on b.id = p.board_id join users u on u.id = p.author_id ${GRANT_JOIN}
     where p.id = ? and p.deleted_at is null`,
    [viewerId, viewerId, postId],
    'all',
  );
  return row ? { ...rulesOf(row), post: postRowOf(row) } : undefined;
}

/** Reads a live post's board rules, the viewer's grant and one page of its live comments (oldest first). */
export async function readCommentPage(
  em: EntityManager,
  input: { postId: number; viewer: Viewer; afterId?: number; limit: number },
): Promise<RowsUnder<CommentRow> | undefined> {
  const params: unknown[] = [input.viewer?.userId ?? null];
  if (input.afterId !== undefined) params.push(input.afterId);
  params.push(input.limit, input.postId);
  const rows = await em.execute<Record<string, unknown>[]>(
    `select ${RULES_COLUMNS}, c.* from posts p join boards b on b.id = p.board_id ${GRANT_JOIN}
     left join lateral (
       select c.id, c.post_id, c.body, c.created_at, c.updated_at, ${AUTHOR_COLUMNS},
         ${attachmentsJson('comment_id', 'c.id')} as attachments
       from comments c join users u on u.id = c.author_id
       where c.post_id = p.id and c.deleted_at is null${input.afterId !== undefined ? ' and c.id > ?' : ''}
       order by c.id limit ?
     ) c on true
     where p.id = ? and p.deleted_at is null
     order by c.id`,
    params,
    'all',
  );
  return rowsUnder(rows, commentRowOf);
}

/** The rules of the first row and the rows that carry an item (a left join gives one empty row for none). */
function rowsUnder<Row>(rows: Record<string, unknown>[], rowOf: (r: Record<string, unknown>) => Row) {
  if (rows.length === 0) return undefined;
  return { ...rulesOf(rows[0]), rows: rows.filter((r) => r.id !== null && r.id !== undefined).map(rowOf) };
}

/** The `RULES_COLUMNS` of a row. */
function rulesOf(r: Record<string, unknown>): Rules {
  return {
    board: {
      visible: Boolean(r.board_visible),
      available: Boolean(r.board_available),
      access: r.board_access as BoardAccessPolicy,
      deletedAt: dateOrNull(r.board_deleted_at),
    },
    grant: grantOf(r),
  };
}

/** The grant columns (`g.can_*`) of a row; null when the viewer holds none. */
function grantOf(r: Record<string, unknown>): GrantRules | null {
  if (r.can_read === null || r.can_read === undefined) return null;
  return {
    canRead: Boolean(r.can_read),
    canWrite: Boolean(r.can_write),
    canComment: Boolean(r.can_comment),
    canUpload: Boolean(r.can_upload),
  };
}

function commentRowOf(r: Record<string, unknown>): CommentRow {
  return {
    id: Number(r.id),
    post: { id: Number(r.post_id) },
    body: String(r.body),
    author: authorOf(r),
    createdAt: dateOf(r.created_at),
    updatedAt: dateOf(r.updated_at),
    attachments: filesOf(r.attachments),
  };
}

/** A row of the statement above as the fields `postView` reads. */
function postRowOf(r: Record<string, unknown>): PostRow {
  return {
    id: Number(r.id),
    board: { id: Number(r.board_id) },
    title: String(r.title),
    body: String(r.body),
    author: authorOf(r),
    commentCount: Number(r.comment_count),
    viewCount: Number(r.view_count),
    likeCount: Number(r.like_count),
    createdAt: dateOf(r.created_at),
    updatedAt: dateOf(r.updated_at),
    liked: Boolean(r.liked),
    attachments: filesOf(r.attachments),
  };
}

/** The `author_` columns of a row (AUTHOR_COLUMNS) as the fields `publicUser` reads. */
function authorOf(r: Record<string, unknown>): PostFields['author'] {
  return {
    id: Number(r.author_id),
    username: String(r.author_username),
    nickname: String(r.author_nickname),
    bio: String(r.author_bio),
    avatarFile: r.author_avatar_file_id === null ? null : { id: Number(r.author_avatar_file_id) },
    role: r.author_role as UserRole,
    createdAt: dateOf(r.author_created_at),
  };
}

/** A `json_agg` value: null for no rows; a string or already parsed, as the driver gives it. */
function jsonArray(json: unknown): unknown[] {
  if (json === null || json === undefined) return [];
  return (typeof json === 'string' ? JSON.parse(json) : json) as unknown[];
}

/** An `attachmentsJson` value as the fields `fileView` reads. */
function filesOf(json: unknown): FileFields[] {
  return (jsonArray(json) as Record<string, unknown>[]).map((f) => ({
    id: Number(f.id),
    owner: { id: Number(f.owner_id) },
    originalName: String(f.original_name),
    size: Number(f.size),
    sha256: String(f.sha256),
    mime: String(f.mime),
    category: f.category as FileCategory,
    post: f.post_id === null ? null : { id: Number(f.post_id) },
    comment: f.comment_id === null ? null : { id: Number(f.comment_id) },
    createdAt: dateOf(f.created_at),
  }));
}

/** Drivers give timestamps as Dates, JSON as ISO strings (microseconds cut to milliseconds, as the ORM does). */
function dateOf(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}

function dateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : dateOf(value);
}

import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { Post } from '../../../entities/Post.ts';
import { PostLike } from '../../../entities/PostLike.ts';
import type { FileService } from '../files/FileService.ts';
import { fileView } from '../files/fileViews.ts';
import { decodeCursor, toPage, type Page } from '../shared/pagination.ts';
import type { ContentRateLimits } from '../shared/rateLimits.ts';
import { publicUser } from '../users/userViews.ts';
import { assertAllowed, BoardAccess, isAdmin, permissionsOn, type Viewer } from './BoardAccess.ts';
import { readPost, readPostPage, readViewerPart, type PostRow } from './postRows.ts';
import { PostPageCache, type PageKey, type SharedPage, type ViewerPart } from './PostPageCache.ts';
import { postView, type PostView } from './boardViews.ts';
import type { ViewCounter, ViewSource } from './ViewCounter.ts';

export const POST_SORTS = ['new', 'top', 'views'] as const;
export type PostSort = (typeof POST_SORTS)[number];

type SignedIn = NonNullable<Viewer>;

/** The column each sort orders by, newest first among equals (id breaks ties, so the order is total). */
const SORT_COLUMN = { top: 'like_count', views: 'view_count' } as const;
const SORT_FIELD = { top: 'likeCount', views: 'viewCount' } as const;
const cursorShape = z.union([
  z.tuple([z.literal('new'), z.number().int()]),
  z.tuple([z.enum(['top', 'views']), z.number().int(), z.number().int()]),
]);
const likeCursor = z.tuple([z.number().int()]);

/** Posts and likes. Counters move only through single atomic SQL statements. */
export class PostService {
  private readonly access: BoardAccess;

  constructor(
    private readonly em: EntityManager,
    private readonly files: FileService,
    private readonly views: ViewCounter,
    private readonly limits: ContentRateLimits,
    /** Pages kept between reads; every write here tells it what changed. */
    readonly pages: PostPageCache = new PostPageCache(),
  ) {
    this.access = new BoardAccess(em);
  }

  /**
   * A board's live posts, keyset-paginated: the cursor holds the last row's sort key and id, so rows
   * inserted between pages neither repeat nor shift later pages. `q` searches title and body for
   * parts of words (pg_trgm GIN index), combined with the chosen sort.
   */
  async list(
    viewer: Viewer,
    boardId: number,
    input: { sort: PostSort; q?: string; cursor?: string; limit: number },
  ): Promise<Page<PostView>> {
    const after = await this.cursorOn(boardId, viewer, input);
    const key: PageKey = { boardId, sort: input.sort, cursor: input.cursor, q: input.q, limit: input.limit };
    const userId = viewer?.userId;
    const shared = this.pages.shared(key);
    if (!shared) return this.readPage(viewer, key, after?.slice(1) as number[] | undefined);
    let part: ViewerPart | undefined = userId === undefined ? NO_VIEWER : this.pages.viewer(key, userId);
    if (!part) {
      const stamp = this.pages.stamp(boardId);
      part = await readViewerPart(
        this.em,
        boardId,
        userId!,
        shared.page.items.map((p) => p.id),
      );
      this.pages.storeViewer(key, userId!, stamp, part);
    }
    return pageFor(shared, viewer, part);
  }

  /** A page not kept yet: read in one statement, kept for everyone (and this viewer's part for them). */
  private async readPage(viewer: Viewer, key: PageKey, after: number[] | undefined): Promise<Page<PostView>> {
    const stamp = this.pages.stamp(key.boardId);
    const sort = key.sort as PostSort;
    const page = await readPostPage(this.em, {
      boardId: key.boardId,
      viewer,
      orderBy: sort === 'new' ? 'id' : SORT_COLUMN[sort],
      after,
      q: key.q,
      limit: key.limit + 1,
    });
    if (!page) throw new AppError('BOARD_NOT_FOUND');
    const shared: SharedPage = {
      board: page.board,
      page: toPage(
        page.rows,
        key.limit,
        (row) => postRowView({ ...row, liked: false }),
        (p) => (sort === 'new' ? ['new', p.id] : [sort, p[SORT_FIELD[sort]], p.id]),
      ),
    };
    this.pages.storeShared(key, stamp, shared);
    const part: ViewerPart = { grant: page.grant, liked: new Set(page.rows.filter((r) => r.liked).map((r) => r.id)) };
    if (viewer) this.pages.storeViewer(key, viewer.userId, stamp, part);
    return pageFor(shared, viewer, part);
  }

  /** The list's cursor; a bad one is refused only where the board itself may be seen (else 404 first). */
  private async cursorOn(boardId: number, viewer: Viewer, input: { sort: PostSort; cursor?: string }) {
    try {
      const after = decodeCursor(input.cursor, cursorShape);
      if (after && after[0] !== input.sort) {
        throw new AppError('VALIDATION_FAILED', {
          message: 'Cursor belongs to another sort',
          detail: [{ path: 'cursor', message: 'Cursor belongs to another sort' }],
        });
      }
      return after;
    } catch (err) {
      await this.access.board(boardId, viewer);
      throw err;
    }
  }

  /** One post; reading it counts a view (once per viewer per day, written in the next batch). */
  async get(viewer: Viewer, postId: number, source: ViewSource): Promise<PostView> {
    const read = await readPost(this.em, postId, viewer);
    if (!read || !permissionsOn(read.board, viewer, read.grant).read) throw new AppError('POST_NOT_FOUND');
    this.views.record(read.post.id, source);
    return postRowView(read.post);
  }

  async create(viewer: SignedIn, boardId: number, input: { title: string; body: string }): Promise<PostView> {
    const { board } = await this.access.board(boardId, viewer, 'write');
    await this.limits.consume('post', viewer);
    const post = this.em.create(Post, { board, author: viewer.userId, title: input.title, body: input.body });
    await this.em.flush();
    this.pages.boardChanged(boardId);
    await this.em.populate(post, ['author'], { refresh: true });
    return postView(post, { liked: false, attachments: [] });
  }

  async update(viewer: SignedIn, postId: number, changes: { title?: string; body?: string }): Promise<PostView> {
    const { post, perms } = await this.access.post(postId, viewer);
    if (post.author.id !== viewer.userId && !isAdmin(viewer)) throw new AppError('NOT_AUTHOR');
    assertAllowed(post.board, perms, 'write');
    this.em.assign(post, changes);
    await this.em.flush();
    this.pages.boardChanged(post.board.id);
    return (await this.hydrate([post], viewer))[0];
  }

  /** Soft-deletes a post (author or admin); its attachments go with it. */
  async delete(viewer: SignedIn, postId: number): Promise<void> {
    const { post } = await this.access.post(postId, viewer);
    if (post.author.id !== viewer.userId && !isAdmin(viewer)) throw new AppError('NOT_AUTHOR');
    const keys = await this.em.transactional(async (em) => {
      const hidden = await em.nativeUpdate(Post, { id: post.id, deletedAt: null }, { deletedAt: new Date() });
      if (hidden === 0) throw new AppError('POST_NOT_FOUND');
      return this.files.deleteAttachments(em, { postId: post.id });
    });
    this.pages.boardChanged(post.board.id);
    await this.files.removeBytes(keys);
  }

  /** Likes a post; liking again changes nothing. Returns the new count. */
  async like(viewer: SignedIn, postId: number) {
    const { post } = await this.access.post(postId, viewer);
    if (post.board.deletedAt) throw new AppError('BOARD_DELETED');
    if (!post.board.available && !isAdmin(viewer)) throw new AppError('BOARD_CLOSED');
    const [row] = await this.em.execute<{ like_count: number }[]>(
      `with ins as (insert into post_likes (post_id, user_id, created_at) values (?, ?, ?) on conflict do nothing returning 1)
       update posts set like_count = like_count + (select count(*) from ins) where id = ? returning like_count`,
      [post.id, viewer.userId, new Date(), post.id],
      'all',
    );
    this.pages.boardChanged(post.board.id);
    return { post_id: post.id, liked: true, like_count: row.like_count };
  }

  /** Takes a like back; unliking again changes nothing. */
  async unlike(viewer: SignedIn, postId: number) {
    const { post } = await this.access.post(postId, viewer);
    const [row] = await this.em.execute<{ like_count: number }[]>(
      `with del as (delete from post_likes where post_id = ? and user_id = ? returning 1)
       update posts set like_count = like_count - (select count(*) from del) where id = ? returning like_count`,
      [post.id, viewer.userId, post.id],
      'all',
    );
    this.pages.boardChanged(post.board.id);
    return { post_id: post.id, liked: false, like_count: row.like_count };
  }

  /** Who liked a post, most recent first. */
  async likes(viewer: Viewer, postId: number, input: { cursor?: string; limit: number }) {
    const { post } = await this.access.post(postId, viewer);
    const before = decodeCursor(input.cursor, likeCursor);
    const where: Record<string, unknown> = { post: post.id };
    if (before) where.id = { $lt: before[0] };
    const rows = await this.em.find(PostLike, where, {
      orderBy: { id: 'desc' },
      limit: input.limit + 1,
      populate: ['user'],
    });
    return toPage(
      rows,
      input.limit,
      (l) => ({ user: publicUser(l.user), liked_at: l.createdAt.toISOString() }),
      (l) => [l.id],
    );
  }

  private async hydrate(posts: Post[], viewer: Viewer): Promise<PostView[]> {
    if (posts.length === 0) return [];
    const ids = posts.map((p) => p.id);
    const [attachments, liked] = await Promise.all([
      this.files.attachmentsOf({ posts: ids }),
      viewer
        ? this.em.find(PostLike, { post: { $in: ids }, user: viewer.userId }, { fields: ['post'] })
        : Promise.resolve([] as PostLike[]),
    ]);
    const likedIds = new Set(liked.map((l) => l.post.id));
    return posts.map((p) =>
      postView(p, { liked: likedIds.has(p.id), attachments: attachments.get(`post:${p.id}`) ?? [] }),
    );
  }
}

const NO_VIEWER: ViewerPart = { grant: null, liked: new Set() };

/** A kept page as `viewer` sees it (BOARD_NOT_FOUND when they may not read the board): their likes marked. */
function pageFor(shared: SharedPage, viewer: Viewer, part: ViewerPart): Page<PostView> {
  if (!permissionsOn(shared.board, viewer, part.grant).read) throw new AppError('BOARD_NOT_FOUND');
  if (part.liked.size === 0) return shared.page;
  return {
    ...shared.page,
    items: shared.page.items.map((p) => (part.liked.has(p.id) ? { ...p, liked_by_me: true } : p)),
  };
}

/** A post as read by postRows.ts, in the one shape posts have. */
function postRowView(row: PostRow): PostView {
  return postView(row, { liked: row.liked, attachments: row.attachments.map(fileView) });
}

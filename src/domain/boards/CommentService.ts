import type { EntityManager } from '@mikro-orm/sql';
import { raw } from '@mikro-orm/sql';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { Comment } from '../../../entities/Comment.ts';
import { Post } from '../../../entities/Post.ts';
import type { FileService } from '../files/FileService.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import type { ContentRateLimits } from '../shared/rateLimits.ts';
import { assertAllowed, BoardAccess, hiddenAs, isAdmin, permissionsOn, type Viewer } from './BoardAccess.ts';
import { readCommentPage } from './postRows.ts';
import { PostPageCache } from './PostPageCache.ts';
import { fileView } from '../files/fileViews.ts';
import { commentView, type CommentView } from './boardViews.ts';

type SignedIn = NonNullable<Viewer>;

const idCursor = z.tuple([z.number().int()]);

/**
 * Comments. The post's comment_count changes in the same transaction as the comment, by an atomic
 * `comment_count ± 1` that only happens when the insert or the soft delete really took place, so the
 * count stays exact under concurrent writes and deletes.
 */
export class CommentService {
  private readonly access: BoardAccess;

  constructor(
    private readonly em: EntityManager,
    private readonly files: FileService,
    private readonly limits: ContentRateLimits,
    /** Pages of posts show comment counts: told when one changes. */
    private readonly pages: PostPageCache = new PostPageCache(),
  ) {
    this.access = new BoardAccess(em);
  }

  /** A post's live comments, oldest first. */
  async list(viewer: Viewer, postId: number, input: { cursor?: string; limit: number }) {
    let after: z.infer<typeof idCursor> | undefined;
    try {
      after = decodeCursor(input.cursor, idCursor);
    } catch (err) {
      // A bad cursor is refused only where the post itself may be seen (else 404 first).
      await this.access.post(postId, viewer);
      throw err;
    }
    const page = await readCommentPage(this.em, { postId, viewer, afterId: after?.[0], limit: input.limit + 1 });
    if (!page || !permissionsOn(page.board, viewer, page.grant).read) throw new AppError('POST_NOT_FOUND');
    return toPage(
      page.rows,
      input.limit,
      (c) => commentView(c, c.attachments.map(fileView)),
      (c) => [c.id],
    );
  }

  async create(viewer: SignedIn, postId: number, body: string): Promise<CommentView> {
    const { post } = await this.access.post(postId, viewer, 'comment');
    await this.limits.consume('comment', viewer);
    const comment = await this.em.transactional(async (em) => {
      // Counting first locks the post row, so a concurrent delete of the post cannot slip in between.
      const counted = await em.nativeUpdate(
        Post,
        { id: post.id, deletedAt: null },
        { commentCount: raw('comment_count + 1') },
      );
      if (counted === 0) throw new AppError('POST_NOT_FOUND');
      const comment = em.create(Comment, { post: post.id, author: viewer.userId, body });
      await em.flush();
      return comment;
    });
    this.pages.boardChanged(post.board.id);
    const saved = await this.em.findOneOrFail(Comment, { id: comment.id }, { populate: ['author'], refresh: true });
    return commentView(saved, []);
  }

  async update(viewer: SignedIn, commentId: number, body: string): Promise<CommentView> {
    const comment = await this.load(viewer, commentId);
    if (comment.author.id !== viewer.userId && !isAdmin(viewer)) throw new AppError('NOT_AUTHOR');
    const { perms } = await this.access.post(comment.post.id, viewer);
    assertAllowed(comment.post.board, perms, 'comment');
    comment.body = body;
    await this.em.flush();
    const attachments = await this.files.attachmentsOf({ comments: [comment.id] });
    return commentView(comment, attachments.get(`comment:${comment.id}`) ?? []);
  }

  /** Soft-deletes a comment (author or admin) with its attachments. */
  async delete(viewer: SignedIn, commentId: number): Promise<void> {
    const comment = await this.load(viewer, commentId);
    if (comment.author.id !== viewer.userId && !isAdmin(viewer)) throw new AppError('NOT_AUTHOR');
    const keys = await this.em.transactional(async (em) => {
      const hidden = await em.nativeUpdate(Comment, { id: comment.id, deletedAt: null }, { deletedAt: new Date() });
      if (hidden === 0) throw new AppError('COMMENT_NOT_FOUND');
      await em.nativeUpdate(Post, { id: comment.post.id }, { commentCount: raw('comment_count - 1') });
      return this.files.deleteAttachments(em, { commentId: comment.id });
    });
    this.pages.boardChanged(comment.post.board.id);
    await this.files.removeBytes(keys);
  }

  /** A live comment on a post the viewer may read; 404 otherwise. */
  private async load(viewer: SignedIn, commentId: number): Promise<Comment> {
    const comment = await this.em.findOne(Comment, { id: commentId, deletedAt: null }, { populate: ['author'] });
    if (!comment) throw new AppError('COMMENT_NOT_FOUND');
    await this.access.post(comment.post.id, viewer).catch(hiddenAs('COMMENT_NOT_FOUND'));
    return comment;
  }
}

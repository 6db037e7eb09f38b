import type { Board } from '../../../entities/Board.ts';
import type { Comment } from '../../../entities/Comment.ts';
import type { Post } from '../../../entities/Post.ts';
import { publicUser, type PublicUserFields } from '../users/userViews.ts';
import type { FileView } from '../files/fileViews.ts';
import type { BoardPermissions } from './BoardAccess.ts';

export function boardView(board: Board, perms: BoardPermissions) {
  return {
    id: board.id,
    name: board.name,
    description: board.description,
    visible: board.visible,
    available: board.available,
    access: board.access,
    permissions: perms,
    created_at: board.createdAt.toISOString(),
    updated_at: board.updatedAt.toISOString(),
    deleted_at: board.deletedAt?.toISOString() ?? null,
  };
}

/** What `postView` reads: the entity, or the same fields of a row read with a page (postRows.ts). */
export type PostFields = Pick<
  Post,
  'id' | 'title' | 'body' | 'commentCount' | 'viewCount' | 'likeCount' | 'createdAt' | 'updatedAt'
> & { board: { id: number }; author: PublicUserFields };

export function postView(post: PostFields, extra: { liked: boolean; attachments: FileView[] }) {
  return {
    id: post.id,
    board_id: post.board.id,
    title: post.title,
    body: post.body,
    author: publicUser(post.author),
    comment_count: post.commentCount,
    view_count: post.viewCount,
    like_count: post.likeCount,
    liked_by_me: extra.liked,
    attachments: extra.attachments,
    created_at: post.createdAt.toISOString(),
    updated_at: post.updatedAt.toISOString(),
  };
}

/** What `commentView` reads: the entity, or the same fields of a row read with a page (postRows.ts). */
export type CommentFields = Pick<Comment, 'id' | 'body' | 'createdAt' | 'updatedAt'> & {
  post: { id: number };
  author: PublicUserFields;
};

export function commentView(comment: CommentFields, attachments: FileView[]) {
  return {
    id: comment.id,
    post_id: comment.post.id,
    body: comment.body,
    author: publicUser(comment.author),
    attachments,
    created_at: comment.createdAt.toISOString(),
    updated_at: comment.updatedAt.toISOString(),
  };
}

export type BoardView = ReturnType<typeof boardView>;
export type PostView = ReturnType<typeof postView>;
export type CommentView = ReturnType<typeof commentView>;

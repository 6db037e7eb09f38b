import type { EntityManager } from '@mikro-orm/sql';
import { AppError, type ErrorKey } from '../../errors/index.ts';
import { Board } from '../../../entities/Board.ts';
import { BoardGrant } from '../../../entities/BoardGrant.ts';
import { Post } from '../../../entities/Post.ts';
import type { UserRole } from '../../../entities/User.ts';

/** Who is asking: a signed-in user, or nobody (an anonymous read). */
export type Viewer = { userId: number; role: UserRole } | undefined;

export interface BoardPermissions {
  read: boolean;
  write: boolean;
  comment: boolean;
  upload: boolean;
}

export type BoardAction = keyof BoardPermissions;

/** What the rules read of a board: the entity, or the same fields of a row read with a page. */
export type BoardRules = Pick<Board, 'deletedAt' | 'visible' | 'access' | 'available'>;
/** What the rules read of a user's grant on a board. */
export type GrantRules = Pick<BoardGrant, 'canRead' | 'canWrite' | 'canComment' | 'canUpload'>;

const NONE: BoardPermissions = { read: false, write: false, comment: false, upload: false };
const ALL: BoardPermissions = { read: true, write: true, comment: true, upload: true };

const REFUSAL: Record<Exclude<BoardAction, 'read'>, ErrorKey> = {
  write: 'BOARD_WRITE_FORBIDDEN',
  comment: 'BOARD_COMMENT_FORBIDDEN',
  upload: 'BOARD_UPLOAD_FORBIDDEN',
};

export const isAdmin = (viewer: Viewer): boolean => viewer?.role === 'admin';

/**
 * What a viewer may do on a board. Admins may do everything on boards that are not deleted. Hidden
 * and deleted boards exist for no one else. `public`: every signed-in user; `readonly`: everyone reads, granted users write; `restricted`:
 * only what the user's grant says. A closed board (`available: false`) takes no new content.
 */
export function permissionsOn(
  board: BoardRules,
  viewer: Viewer,
  grant: GrantRules | null | undefined,
): BoardPermissions {
  // A deleted board is gone for everyone but admins, who may still read it (to decide on a restore).
  if (board.deletedAt) return isAdmin(viewer) ? { ...NONE, read: true } : NONE;
  if (isAdmin(viewer)) return ALL;
  if (!board.visible) return NONE;
  const granted: BoardPermissions = grant
    ? { read: grant.canRead, write: grant.canWrite, comment: grant.canComment, upload: grant.canUpload }
    : NONE;
  let perms: BoardPermissions;
  if (board.access === 'public') perms = viewer ? ALL : NONE;
  else if (board.access === 'readonly') perms = viewer ? { ...granted, read: true } : { ...NONE, read: true };
  else perms = viewer ? granted : NONE;
  if (!board.available) perms = { ...NONE, read: perms.read };
  return perms;
}

/** Loads boards and posts only as far as the viewer may see them; everything unseen is "not found". */
export class BoardAccess {
  constructor(private readonly em: EntityManager) {}

  async grantOf(boardId: number, viewer: Viewer): Promise<BoardGrant | null> {
    if (!viewer || isAdmin(viewer)) return null;
    return this.em.findOne(BoardGrant, { board: boardId, user: viewer.userId });
  }

  /** The viewer's grant where it counts: on a public board every signed-in user may do everything (no query). */
  private grantOn(board: Board, viewer: Viewer): Promise<BoardGrant | null> {
    return board.access === 'public' ? Promise.resolve(null) : this.grantOf(board.id, viewer);
  }

  /** The board if the viewer may read it, with the viewer's permissions; 404 otherwise. */
  async board(
    boardId: number,
    viewer: Viewer,
    action: BoardAction = 'read',
  ): Promise<{ board: Board; perms: BoardPermissions }> {
    const board = await this.em.findOne(Board, { id: boardId });
    if (!board) throw new AppError('BOARD_NOT_FOUND');
    const perms = permissionsOn(board, viewer, await this.grantOn(board, viewer));
    if (!perms.read) throw new AppError('BOARD_NOT_FOUND');
    assertAllowed(board, perms, action);
    return { board, perms };
  }

  /** A live post on a board the viewer may read; 404 otherwise (a hidden board hides its posts). */
  async post(
    postId: number,
    viewer: Viewer,
    action: BoardAction = 'read',
  ): Promise<{ post: Post; perms: BoardPermissions }> {
    const post = await this.em.findOne(Post, { id: postId, deletedAt: null }, { populate: ['board', 'author'] });
    if (!post) throw new AppError('POST_NOT_FOUND');
    const perms = permissionsOn(post.board, viewer, await this.grantOn(post.board, viewer));
    if (!perms.read) throw new AppError('POST_NOT_FOUND');
    assertAllowed(post.board, perms, action);
    return { post, perms };
  }
}

/** For `.catch`: an AppError becomes `key` (e.g. a hidden post hides its comment); anything else passes through. */
export function hiddenAs(key: ErrorKey) {
  return (err: unknown): never => {
    if (err instanceof AppError) throw new AppError(key);
    throw err;
  };
}

export function assertAllowed(board: BoardRules, perms: BoardPermissions, action: BoardAction): void {
  if (action === 'read' || perms[action]) return;
  if (board.deletedAt) throw new AppError('BOARD_DELETED');
  if (!board.available) throw new AppError('BOARD_CLOSED');
  throw new AppError(REFUSAL[action]);
}

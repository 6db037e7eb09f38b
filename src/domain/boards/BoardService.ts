import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { raw, type EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { Board, type BoardAccessPolicy } from '../../../entities/Board.ts';
import { BoardGrant } from '../../../entities/BoardGrant.ts';
import { User } from '../../../entities/User.ts';
import type { Actor, AuditLog } from '../admin/AuditLog.ts';
import { publicUser } from '../users/userViews.ts';
import { BoardAccess, isAdmin, permissionsOn, type BoardPermissions, type Viewer } from './BoardAccess.ts';
import { boardView } from './boardViews.ts';
import { PostPageCache } from './PostPageCache.ts';

export interface BoardInput {
  name: string;
  description?: string;
  visible?: boolean;
  available?: boolean;
  access?: BoardAccessPolicy;
}

/** Boards and per-user grants. Admin changes are written together with their audit entry. */
export class BoardService {
  private readonly access: BoardAccess;

  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditLog,
    /** Pages of posts carry their board's rules and the viewers' grants: told when they change. */
    private readonly pages: PostPageCache = new PostPageCache(),
  ) {
    this.access = new BoardAccess(em);
  }

  async create(actor: Actor, input: BoardInput) {
    const board = await this.inTransaction(async (em) => {
      const name = boardName(input.name);
      await assertNameFree(em, name);
      const board = em.create(Board, { ...input, name, description: input.description ?? '' });
      await em.flush();
      this.audit.record(em, actor, {
        action: 'board.create',
        targetType: 'board',
        targetId: board.id,
        detail: { ...input },
      });
      return board;
    });
    return adminView(board);
  }

  /** Edits a board, deleted or not (an admin may rename a deleted board to free its name). */
  async update(actor: Actor, boardId: number, changes: Partial<BoardInput>) {
    const board = await this.inTransaction(async (em) => {
      const board = await em.findOne(Board, { id: boardId });
      if (!board) throw new AppError('BOARD_NOT_FOUND');
      const name = changes.name === undefined ? undefined : boardName(changes.name);
      if (name !== undefined && name !== board.name) await assertNameFree(em, name, board.id);
      em.assign(board, name === undefined ? changes : { ...changes, name });
      this.audit.record(em, actor, {
        action: 'board.update',
        targetType: 'board',
        targetId: board.id,
        detail: { ...changes },
      });
      return board;
    });
    this.pages.boardChanged(board.id);
    return adminView(board);
  }

  /**
   * Soft-deletes a board: it and everything on it (posts, comments, attachments) answer 404 to everyone
   * but admins until restored. Nothing is removed. Deleting a deleted board changes nothing.
   */
  async delete(actor: Actor, boardId: number): Promise<void> {
    await this.em.transactional(async (em) => {
      const board = await em.findOne(Board, { id: boardId });
      if (!board) throw new AppError('BOARD_NOT_FOUND');
      if (board.deletedAt) return;
      board.deletedAt = new Date();
      this.audit.record(em, actor, {
        action: 'board.delete',
        targetType: 'board',
        targetId: board.id,
        detail: { name: board.name },
      });
    });
    this.pages.boardChanged(boardId);
  }

  /** Brings a deleted board back as it was; restoring a live board changes nothing. */
  async restore(actor: Actor, boardId: number) {
    const board = await this.em.transactional(async (em) => {
      const board = await em.findOne(Board, { id: boardId });
      if (!board) throw new AppError('BOARD_NOT_FOUND');
      if (!board.deletedAt) return board;
      board.deletedAt = null;
      this.audit.record(em, actor, {
        action: 'board.restore',
        targetType: 'board',
        targetId: board.id,
        detail: { name: board.name },
      });
      return board;
    });
    this.pages.boardChanged(board.id);
    return adminView(board);
  }

  async get(boardId: number, viewer: Viewer) {
    const { board, perms } = await this.access.board(boardId, viewer);
    return boardView(board, perms);
  }

  /** Boards the viewer may read, by name, with what the viewer may do on each; `deleted` lists deleted boards (admins only). */
  async listFor(viewer: Viewer, options: { deleted?: boolean } = {}) {
    if (options.deleted && !isAdmin(viewer))
      throw new AppError('FORBIDDEN', { message: 'Only admins see deleted boards' });
    const where: Record<string, unknown> = options.deleted ? { deletedAt: { $ne: null } } : { deletedAt: null };
    if (!isAdmin(viewer)) where.visible = true;
    const boards = await this.em.find(Board, where, { orderBy: { name: 'asc' } });
    const grants = viewer && !isAdmin(viewer) ? await this.em.find(BoardGrant, { user: viewer.userId }) : [];
    const grantOf = new Map(grants.map((g) => [g.board.id, g]));
    return boards
      .map((board) => ({ board, perms: permissionsOn(board, viewer, grantOf.get(board.id)) }))
      .filter(({ perms }) => perms.read)
      .map(({ board, perms }) => boardView(board, perms));
  }

  /** Grants (or changes) a user's permissions on a board. */
  async grant(actor: Actor, boardId: number, userId: number, perms: BoardPermissions) {
    const board = await this.em.findOne(Board, { id: boardId });
    if (!board) throw new AppError('BOARD_NOT_FOUND');
    const user = await this.em.findOne(User, { id: userId });
    if (!user) throw new AppError('USER_NOT_FOUND');
    const values = { canRead: perms.read, canWrite: perms.write, canComment: perms.comment, canUpload: perms.upload };
    const grant =
      (await this.em.findOne(BoardGrant, { board, user })) ?? this.em.create(BoardGrant, { board, user, ...values });
    this.em.assign(grant, values);
    this.audit.record(this.em, actor, {
      action: 'board.grant',
      targetType: 'board',
      targetId: board.id,
      detail: { user_id: user.id, ...perms },
    });
    await this.em.flush();
    this.pages.boardChanged(board.id);
    return grantView(grant);
  }

  /** Removes a user's grant; revoking a grant that does not exist is not an error. */
  async revoke(actor: Actor, boardId: number, userId: number): Promise<void> {
    const board = await this.em.findOne(Board, { id: boardId });
    if (!board) throw new AppError('BOARD_NOT_FOUND');
    const grant = await this.em.findOne(BoardGrant, { board: boardId, user: userId });
    if (!grant) return;
    this.em.remove(grant);
    this.audit.record(this.em, actor, {
      action: 'board.revoke',
      targetType: 'board',
      targetId: board.id,
      detail: { user_id: userId },
    });
    await this.em.flush();
    this.pages.boardChanged(board.id);
  }

  async grants(boardId: number) {
    const board = await this.em.findOne(Board, { id: boardId });
    if (!board) throw new AppError('BOARD_NOT_FOUND');
    const grants = await this.em.find(BoardGrant, { board }, { populate: ['user'], orderBy: { id: 'asc' } });
    return grants.map(grantView);
  }

  /** Runs `work` in one transaction; a name taken by a concurrent create becomes BOARD_NAME_TAKEN. */
  private async inTransaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.em.transactional(work);
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw new AppError('BOARD_NAME_TAKEN');
      throw err;
    }
  }
}

/** A board as admins see it: everything allowed, or only reading while it is deleted. */
function adminView(board: Board) {
  return boardView(board, permissionsOn(board, { userId: 0, role: 'admin' }, null));
}

/** Names compare as people read them: Unicode-normalised (NFC), case-insensitively (the database's lower()). */
function boardName(name: string): string {
  return name.normalize('NFC');
}

/** Refuses a name another board (deleted ones included) already has in any letter case. */
async function assertNameFree(em: EntityManager, name: string, exceptId?: number): Promise<void> {
  const where: Record<string | symbol, unknown> = { [raw('(lower(name) = lower(?))', [name])]: true };
  if (exceptId !== undefined) where.id = { $ne: exceptId };
  const holder = await em.findOne(Board, where, { fields: ['id', 'deletedAt'] });
  if (holder)
    throw new AppError('BOARD_NAME_TAKEN', { detail: { board_id: holder.id, deleted: Boolean(holder.deletedAt) } });
}

function grantView(grant: BoardGrant) {
  return {
    board_id: grant.board.id,
    user: publicUser(grant.user),
    read: grant.canRead,
    write: grant.canWrite,
    comment: grant.canComment,
    upload: grant.canUpload,
    updated_at: grant.updatedAt.toISOString(),
  };
}

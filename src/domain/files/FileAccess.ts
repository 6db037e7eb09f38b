import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import { StoredFile } from '../../../entities/StoredFile.ts';
import { User } from '../../../entities/User.ts';
import { ChatMember } from '../../../entities/ChatMember.ts';
import { ChatMessage } from '../../../entities/ChatMessage.ts';
import { DirectMessage } from '../../../entities/DirectMessage.ts';
import { BoardAccess, hiddenAs, isAdmin, type Viewer } from '../boards/BoardAccess.ts';
import { isInlineSafe } from './fileTypes.ts';

/**
 * Who may read a stored file. This is the whole rule; downloads, deletes and avatars all go through it:
 *
 * 1. its owner and admins, always;
 * 2. an attachment of a live post or comment: whoever may read that post's board (and nobody once the
 *    post, comment or board is deleted);
 * 3. an attachment of a group message or a DM: the members of that conversation who may read the
 *    message (a group's members who could see it then — for a room_dm, its two users; a DM's two
 *    users), and nobody once the message is deleted or gone;
 * 4. a standalone file that is its owner's current avatar: any signed-in user (like the profile that
 *    shows it), never an anonymous caller;
 * 5. nobody else: "not found", so an id reveals nothing.
 *
 * Rule 4 cannot widen rules 2 and 3 or reach anyone else's file: only the owner's own `avatar_file_id` counts,
 * and an avatar must be a standalone raster image of its owner (`avatarCandidate`), never an attachment.
 */
export class FileAccess {
  private readonly boards: BoardAccess;

  constructor(private readonly em: EntityManager) {
    this.boards = new BoardAccess(em);
  }

  /** The file if the viewer may read it; FILE_NOT_FOUND otherwise. */
  async readable(viewer: Viewer, fileId: number): Promise<StoredFile> {
    const file = await this.em.findOne(StoredFile, { id: fileId }, { populate: ['comment'] });
    if (!file) throw new AppError('FILE_NOT_FOUND');
    if (isAdmin(viewer) || (viewer && file.owner.id === viewer.userId)) return file;
    if (file.post || file.comment) {
      const postId = file.post?.id ?? (file.comment!.deletedAt ? undefined : file.comment!.post.id);
      if (postId === undefined) throw new AppError('FILE_NOT_FOUND');
      await this.boards.post(postId, viewer).catch(hiddenAs('FILE_NOT_FOUND'));
      return file;
    }
    if (file.chatMessageId || file.directMessageId) {
      if (viewer && (await this.inConversation(viewer.userId, file))) return file;
      throw new AppError('FILE_NOT_FOUND');
    }
    if (viewer && (await this.em.count(User, { id: file.owner.id, avatarFile: file.id }))) return file;
    throw new AppError('FILE_NOT_FOUND');
  }

  /** Whether `userId` may read the live message the file is attached to (rule 3). */
  private async inConversation(userId: number, file: StoredFile): Promise<boolean> {
    if (file.directMessageId) {
      const dm = await this.em.findOne(DirectMessage, { id: file.directMessageId, deletedAt: null });
      return Boolean(dm) && (dm!.fromUserId === userId || dm!.toUserId === userId);
    }
    const message = await this.em.findOne(ChatMessage, { id: file.chatMessageId!, deletedAt: null });
    if (!message) return false;
    if (message.kind === 'room_dm') return message.authorId === userId || message.toUserId === userId;
    return (
      (await this.em.count(ChatMember, { groupId: message.groupId, userId, visibleAfterId: { $lt: message.id } })) > 0
    );
  }
}

/** A file that may be shown as an avatar: a standalone raster image (never an attachment, never SVG). */
export function isAvatarImage(file: StoredFile): boolean {
  return (
    !file.post &&
    !file.comment &&
    !file.chatMessageId &&
    !file.directMessageId &&
    file.mime.startsWith('image/') &&
    isInlineSafe(file.mime)
  );
}

/**
 * The file `userId` asks to use as their avatar: one of their own standalone images. Anyone else's file
 * (or none) is FILE_NOT_FOUND, whatever the caller's role; another of their own files is AVATAR_FILE_INVALID.
 */
export async function avatarCandidate(em: EntityManager, userId: number, fileId: number): Promise<StoredFile> {
  const file = await em.findOne(StoredFile, { id: fileId });
  if (!file || file.owner.id !== userId) throw new AppError('FILE_NOT_FOUND');
  if (!isAvatarImage(file))
    throw new AppError('AVATAR_FILE_INVALID', {
      detail: { file_id: file.id, mime: file.mime, attached: Boolean(file.post || file.comment) },
    });
  return file;
}

import type { EntityManager } from '@mikro-orm/sql';
import { User } from '../../../entities/User.ts';
import { Post } from '../../../entities/Post.ts';
import { Comment } from '../../../entities/Comment.ts';
import { ChatMessage } from '../../../entities/ChatMessage.ts';
import { DirectMessage } from '../../../entities/DirectMessage.ts';
import { StoredFile } from '../../../entities/StoredFile.ts';
import { fileView } from '../files/fileViews.ts';
import { privateUser } from './userViews.ts';

/** Format version of the export, bumped when its shape changes. */
export const EXPORT_VERSION = 1;

/**
 * Everything Plaza holds that a user wrote or owns, in one JSON document: the profile, posts and
 * comments (not those they deleted), group chat messages they wrote and room DMs sent to them, direct
 * messages either way, and the list of their files (download each with its `url`).
 */
export class AccountExport {
  constructor(private readonly em: EntityManager) {}

  async export(userId: number) {
    const em = this.em;
    const user = await em.findOneOrFail(User, { id: userId });
    const [posts, comments, chat, dms, files] = await Promise.all([
      em.find(Post, { author: userId, deletedAt: null }, { orderBy: { id: 'asc' } }),
      em.find(Comment, { author: userId, deletedAt: null }, { orderBy: { id: 'asc' } }),
      em.find(
        ChatMessage,
        { $or: [{ authorId: userId }, { toUserId: userId }], deletedAt: null },
        { orderBy: { id: 'asc' } },
      ),
      em.find(DirectMessage, { $or: [{ fromUserId: userId }, { toUserId: userId }] }, { orderBy: { id: 'asc' } }),
      em.find(StoredFile, { owner: userId }, { orderBy: { id: 'asc' } }),
    ]);
    return {
      format: 'plaza-account-export',
      version: EXPORT_VERSION,
      exported_at: new Date().toISOString(),
      profile: privateUser(user),
      posts: posts.map((p) => ({
        id: p.id,
        board_id: p.board.id,
        title: p.title,
        body: p.body,
        created_at: p.createdAt.toISOString(),
        updated_at: p.updatedAt.toISOString(),
      })),
      comments: comments.map((c) => ({
        id: c.id,
        post_id: c.post.id,
        body: c.body,
        created_at: c.createdAt.toISOString(),
        updated_at: c.updatedAt.toISOString(),
      })),
      chat_messages: chat.map((m) => ({
        id: m.id,
        group_id: m.groupId,
        kind: m.kind,
        author_id: m.authorId ?? null,
        to_user_id: m.toUserId ?? null,
        text: m.text,
        created_at: m.createdAt.toISOString(),
        edited_at: m.editedAt?.toISOString() ?? null,
      })),
      direct_messages: dms.map((m) => ({
        id: m.id,
        from_user_id: m.fromUserId,
        to_user_id: m.toUserId,
        text: m.text,
        created_at: m.createdAt.toISOString(),
        read_at: m.readAt?.toISOString() ?? null,
      })),
      files: files.map(fileView),
    };
  }
}

import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../errors/index.ts';
import { Comment } from '../../../entities/Comment.ts';
import type { Post } from '../../../entities/Post.ts';
import { StoredFile, type FileCategory } from '../../../entities/StoredFile.ts';
import { User } from '../../../entities/User.ts';
import { BoardAccess, hiddenAs, isAdmin, type Viewer } from '../boards/BoardAccess.ts';
import { decodeCursor, toPage } from '../shared/pagination.ts';
import type { ContentRateLimits } from '../shared/rateLimits.ts';
import { FileAccess } from './FileAccess.ts';
import type { ByteRange, FileStorage, StagedFile } from './FileStorage.ts';
import { categoryOf, detectType, type DetectedType, isAllowed, isInlineSafe, sanitizeFileName } from './fileTypes.ts';
import { fileView, type FileView } from './fileViews.ts';

/** One received file part: its staged bytes and the name the client gave it. */
export interface Upload {
  staged: StagedFile;
  originalName: string | undefined;
}

export type SignedIn = NonNullable<Viewer>;

export type AttachTarget = { postId: number } | { commentId: number };

/** A readable file: what it is, whether a browser may show it in place, and its bytes on demand. */
export interface OpenedFile {
  file: FileView;
  inline: boolean;
  /** Opens the bytes (all, or an inclusive range); FILE_NOT_FOUND when they have gone missing. */
  bytes(range?: ByteRange): Promise<Readable>;
}

export interface FileServiceOptions {
  allowedTypes: string[];
  maxFilesPerItem: number;
  /** Bytes of files one user may keep; admins are exempt. */
  quotaBytes: number;
  /** Told after files were attached or deleted (pages of posts show attachments and avatars). */
  onChanged?: () => void;
}

const idCursor = z.tuple([z.number().int()]);

/**
 * Uploaded files: typed from their bytes, kept under random names by category, recorded in the files
 * table. Storing is all-or-nothing: a rejected or failed upload leaves neither bytes nor rows.
 */
export class FileService {
  private readonly access: BoardAccess;
  private readonly files: FileAccess;

  constructor(
    private readonly em: EntityManager,
    private readonly storage: FileStorage,
    private readonly logger: Logger,
    private readonly limits: ContentRateLimits,
    private readonly options: FileServiceOptions,
  ) {
    this.access = new BoardAccess(em);
    this.files = new FileAccess(em);
  }

  /**
   * Admits an upload request before a byte of its body is read: the attach target (if any) is checked,
   * one upload is spent from the user's rate budget, and a user whose quota is already used up is
   * refused at once. The exact quota check happens again when storing.
   */
  async admit(viewer: SignedIn, target?: AttachTarget): Promise<void> {
    if (target) await this.checkAttach(viewer, target);
    await this.limits.consume('upload', viewer);
    if (!isAdmin(viewer)) {
      const used = await usedBytes(this.em, viewer.userId);
      if (used >= this.options.quotaBytes) throw quotaError(this.options.quotaBytes, used, 0);
    }
  }

  /** Stores standalone files (not attached to anything yet). */
  upload(owner: SignedIn, uploads: Upload[]): Promise<FileView[]> {
    return this.store(owner, uploads);
  }

  /**
   * Refuses early (before any byte is received) what `attach` would refuse: an unseen post or comment,
   * no upload permission on its board, or not being its author.
   */
  async checkAttach(viewer: SignedIn, target: AttachTarget): Promise<{ post: Post; comment?: Comment }> {
    if ('postId' in target) {
      const { post } = await this.access.post(target.postId, viewer, 'upload');
      if (post.author.id !== viewer.userId && !isAdmin(viewer)) throw new AppError('NOT_AUTHOR');
      return { post };
    }
    const comment = await this.em.findOne(Comment, { id: target.commentId, deletedAt: null });
    if (!comment) throw new AppError('COMMENT_NOT_FOUND');
    const { post } = await this.access.post(comment.post.id, viewer).catch(hiddenAs('COMMENT_NOT_FOUND'));
    await this.access.post(post.id, viewer, 'upload');
    if (comment.author.id !== viewer.userId && !isAdmin(viewer)) throw new AppError('NOT_AUTHOR');
    return { post, comment };
  }

  /** Stores files as attachments of a post or comment the caller wrote, on a board where they may upload. */
  async attach(viewer: SignedIn, target: AttachTarget, uploads: Upload[]): Promise<FileView[]> {
    try {
      const { post, comment } = await this.checkAttach(viewer, target);
      const where = comment ? { comment: comment.id } : { post: post.id };
      const existing = await this.em.count(StoredFile, where);
      if (existing + uploads.length > this.options.maxFilesPerItem) {
        throw new AppError('TOO_MANY_FILES', { detail: { limit: this.options.maxFilesPerItem, existing } });
      }
      const stored = await this.store(viewer, uploads, comment ? { comment: comment.id } : { post: post.id });
      this.options.onChanged?.();
      return stored;
    } finally {
      await this.discardAll(uploads);
    }
  }

  async list(viewer: SignedIn, input: { mine: boolean; category?: FileCategory; cursor?: string; limit: number }) {
    if (!input.mine && !isAdmin(viewer))
      throw new AppError('FORBIDDEN', { message: 'Only admins may list files of others (use mine=1)' });
    const before = decodeCursor(input.cursor, idCursor);
    const where: Record<string, unknown> = input.mine ? { owner: viewer.userId } : {};
    if (input.category) where.category = input.category;
    if (before) where.id = { $lt: before[0] };
    const rows = await this.em.find(StoredFile, where, { orderBy: { id: 'desc' }, limit: input.limit + 1 });
    return toPage(rows, input.limit, fileView, (f) => [f.id]);
  }

  /** A file the viewer may read (FileAccess), with its bytes on demand; "not found" otherwise. */
  async open(viewer: Viewer, fileId: number): Promise<OpenedFile> {
    const file = await this.files.readable(viewer, fileId);
    return { file: fileView(file), inline: isInlineSafe(file.mime), bytes: (range) => this.bytesOf(file, range) };
  }

  /** One of `owner`'s own files, with its bytes on demand (e.g. a dataset); FILE_NOT_FOUND for anyone else's. */
  async openOwn(owner: SignedIn, fileId: number): Promise<{ mime: string; size: number; bytes(): Promise<Buffer> }> {
    const file = await this.em.findOne(StoredFile, { id: fileId, owner: owner.userId });
    if (!file) throw new AppError('FILE_NOT_FOUND');
    return {
      mime: file.mime,
      size: file.size,
      bytes: async () => Buffer.concat(await (await this.bytesOf(file)).toArray()),
    };
  }

  /** Deletes a file (owner or admin): the row (the database clears it as an avatar), then the bytes. */
  async delete(viewer: SignedIn, fileId: number): Promise<void> {
    const file = await this.files.readable(viewer, fileId);
    if (file.owner.id !== viewer.userId && !isAdmin(viewer)) throw new AppError('NOT_FILE_OWNER');
    await this.em.nativeDelete(StoredFile, { id: file.id });
    this.options.onChanged?.();
    await this.removeBytes([file.storageKey]);
  }

  /** Attachments of the given posts/comments, keyed by owner id, for DTOs. */
  async attachmentsOf(where: { posts?: number[]; comments?: number[] }): Promise<Map<string, FileView[]>> {
    const or: Record<string, unknown>[] = [];
    if (where.posts?.length) or.push({ post: { $in: where.posts } });
    if (where.comments?.length) or.push({ comment: { $in: where.comments } });
    const result = new Map<string, FileView[]>();
    if (or.length === 0) return result;
    const rows = await this.em.find(StoredFile, { $or: or }, { orderBy: { id: 'asc' } });
    for (const row of rows) {
      const key = row.post ? `post:${row.post.id}` : `comment:${row.comment!.id}`;
      result.set(key, [...(result.get(key) ?? []), fileView(row)]);
    }
    return result;
  }

  /**
   * Deletes the attachment rows of a post (and its comments) or of a comment inside the caller's
   * transaction; returns the storage keys to remove once it has committed.
   */
  async deleteAttachments(em: EntityManager, of: { postId: number } | { commentId: number }): Promise<string[]> {
    const where =
      'postId' in of ? { $or: [{ post: of.postId }, { comment: { post: of.postId } }] } : { comment: of.commentId };
    const rows = await em.find(StoredFile, where, { fields: ['id', 'storageKey'] });
    if (rows.length) await em.nativeDelete(StoredFile, { id: { $in: rows.map((r) => r.id) } });
    return rows.map((r) => r.storageKey);
  }

  /** Removes stored bytes; a failure leaves an orphan file (logged), never a row without bytes. */
  async removeBytes(keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.storage.remove(key).catch((err) => this.logger.warn({ err, key }, 'removing stored file failed'));
    }
  }

  /** Drops staged bytes; harmless for bytes already committed. */
  async discardAll(uploads: Upload[]): Promise<void> {
    await Promise.all(uploads.map((u) => this.storage.discard(u.staged.token).catch(() => {})));
  }

  private async store(
    owner: SignedIn,
    uploads: Upload[],
    target: { post?: number; comment?: number } = {},
  ): Promise<FileView[]> {
    const committed: string[] = [];
    try {
      if (uploads.length === 0) throw new AppError('NO_FILE');
      const typed: { upload: Upload; type: DetectedType; originalName: string; category: FileCategory; key: string }[] =
        [];
      for (const upload of uploads) {
        const originalName = sanitizeFileName(upload.originalName);
        if (upload.staged.size === 0) throw new AppError('FILE_EMPTY', { detail: { file: originalName } });
        const type = await detectType(() => this.storage.readStaged(upload.staged.token));
        if (!isAllowed(type, this.options.allowedTypes)) {
          throw new AppError('FILE_TYPE_NOT_ALLOWED', { detail: { file: originalName, detected: type.mime } });
        }
        const category = categoryOf(type.mime);
        const key = `${category}/${crypto.randomBytes(18).toString('base64url')}.${type.ext}`;
        typed.push({ upload, type, originalName, category, key });
      }
      return await this.em.transactional(async (em) => {
        await this.assertWithinQuota(
          em,
          owner,
          uploads.reduce((sum, u) => sum + u.staged.size, 0),
        );
        const rows = typed.map((t) =>
          em.create(StoredFile, {
            owner: owner.userId,
            originalName: t.originalName,
            size: t.upload.staged.size,
            sha256: t.upload.staged.sha256,
            mime: t.type.mime,
            category: t.category,
            storageKey: t.key,
            post: target.post ?? null,
            comment: target.comment ?? null,
          }),
        );
        await em.flush();
        for (const t of typed) {
          await this.storage.commit(t.upload.staged.token, t.key);
          committed.push(t.key);
        }
        return rows.map(fileView);
      });
    } catch (err) {
      await this.removeBytes(committed);
      throw err;
    } finally {
      await this.discardAll(uploads);
    }
  }

  /** Opens a file's stored bytes; missing bytes of a recorded file are FILE_NOT_FOUND (and logged: they should exist). */
  private async bytesOf(file: StoredFile, range?: ByteRange): Promise<Readable> {
    try {
      return await this.storage.read(file.storageKey, range);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.logger.error({ file_id: file.id, key: file.storageKey }, 'stored bytes of a recorded file are missing');
      throw new AppError('FILE_NOT_FOUND');
    }
  }

  /**
   * Refuses what would take the owner past their quota. The owner's row is locked first, so two uploads
   * of one user racing each other are counted one after the other.
   */
  private async assertWithinQuota(em: EntityManager, owner: SignedIn, incoming: number): Promise<void> {
    if (isAdmin(owner)) return;
    await em.findOneOrFail(User, { id: owner.userId }, { lockMode: LockMode.PESSIMISTIC_WRITE, fields: ['id'] });
    const used = await usedBytes(em, owner.userId);
    if (used + incoming > this.options.quotaBytes) throw quotaError(this.options.quotaBytes, used, incoming);
  }
}

/** Bytes of all files a user keeps (uploads and attachments). */
async function usedBytes(em: EntityManager, userId: number): Promise<number> {
  const [row] = await em.execute<{ used: string | number }[]>(
    'select coalesce(sum(size), 0) as used from files where owner_id = ?',
    [userId],
  );
  return Number(row.used);
}

function quotaError(quota: number, used: number, incoming: number): AppError {
  return new AppError('UPLOAD_QUOTA_EXCEEDED', {
    detail: { quota_bytes: quota, used_bytes: used, upload_bytes: incoming },
  });
}

import { defineEntity, p } from '@mikro-orm/core';
import { User } from './User.ts';
import { Post } from './Post.ts';
import { Comment } from './Comment.ts';

export const FILE_CATEGORIES = ['images', 'documents', 'files'] as const;
export type FileCategory = (typeof FILE_CATEGORIES)[number];

/** An uploaded file: its bytes live in storage under `storageKey`, never under the name the client sent. */
const StoredFileSchema = defineEntity({
  name: 'StoredFile',
  tableName: 'files',
  indexes: [{ properties: ['owner', 'id'] }, { properties: ['owner', 'category', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    owner: () => p.manyToOne(User),
    /** The client's name, sanitised: no path, no control characters. Only ever sent back as a download name. */
    originalName: p.string().length(255),
    size: p.bigint('number'),
    sha256: p.string().length(64),
    /** Detected from the bytes, never taken from the client. */
    mime: p.string().length(127),
    category: p.enum([...FILE_CATEGORIES]),
    storageKey: p.string().length(200).unique(),
    /** Set when the file is an attachment; removed with its post or comment. */
    post: () => p.manyToOne(Post).nullable().index(),
    comment: () => p.manyToOne(Comment).nullable().index(),
    /**
     * Set when the file is an attachment of a group message or a DM: then only that conversation's
     * members read it. Plain ids: a message pruned by retention leaves the file to its owner alone.
     */
    chatMessageId: p.integer().nullable().index(),
    directMessageId: p.integer().nullable().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class StoredFile extends StoredFileSchema.class {}
StoredFileSchema.setClass(StoredFile);

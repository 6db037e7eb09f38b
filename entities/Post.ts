import { defineEntity, p } from '@mikro-orm/core';
import { Board } from './Board.ts';
import { User } from './User.ts';

/**
 * The text search looks in: title and body. Trigram-indexed (pg_trgm), so any part of a word matches —
 * Korean words carry their particles (게시판에), and whole-word search would miss them.
 */
export const POST_SEARCH_TEXT = `("title" || ' ' || "body")`;

const PostSchema = defineEntity({
  name: 'Post',
  tableName: 'posts',
  indexes: [
    { properties: ['board', 'id'] },
    { properties: ['board', 'likeCount', 'id'] },
    { properties: ['board', 'viewCount', 'id'] },
    {
      name: 'posts_search_trgm_index',
      expression: `create index "posts_search_trgm_index" on "posts" using gin (${POST_SEARCH_TEXT} gin_trgm_ops)`,
    },
  ],
  properties: {
    id: p.integer().primary().autoincrement(),
    board: () => p.manyToOne(Board),
    author: () => p.manyToOne(User).index(),
    title: p.string().length(200),
    body: p.text(),
    /** Counters change only through single atomic SQL updates, never read-modify-write. */
    commentCount: p.integer().default(0),
    likeCount: p.integer().default(0),
    viewCount: p.integer().default(0),
    /** Soft delete: the row stays, hidden from everyone. */
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class Post extends PostSchema.class {}
PostSchema.setClass(Post);

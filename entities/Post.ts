import { defineEntity, p } from '@mikro-orm/core';
import { Board } from './Board.ts';
import { User } from './User.ts';

/** Title weighs more than body in search; 'simple' keeps every language's words as written (no stemming). */
export const POST_SEARCH_EXPRESSION =
  "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || setweight(to_tsvector('simple', coalesce(body, '')), 'B')";

const PostSchema = defineEntity({
  name: 'Post',
  tableName: 'posts',
  indexes: [
    { properties: ['board', 'id'] },
    { properties: ['board', 'likeCount', 'id'] },
    { properties: ['board', 'viewCount', 'id'] },
    { name: 'posts_search_index', properties: ['search'], type: 'fulltext' },
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
    /** Full-text document, computed by PostgreSQL itself and GIN-indexed. */
    search: p
      .type('unknown')
      .columnType('tsvector')
      .generated(`(${POST_SEARCH_EXPRESSION}) stored`)
      .nullable()
      .lazy()
      .hidden(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});

export class Post extends PostSchema.class {}
PostSchema.setClass(Post);

import { defineEntity, p } from '@mikro-orm/core';
import { Post } from './Post.ts';
import { User } from './User.ts';

const CommentSchema = defineEntity({
  name: 'Comment',
  tableName: 'comments',
  indexes: [{ properties: ['post', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    post: () => p.manyToOne(Post).deleteRule('cascade'),
    author: () => p.manyToOne(User).index(),
    body: p.text(),
    /** Soft delete, like posts. */
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});

export class Comment extends CommentSchema.class {}
CommentSchema.setClass(Comment);

import { defineEntity, p } from '@mikro-orm/core';
import { Post } from './Post.ts';
import { User } from './User.ts';

/** One like per user per post: the unique key makes liking idempotent. */
const PostLikeSchema = defineEntity({
  name: 'PostLike',
  tableName: 'post_likes',
  uniques: [{ properties: ['post', 'user'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    post: () => p.manyToOne(Post).deleteRule('cascade'),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class PostLike extends PostLikeSchema.class {}
PostLikeSchema.setClass(PostLike);

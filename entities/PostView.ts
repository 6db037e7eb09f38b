import { defineEntity, p } from '@mikro-orm/core';

/**
 * Who has viewed a post on a given (UTC) day: `viewer` is `u:<user id>` or `ip:<salted hash>`. The key makes
 * a view count at most once per viewer per post per day; rows older than yesterday are purged.
 */
const PostViewSchema = defineEntity({
  name: 'PostView',
  tableName: 'post_views',
  properties: {
    postId: p.integer().primary(),
    viewer: p.string().length(80).primary(),
    day: p.string().columnType('date').primary().index(),
  },
});

export class PostView extends PostViewSchema.class {}
PostViewSchema.setClass(PostView);

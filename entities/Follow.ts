import { defineEntity, p } from '@mikro-orm/core';

/** One-way follow: `followerId` sees `followeeId`'s presence. */
const FollowSchema = defineEntity({
  name: 'Follow',
  tableName: 'follows',
  uniques: [{ properties: ['followerId', 'followeeId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    followerId: p.integer().index(),
    followeeId: p.integer().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class Follow extends FollowSchema.class {}
FollowSchema.setClass(Follow);

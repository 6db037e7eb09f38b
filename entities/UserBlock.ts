import { defineEntity, p } from '@mikro-orm/core';

/** `blockerId` refuses direct messages (and follows) from `blockedId`. */
const UserBlockSchema = defineEntity({
  name: 'UserBlock',
  tableName: 'user_blocks',
  uniques: [{ properties: ['blockerId', 'blockedId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    blockerId: p.integer().index(),
    blockedId: p.integer().index(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class UserBlock extends UserBlockSchema.class {}
UserBlockSchema.setClass(UserBlock);

import { defineEntity, p } from '@mikro-orm/core';

/**
 * A direct message between two users. `deliveredAt` stays null while the recipient is offline: the
 * undelivered rows are the offline queue, delivered (with their original time) on the next home join.
 */
const DirectMessageSchema = defineEntity({
  name: 'DirectMessage',
  tableName: 'direct_messages',
  indexes: [{ properties: ['toUserId', 'deliveredAt'] }, { properties: ['fromUserId', 'toUserId', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    fromUserId: p.integer(),
    toUserId: p.integer(),
    text: p.text(),
    deliveredAt: p.datetime().nullable(),
    readAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class DirectMessage extends DirectMessageSchema.class {}
DirectMessageSchema.setClass(DirectMessage);

import { defineEntity, p } from '@mikro-orm/core';

/**
 * A direct message between two users. `deliveredAt` stays null while the recipient is offline: the
 * undelivered rows are the offline queue, delivered (with their original time) on the next home join.
 * Ids are drawn while both users' DM streams are locked, so for each user they grow in commit order;
 * `seq` is contiguous per conversation (the pair of users), so a client can see a gap.
 */
const DirectMessageSchema = defineEntity({
  name: 'DirectMessage',
  tableName: 'direct_messages',
  indexes: [
    { properties: ['toUserId', 'deliveredAt'] },
    { properties: ['fromUserId', 'toUserId', 'id'] },
    // Search in my messages matches any part of a word (Korean particles), like the boards' search.
    {
      name: 'direct_messages_text_trgm_index',
      expression: `create index "direct_messages_text_trgm_index" on "direct_messages" using gin ("text" gin_trgm_ops)`,
    },
  ],
  uniques: [{ properties: ['fromUserId', 'clientMsgId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    fromUserId: p.integer(),
    toUserId: p.integer(),
    seq: p.integer().default(0),
    text: p.text(),
    /** The sender's own id for this message: a repeat with the same one is the same message. */
    clientMsgId: p.uuid().nullable(),
    deliveredAt: p.datetime().nullable(),
    readAt: p.datetime().nullable(),
    editedAt: p.datetime().nullable(),
    /** Deleted by its author: the row stays, shown as deleted (no text) in its place in the history. */
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class DirectMessage extends DirectMessageSchema.class {}
DirectMessageSchema.setClass(DirectMessage);

import { defineEntity, p } from '@mikro-orm/core';

/** One message of a user's support conversation; every admin sees and may answer it. */
const SupportMessageSchema = defineEntity({
  name: 'SupportMessage',
  tableName: 'support_messages',
  indexes: [{ properties: ['userId', 'id'] }],
  uniques: [{ properties: ['authorId', 'clientMsgId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    /** Whose conversation this is (the user being supported). */
    userId: p.integer(),
    authorId: p.integer(),
    authorName: p.string().length(32),
    fromAdmin: p.boolean(),
    text: p.text(),
    /** The author's own id for this message: a repeat with the same one is the same message. */
    clientMsgId: p.uuid().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class SupportMessage extends SupportMessageSchema.class {}
SupportMessageSchema.setClass(SupportMessage);

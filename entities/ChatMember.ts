import { defineEntity, p } from '@mikro-orm/core';

/** Membership of a user in a chat group, with the user's read cursor (last message id read). */
const ChatMemberSchema = defineEntity({
  name: 'ChatMember',
  tableName: 'chat_members',
  uniques: [{ properties: ['groupId', 'userId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    groupId: p.integer().index(),
    userId: p.integer().index(),
    lastReadMessageId: p.integer().default(0),
    /** The member reads messages with an id above this (0 = the whole history). */
    visibleAfterId: p.integer().default(0),
    joinedAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ChatMember extends ChatMemberSchema.class {}
ChatMemberSchema.setClass(ChatMember);

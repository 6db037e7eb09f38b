import { defineEntity, p } from '@mikro-orm/core';

/** A chat group (Klav's "room"). Its live Colyseus room is created on demand; the group itself lives here. */
const ChatGroupSchema = defineEntity({
  name: 'ChatGroup',
  tableName: 'chat_groups',
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(100),
    ownerId: p.integer().index(),
    /** Keep at most this many messages (oldest pruned); null keeps all. */
    retainMessages: p.integer().nullable(),
    /** Denormalised preview of the latest visible message, for sorting "my groups". */
    lastMessageId: p.integer().nullable(),
    lastMessageAt: p.datetime().nullable().index(),
    lastMessageText: p.string().length(200).nullable(),
    lastMessageFrom: p.string().length(32).nullable(),
    lastMessageKind: p.string().length(16).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ChatGroup extends ChatGroupSchema.class {}
ChatGroupSchema.setClass(ChatGroup);

import { defineEntity, p } from '@mikro-orm/core';

export const CHAT_MESSAGE_KINDS = ['msg', 'system', 'room_dm'] as const;
export type ChatMessageKind = (typeof CHAT_MESSAGE_KINDS)[number];

/**
 * One message of a group. The id comes from a database sequence and is the one order every member
 * sees. `room_dm` rows have a `toUserId` and are visible to sender and recipient only.
 */
const ChatMessageSchema = defineEntity({
  name: 'ChatMessage',
  tableName: 'chat_messages',
  indexes: [{ properties: ['groupId', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    groupId: p.integer(),
    kind: p.enum([...CHAT_MESSAGE_KINDS]),
    /** null for system messages. */
    authorId: p.integer().nullable(),
    authorName: p.string().length(32).nullable(),
    toUserId: p.integer().nullable(),
    text: p.text(),
    editedAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ChatMessage extends ChatMessageSchema.class {}
ChatMessageSchema.setClass(ChatMessage);

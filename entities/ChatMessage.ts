import { defineEntity, p } from '@mikro-orm/core';

export const CHAT_MESSAGE_KINDS = ['msg', 'system', 'room_dm'] as const;
export type ChatMessageKind = (typeof CHAT_MESSAGE_KINDS)[number];

/**
 * One message of a group. The id comes from a database sequence, drawn while the group's row is
 * locked, so within a group ids grow in commit order: "everything after id N" never misses a message
 * that commits later. Public messages (msg, system) also carry `seq`, contiguous per group, so a client
 * can see a gap. `room_dm` rows have a `toUserId` and are visible to sender and recipient only.
 */
const ChatMessageSchema = defineEntity({
  name: 'ChatMessage',
  tableName: 'chat_messages',
  indexes: [
    { properties: ['groupId', 'id'] },
    // Search in my messages matches any part of a word (Korean particles), like the boards' search.
    {
      name: 'chat_messages_text_trgm_index',
      expression: `create index "chat_messages_text_trgm_index" on "chat_messages" using gin ("text" gin_trgm_ops)`,
    },
  ],
  uniques: [{ properties: ['authorId', 'clientMsgId'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    groupId: p.integer(),
    kind: p.enum([...CHAT_MESSAGE_KINDS]),
    /** Position among the group's public messages (1, 2, 3, ...); null for room_dm. */
    seq: p.integer().nullable(),
    /** null for system messages. */
    authorId: p.integer().nullable(),
    authorName: p.string().length(32).nullable(),
    toUserId: p.integer().nullable(),
    text: p.text(),
    /** The sender's own id for this message: a repeat with the same one is the same message. */
    clientMsgId: p.uuid().nullable(),
    editedAt: p.datetime().nullable(),
    deletedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});

export class ChatMessage extends ChatMessageSchema.class {}
ChatMessageSchema.setClass(ChatMessage);

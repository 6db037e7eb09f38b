import { defineEntity, p } from '@mikro-orm/core';

export const GROUP_VISIBILITIES = ['private', 'open'] as const;
/** `private`: members join by invitation from a member or an admin; `open`: anyone may join and find it. */
export type GroupVisibility = (typeof GROUP_VISIBILITIES)[number];

/** A chat group. Its live Colyseus room is created on demand; the group itself lives here. */
const ChatGroupSchema = defineEntity({
  name: 'ChatGroup',
  tableName: 'chat_groups',
  indexes: [{ properties: ['visibility', 'id'] }],
  properties: {
    id: p.integer().primary().autoincrement(),
    name: p.string().length(100),
    ownerId: p.integer().index(),
    visibility: p.enum([...GROUP_VISIBILITIES]).default('private'),
    /** Whether someone who joins later reads the messages from before they joined. */
    historyVisibleToNewMembers: p.boolean().default(true),
    /** Keep at most this many messages (oldest pruned); null keeps all. */
    retainMessages: p.integer().nullable(),
    /**
     * The `seq` of the group's latest public message. Taking the next one locks the group's row until
     * the message commits, so per group seq is contiguous and ids grow in commit order.
     */
    lastSeq: p.integer().default(0),
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

import { z } from 'zod';
import { GROUP_VISIBILITIES } from '../../../entities/ChatGroup.ts';
import { NOTIFICATION_TYPES } from '../../../entities/Notification.ts';
import { ClientMsgId, GroupName, MessageFileIds, MessageText } from '../../domain/realtime/text.ts';

/** Request and response schemas of the realtime routes (chat, DMs, follows, support, notifications, admin views). */
import { idTextSchema } from '../../domain/shared/ids.ts';
import { PageQuery } from './schemas.ts';

/** A row id in a realtime route (path, query or body). */
export const RowId = idTextSchema;
/** `:id` in a realtime route path. */
export const IdParam = z.object({ id: RowId });

export const ChatMessageSchema = z
  .object({
    id: z.number().int(),
    group_id: z.number().int(),
    kind: z.enum(['msg', 'system', 'room_dm']),
    seq: z
      .number()
      .int()
      .nullable()
      .describe(
        'Position among the group’s public messages, contiguous: a jump means you missed one. null for room_dm.',
      ),
    author_id: z.number().int().nullable(),
    author_name: z.string().nullable(),
    to_user_id: z.number().int().nullable(),
    text: z.string(),
    created_at: z.string(),
    edited_at: z.string().nullable(),
    deleted: z.boolean(),
    client_msg_id: z.string().nullable(),
    file_ids: z.array(z.number().int()).describe('Attached files, readable by the group’s members: GET /files/{id}.'),
  })
  .meta({ id: 'ChatMessage' });

export const GroupSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    owner_id: z.number().int(),
    visibility: z.enum(GROUP_VISIBILITIES),
    history_visible_to_new_members: z.boolean(),
    retain_messages: z.number().int().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'ChatGroup' });

export const MyGroupSchema = GroupSchema.extend({
  member_count: z.number().int(),
  unread: z.number().int(),
  last_read_message_id: z.number().int(),
  last_message: z
    .object({
      id: z.number().int(),
      kind: z.string(),
      from: z.string().nullable(),
      text: z.string(),
      created_at: z.string(),
    })
    .nullable(),
}).meta({ id: 'MyChatGroup' });

export const DiscoveredGroupSchema = GroupSchema.extend({ member_count: z.number().int() }).meta({
  id: 'DiscoveredChatGroup',
});

export const MemberSchema = z
  .object({
    user_id: z.number().int(),
    username: z.string(),
    nickname: z.string(),
    last_read_message_id: z.number().int(),
    joined_at: z.string(),
  })
  .meta({ id: 'ChatMember' });

export const DmSchema = z
  .object({
    id: z.number().int(),
    seq: z
      .number()
      .int()
      .describe('Position in the conversation of these two users, contiguous: a jump means you missed one.'),
    from_user_id: z.number().int(),
    from_username: z.string(),
    to_user_id: z.number().int(),
    text: z.string().describe('Empty once deleted.'),
    created_at: z.string(),
    edited_at: z.string().nullable(),
    deleted: z.boolean(),
    read: z.boolean(),
    client_msg_id: z.string().nullable(),
    file_ids: z.array(z.number().int()).describe('Attached files, readable by the two users: GET /files/{id}.'),
  })
  .meta({ id: 'DirectMessage' });

export const MessageHitSchema = z
  .object({
    source: z.enum(['group', 'dm']),
    id: z.number().int(),
    group_id: z.number().int().nullable().describe('The group, for a group message.'),
    peer_id: z.number().int().nullable().describe('The other user of the conversation, for a DM.'),
    author_id: z.number().int().nullable(),
    author_name: z.string().nullable(),
    text: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'MessageHit' });

export const ConversationSchema = z
  .object({
    user_id: z.number().int(),
    username: z.string(),
    nickname: z.string(),
    unread: z.number().int(),
    last_message: z.object({
      id: z.number().int(),
      from_user_id: z.number().int(),
      text: z.string(),
      created_at: z.string(),
    }),
  })
  .meta({ id: 'DmConversation' });

export const RelatedUserSchema = z
  .object({ user_id: z.number().int(), username: z.string(), nickname: z.string(), since: z.string() })
  .meta({ id: 'RelatedUser' });

export const FriendPresenceSchema = z
  .object({
    user_id: z.number().int(),
    username: z.string(),
    nickname: z.string(),
    status: z.enum(['online', 'away', 'offline']),
    last_seen_at: z.string().nullable(),
  })
  .meta({ id: 'FriendPresence' });

export const SupportMessageSchema = z
  .object({
    id: z.number().int(),
    user_id: z.number().int(),
    author_id: z.number().int(),
    author_name: z.string(),
    from_admin: z.boolean(),
    text: z.string(),
    created_at: z.string(),
    client_msg_id: z.string().nullable(),
  })
  .meta({ id: 'SupportMessage' });

export const NotificationSchema = z
  .object({
    id: z.number().int(),
    type: z.enum(NOTIFICATION_TYPES),
    text: z.string(),
    from_user_id: z.number().int().nullable(),
    group_id: z.number().int().nullable(),
    read: z.boolean(),
    created_at: z.string(),
  })
  .meta({ id: 'Notification' });

/** How a message history is read: on from a cursor, forwards from a message id (`after`), or from the latest. */
export const HistoryQuery = PageQuery.extend({
  limit: PageQuery.shape.limit.default(50),
  after: z.coerce
    .number()
    .int()
    .min(0)
    .max(2_147_483_647)
    .optional()
    .describe('Read forwards: the messages after this id, oldest first (0 = from the start). Not with `cursor`.'),
}).refine((q) => q.cursor === undefined || q.after === undefined, {
  message: 'Use cursor or after, not both',
  path: ['after'],
});

/** A message to store: its text and, optionally, the sender's own id for it. */
export const MessageBody = z.object({ text: MessageText, client_msg_id: ClientMsgId.optional() });
export const DmBody = MessageBody.extend({ file_ids: MessageFileIds });
export const NoticeBody = z.object({ text: MessageText });

export const GroupBody = z
  .object({
    name: GroupName,
    retain_messages: z
      .number()
      .int()
      .positive()
      .max(2_147_483_647)
      .nullable()
      .optional()
      .describe('Keep at most this many messages; null keeps all.'),
    visibility: z
      .enum(GROUP_VISIBILITIES)
      .optional()
      .describe('private (default): join by invitation from a member or an admin; open: anyone may join and find it.'),
    history_visible_to_new_members: z
      .boolean()
      .optional()
      .describe('Whether someone who joins later reads what came before (default true).'),
  })
  .strict();

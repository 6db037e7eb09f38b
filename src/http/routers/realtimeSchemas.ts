import { z } from 'zod';
import { idTextSchema } from '../../domain/shared/ids.ts';

/** Response schemas of the realtime routes (chat, DMs, follows, support, admin views). */
export const ChatMessageSchema = z
  .object({
    id: z.number().int(),
    group_id: z.number().int(),
    kind: z.enum(['msg', 'system', 'room_dm']),
    author_id: z.number().int().nullable(),
    author_name: z.string().nullable(),
    to_user_id: z.number().int().nullable(),
    text: z.string(),
    created_at: z.string(),
    edited_at: z.string().nullable(),
    deleted: z.boolean(),
  })
  .meta({ id: 'ChatMessage' });

export const GroupSchema = z
  .object({ id: z.number().int(), name: z.string(), owner_id: z.number().int(), retain_messages: z.number().int().nullable(), created_at: z.string() })
  .meta({ id: 'ChatGroup' });

export const MyGroupSchema = GroupSchema.extend({
  member_count: z.number().int(),
  unread: z.number().int(),
  last_read_message_id: z.number().int(),
  last_message: z.object({ id: z.number().int(), kind: z.string(), from: z.string().nullable(), text: z.string(), created_at: z.string() }).nullable(),
}).meta({ id: 'MyChatGroup' });

export const MemberSchema = z
  .object({ user_id: z.number().int(), username: z.string(), nickname: z.string(), last_read_message_id: z.number().int(), joined_at: z.string() })
  .meta({ id: 'ChatMember' });

export const DmSchema = z
  .object({
    id: z.number().int(), from_user_id: z.number().int(), from_username: z.string(), to_user_id: z.number().int(),
    text: z.string(), created_at: z.string(), read: z.boolean(),
  })
  .meta({ id: 'DirectMessage' });

export const ConversationSchema = z
  .object({
    user_id: z.number().int(), username: z.string(), nickname: z.string(), unread: z.number().int(),
    last_message: z.object({ id: z.number().int(), from_user_id: z.number().int(), text: z.string(), created_at: z.string() }),
  })
  .meta({ id: 'DmConversation' });

export const RelatedUserSchema = z
  .object({ user_id: z.number().int(), username: z.string(), nickname: z.string(), since: z.string() })
  .meta({ id: 'RelatedUser' });

export const FriendPresenceSchema = z
  .object({ user_id: z.number().int(), username: z.string(), nickname: z.string(), status: z.enum(['online', 'away', 'offline']), last_seen_at: z.string().nullable() })
  .meta({ id: 'FriendPresence' });

export const SupportMessageSchema = z
  .object({ id: z.number().int(), user_id: z.number().int(), author_id: z.number().int(), author_name: z.string(), from_admin: z.boolean(), text: z.string(), created_at: z.string() })
  .meta({ id: 'SupportMessage' });

export const itemsOf = <T extends z.ZodType>(item: T, id: string) => z.object({ items: z.array(item) }).meta({ id });
export const pageBefore = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), next_before: z.number().int().nullable() }).meta({ id });

export const BeforeQuery = z.object({
  before: idTextSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export const MessageText = z.object({ text: z.string().trim().min(1).max(4000) });

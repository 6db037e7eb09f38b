import { MapSchema, Schema, type } from '@colyseus/schema';
import type { ChatMessageView } from '../../src/domain/realtime/views.ts';

export class ChatMemberState extends Schema {
  @type('number') userId = 0;
  @type('string') username = '';
  @type('string') nickname = '';
  @type('boolean') online = false;
  @type('boolean') typing = false;
}

/** A public message (kind msg or system) in the latest-messages window. room_dm never enters state. */
export class ChatMessageState extends Schema {
  @type('number') id = 0;
  @type('string') kind = 'msg';
  @type('number') authorId = 0;
  @type('string') authorName = '';
  @type('string') text = '';
  @type('string') createdAt = '';
  @type('string') editedAt = '';
  @type('boolean') deleted = false;

  static from(view: ChatMessageView): ChatMessageState {
    return new ChatMessageState().assign({
      id: view.id,
      kind: view.kind,
      authorId: view.author_id ?? 0,
      authorName: view.author_name ?? '',
      text: view.text,
      createdAt: view.created_at,
      editedAt: view.edited_at ?? '',
      deleted: view.deleted,
    });
  }
}

export class ChatState extends Schema {
  @type('number') groupId = 0;
  @type('string') name = '';
  /** Keyed by user id (as a string). */
  @type({ map: ChatMemberState }) members = new MapSchema<ChatMemberState>();
  /**
   * The latest CHAT_WINDOW public messages keyed by id (as a string); order by `id`. A map, not an
   * array: adding one and dropping the oldest is two small operations, where shifting an array
   * re-sends every index to every client.
   */
  @type({ map: ChatMessageState }) messages = new MapSchema<ChatMessageState>();
}

import { MapSchema, Schema, type } from '@colyseus/schema';

/** A member as every connection sees them: small, shared facts only. */
export class ChatMemberState extends Schema {
  @type('number') userId = 0;
  @type('string') username = '';
  @type('string') nickname = '';
  @type('boolean') online = false;
  @type('boolean') typing = false;
}

/**
 * A chat room's synced state: who is in the group, online and typing. Messages are not state: they
 * stream as `message`s and arrive in `sync` replies (a window in state was patched to every client on
 * every message, doubling the cost of each delivery).
 */
export class ChatState extends Schema {
  @type('number') groupId = 0;
  @type('string') name = '';
  /** Keyed by user id (as a string). */
  @type({ map: ChatMemberState }) members = new MapSchema<ChatMemberState>();
}

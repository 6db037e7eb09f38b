import { MapSchema, Schema, type } from '@colyseus/schema';

/** A member as every connection sees them: small, shared facts only. */
export class ChatMemberState extends Schema {
  @type('number') userId = 0;
  @type('string') username = '';
  @type('string') nickname = '';
  @type('boolean') online = false;
  @type('boolean') typing = false;
  /** The member's read cursor: the last message id they have read (0: none). Read receipts for everyone. */
  @type('number') lastReadId = 0;
}

/**
 * A chat room's synced state: who is in the group, online, typing and read up to where. Messages are not state: they
 * stream as `message`s and arrive in `sync` replies (a window in state was patched to every client on
 * every message, doubling the cost of each delivery).
 */
export class ChatState extends Schema {
  @type('number') groupId = 0;
  @type('string') name = '';
  /** Keyed by user id (as a string). */
  @type({ map: ChatMemberState }) members = new MapSchema<ChatMemberState>();
}

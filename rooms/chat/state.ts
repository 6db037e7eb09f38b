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
  @type('number') memberCount = 0;
  /**
   * True for a group larger than CHAT_STATE_MEMBERS_MAX: `members` then stays empty (a join would encode,
   * and every join patch, every member) and members are read a page at a time with the `members` request.
   */
  @type('boolean') membersPaged = false;
  /** Keyed by user id (as a string); empty when `membersPaged`. */
  @type({ map: ChatMemberState }) members = new MapSchema<ChatMemberState>();
}

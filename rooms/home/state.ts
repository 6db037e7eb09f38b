import { MapSchema, Schema, type } from '@colyseus/schema';

/** Presence of one user I follow, as I see it (invisible users show `offline`). */
export class FriendState extends Schema {
  @type('number') userId = 0;
  @type('string') username = '';
  @type('string') nickname = '';
  @type('string') status = 'offline';
  @type('string') lastSeenAt = '';
}

/** The state of my own actor; only my devices ever join it. */
export class HomeState extends Schema {
  @type('number') userId = 0;
  /** What I chose: online | away | invisible. */
  @type('string') status = 'online';
  @type('number') unreadDms = 0;
  /** Keyed by user id (as a string). */
  @type({ map: FriendState }) following = new MapSchema<FriendState>();
}

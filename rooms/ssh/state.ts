import { MapSchema, Schema, type } from '@colyseus/schema';

/** One target's health, as the server_health entries of welcome (times ISO 8601, '' = never). */
export class ServerHealthState extends Schema {
  @type('string') server_name = '';
  @type('string') host = '';
  @type('boolean') is_healthy = false;
  @type('string') last_checked = '';
  @type('number') consecutive_failures = 0;
  @type('number') consecutive_successes = 0;
  /** Catalogue code of the last failed check (0 after a success). */
  @type('number') last_error_code = 0;
}

/** Whether others are locked out right now: true while a session is active. */
export class LockStatusState extends Schema {
  @type('boolean') locked = false;
  /** connection_id of the session owner ('' when unlocked). */
  @type('string') lock_owner = '';
  @type('string') lock_owner_username = '';
}

export class SessionStatusState extends Schema {
  @type('boolean') active = false;
  /** connection_id of the owner ('' when none). */
  @type('string') owner = '';
  @type('number') owner_user_id = 0;
  @type('string') owner_username = '';
  @type('string') started_at = '';
  @type('string') expires_at = '';
}

/** The ssh room's synced state: the welcome facts, kept live. */
export class SshState extends Schema {
  @type(LockStatusState) lock_status = new LockStatusState();
  @type(SessionStatusState) session_status = new SessionStatusState();
  @type({ map: ServerHealthState }) server_health = new MapSchema<ServerHealthState>();
}

import { Client, type Room } from '@colyseus/sdk';
import { currentAccessToken, refresh } from './session.ts';

let client: Client | undefined;

/** The one Colyseus client of the page, on this origin (works behind the nginx setup: same host and port). */
export function colyseus(): Client {
  client ??= new Client(location.origin);
  client.auth.token = currentAccessToken() ?? '';
  return client;
}

/**
 * Joins (or creates) a room with the current access token; when the token has just expired, refreshes it
 * once and tries again. Pages leave the room in their effect's cleanup.
 */
export async function joinRoom(name: string, options: Record<string, unknown> = {}): Promise<Room> {
  try {
    return await colyseus().joinOrCreate(name, options);
  } catch (error) {
    if ((error as { code?: number }).code !== 401 || !(await refresh())) throw error;
    return colyseus().joinOrCreate(name, options);
  }
}

/** Leaves without waiting on a connection that is already gone. */
export function leave(room: Room | undefined): void {
  if (!room) return;
  room.reconnection.enabled = false;
  room.leave().catch(() => undefined);
}

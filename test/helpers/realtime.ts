import { Client, type Room } from '@colyseus/sdk';
import { ClientState, matchMaker } from '@colyseus/core';
import type { TestServer } from './testServer.ts';

export { createAdmin } from './testServer.ts';
import { eventually } from './eventually.ts';

export { eventually };

/** A real SDK client signed in as `session`. */
export function sdkClient(
  server: TestServer,
  session: { access_token: string },
  headers?: Record<string, string>,
): Client {
  const client = new Client(server.url.replace('http', 'ws'), { headers });
  client.auth.token = session.access_token;
  return client;
}

/** Joins a group's `chat` as `session` and records the room in `rooms` (for the test's clean-up). */
export async function joinChatAs(
  server: TestServer,
  session: { access_token: string },
  groupId: number,
  rooms: Room[],
): Promise<Room> {
  const room = await sdkClient(server, session).joinOrCreate('chat', { groupId });
  rooms.push(room);
  return room;
}

/** Collects every message of `type` a room receives, and lets a test wait for one matching `match`. */
export class Inbox<T = any> {
  readonly items: T[] = [];
  private waiters: { match: (m: T) => boolean; resolve: (m: T) => void }[] = [];

  constructor(room: Room, type: string) {
    room.onMessage(type, (message: T) => {
      this.items.push(message);
      this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
    });
  }

  next(match: (m: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
    const found = this.items.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.items)}`)),
        timeoutMs,
      );
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }
}

/**
 * Cuts a client's socket on the server side, as a network failure would (close code 1006 on both ends).
 * It first waits until the server has processed the SDK's acknowledgement of the join: a connection cut
 * before that never finished joining, and Colyseus rightly keeps no seat for it.
 */
export async function dropConnection(room: Room): Promise<void> {
  const serverRoom = matchMaker.getLocalRoomById(room.roomId);
  const client = serverRoom?.clients.find((c) => c.sessionId === room.sessionId);
  if (!client) throw new Error('no such server-side client');
  await eventually(() => client.state === ClientState.JOINED, 'the server has processed the join');
  (client.ref as unknown as { terminate(): void }).terminate();
}

/** Leaves a room if it is still open; never hangs on one the server already closed. */
export async function leaveQuietly(room: Room): Promise<void> {
  room.reconnection.enabled = false;
  await Promise.race([room.leave().catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
}

import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import type { Session } from './http.ts';
import { leaveQuietly, sdkClient } from './realtime.ts';
import { startTestServer, type TestServer } from './testServer.ts';

export interface ChatWorld {
  server: TestServer;
  /** Signed in, in the order they were named. */
  users: Session[];
  /** The group, owned by the first user; 0 when none was asked for. */
  groupId: number;
}

/**
 * A test server with `users` signed up and, when `group` is given, a group named `group.name` owned by
 * the first user with the users named in `group.members` invited.
 */
export async function startChatWorld(spec: {
  users: string[];
  group?: { name: string; members: string[] };
}): Promise<ChatWorld> {
  const server = await startTestServer();
  const users: Session[] = [];
  for (const name of spec.users) users.push(await server.http.signUp(name));
  if (!spec.group) return { server, users, groupId: 0 };
  const owner = users[0];
  const created = await server.http.post('/chat/groups', { name: spec.group.name }, owner.access_token);
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const groupId = created.body.id as number;
  for (const member of spec.group.members) {
    const user = users[spec.users.indexOf(member)];
    const invited = await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: user.id }, owner.access_token);
    expect(invited.status, JSON.stringify(invited.body)).to.equal(200);
  }
  return { server, users, groupId };
}

/**
 * The rooms a test joins, each left after the test (registers an `afterEach` in the calling `describe`).
 * `server` is read when joining, so it may be assigned in a `before` hook.
 */
export function roomsLeftAfterEach(server: () => TestServer) {
  const rooms: Room[] = [];
  /** Leaves every room joined so far. */
  const leaveAll = async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  };
  afterEach(leaveAll);
  /** Leaves `room` after the test too (one joined another way). */
  const track = (room: Room): Room => {
    rooms.push(room);
    return room;
  };
  /** Joins (or creates) a room of type `name` as `session`. */
  const join = async (session: Session, name: string, options: Record<string, unknown> = {}): Promise<Room> =>
    track(await sdkClient(server(), session).joinOrCreate(name, options));
  return { join, track, leaveAll };
}

/**
 * Baseline for bench:capacity and bench:chat: the smallest honest Colyseus 0.18 server — the same
 * @colyseus/core and @colyseus/ws-transport Plaza runs, with their defaults (LocalPresence, the local
 * matchmaking driver, the transport's own HTTP server), bound to loopback. No auth, no database, no
 * validation, no rate limit: what is left is Colyseus itself (HTTP matchmaking, the WebSocket, the JOIN
 * handshake, a schema state, a room per group or per user, its broadcast).
 *
 * - `bare`: one shared room (`joinOrCreate('bare', {})`, like a chat group) that broadcasts every `msg`
 *   as a `message` to everyone, sender included, with the fields of Plaza's chat `message`.
 * - `bareHome`: `filterBy(['userId'])`, one room per user (`joinOrCreate('bareHome', { userId })`), the
 *   floor of "a room per signed-in user" that Plaza's `home` is.
 *
 * Started by the benches as its own process (fork, IPC): it answers `{ port }` once listening and exits
 * when its parent goes.
 */
import type { AddressInfo } from 'node:net';
import { defineRoom, defineServer, Room, type Client, type RoomException } from '@colyseus/core';
import { Schema, type } from '@colyseus/schema';
import { WebSocketTransport } from '@colyseus/ws-transport';
import type { ChatMessageView } from '../src/domain/realtime/views.ts';

/** A tiny state: a couple of fields set once, so patches stay empty and a join encodes a few bytes. */
class BareState extends Schema {
  @type('string') name = '';
  @type('number') createdAt = 0;
}

/** Both rooms: a throwing handler is printed instead of ending the process (as it would without this). */
abstract class BaseRoom extends Room<{ state: BareState }> {
  override onUncaughtException(error: RoomException): void {
    console.error(error);
  }
}

/** One shared room: every `msg` goes to every client as `message`, shaped like Plaza's (no storage). */
class BareRoom extends BaseRoom {
  private nextId = 1;

  override messages = {
    msg: (_client: Client, payload: { text?: unknown }) => {
      const id = this.nextId++;
      const view: ChatMessageView = {
        id,
        group_id: 0,
        kind: 'msg',
        seq: id,
        author_id: null,
        author_name: null,
        to_user_id: null,
        text: String(payload?.text ?? ''),
        created_at: new Date().toISOString(),
        edited_at: null,
        deleted: false,
        client_msg_id: null,
        file_ids: [],
      };
      this.broadcast('message', view);
    },
  };

  override onCreate(): void {
    this.state = new BareState();
    this.state.name = 'bare';
    this.state.createdAt = Date.now();
  }
}

/** One room per `userId` (from the join options: there is no auth), holding nothing but its tiny state. */
class BareHomeRoom extends BaseRoom {
  override onCreate(options: { userId?: number }): void {
    this.state = new BareState();
    this.state.name = `home-${options.userId}`;
    this.state.createdAt = Date.now();
  }
}

const server = defineServer({
  rooms: {
    bare: defineRoom(BareRoom),
    bareHome: defineRoom(BareHomeRoom).filterBy(['userId']),
  },
  transport: new WebSocketTransport(),
  greet: false,
});
await server.listen(0, '127.0.0.1');
process.send?.({ port: (server.transport.server!.address() as AddressInfo).port });
process.on('disconnect', () => process.exit(0));

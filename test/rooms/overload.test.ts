import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { Protocol } from '@colyseus/sdk';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, eventually, joinChatAs, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { metricValue, scrape } from '../helpers/metrics.ts';

/** Small enough that a few history pages of long messages exceed it (and the kernel's socket buffers). */
const MAX_BUFFERED = 256 * 1024;
const LONG_TEXT = 'x'.repeat(3990);

/** A msgpack fixstr (under 32 bytes), as the SDK encodes message types and short keys. */
const fixstr = (text: string) => [0xa0 | text.length, ...Buffer.from(text)];
/** The SDK's frame for `room.send('history', { limit: 100 })`: ROOM_DATA, the type, the msgpack payload. */
const HISTORY_PAGE = Uint8Array.from([Protocol.ROOM_DATA, ...fixstr('history'), 0x81, ...fixstr('limit'), 100]);

describe('chat room under overload', () => {
  let server: TestServer;
  let alice: Session, bob: Session;
  let groupId: number;
  const rooms: Room[] = [];

  /**
   * A member on a plain `ws` socket (the SDK in Node uses the built-in WebSocket, which cannot stop
   * reading): a seat from the matchmaker over HTTP as the SDK asks for it, the room's endpoint, the join
   * acknowledged as the SDK does, then nothing read once the test pauses it.
   */
  const joinRaw = async (session: Session) => {
    const client = sdkClient(server, session);
    const seat = (await client.http.post('/matchmake/joinOrCreate/chat', { body: { groupId } })).data;
    // The room's endpoint as the SDK builds it: /<processId>/<roomId>?sessionId=<the seat's session>.
    const socket = new WebSocket(
      `${server.url.replace('http', 'ws')}/${seat.processId}/${seat.roomId}?sessionId=${seat.sessionId}`,
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('message', (data: Buffer) => {
        expect(data[0], 'JOIN_ROOM').to.equal(Protocol.JOIN_ROOM);
        socket.send(Uint8Array.of(Protocol.JOIN_ROOM));
        resolve();
      });
      socket.once('error', reject);
    });
    return socket;
  };

  const joinChat = (session: Session) => joinChatAs(server, session, groupId, rooms);

  before(async function () {
    this.timeout(60_000);
    server = await startTestServer({
      ROOM_MAX_BUFFERED_BYTES: String(MAX_BUFFERED),
      CHAT_RATE_PER_SECOND: '1000',
      METRICS_PORT: '0',
    });
    [alice, bob] = [await server.http.signUp('alice'), await server.http.signUp('bob')];
    groupId = (await server.http.post('/chat/groups', { name: 'busy' }, alice.access_token)).body.id;
    await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: bob.id }, alice.access_token);
  });

  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });

  after(async () => {
    await server.close();
  });

  it('when a member stops reading and more than ROOM_MAX_BUFFERED_BYTES wait for it, then it is closed with 4408 and the others go on', async function () {
    this.timeout(60_000);
    const a = await joinChat(alice);
    const sent = new Inbox(a, 'message_sent');
    const errors = new Inbox(a, 'error');
    for (let i = 0; i < 100; i++) a.send('msg', { text: `${i} ${LONG_TEXT}` });
    await sent
      .next((m) => m.text.startsWith('99 '), 30_000)
      .catch((err) => {
        throw new Error(JSON.stringify(errors.items[0]) + err);
      });

    const b = await joinRaw(bob);
    await eventually(() => a.state.members?.get(String(bob.id))?.online === true, 'bob online');
    const closed = new Promise<[number, string]>((resolve) =>
      b.once('close', (code: number, reason: Buffer) => resolve([code, reason.toString()])),
    );
    b.pause();
    // Each page is ~400 KB; together far more than the bound plus what the kernel buffers for a paused reader.
    for (let i = 0; i < 40; i++) b.send(HISTORY_PAGE);
    await eventually(
      async () =>
        metricValue(await scrape(server.metricsUrl!), 'plaza_room_slow_consumers_total', { room: 'chat' }) === 1,
      'the server closed the slow consumer',
      30_000,
    );
    b.resume();
    const [code, reason] = await closed;
    expect(code).to.equal(4408);
    expect(reason).to.match(/stopped reading/);

    await eventually(() => a.state.members?.get(String(bob.id))?.online === false, 'bob shows offline');
    const inbox = new Inbox(a, 'message');
    a.send('msg', { text: 'still here' });
    expect((await inbox.next((m) => m.text === 'still here')).author_id).to.equal(alice.id);
  });

  it('when a member toggles typing in a burst, then the others see its last state, in fewer patches than toggles', async () => {
    const [a, b] = [await joinChat(alice), await joinChat(bob)];
    await eventually(() => b.state.members?.get(String(alice.id))?.online === true, 'alice online');
    let patches = 0;
    b.onStateChange(() => patches++);
    const toggles = 100;
    for (let i = 1; i <= toggles; i++) a.send('typing', { typing: i % 2 === 1 });
    a.send('typing', { typing: true });
    await eventually(() => b.state.members?.get(String(alice.id))?.typing === true, 'alice typing');
    expect(patches, 'patches seen').to.be.below(toggles);

    a.send('msg', { text: 'sent, so no longer typing' });
    await eventually(() => b.state.members?.get(String(alice.id))?.typing === false, 'typing cleared by the send');
  });
});

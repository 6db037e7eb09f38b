import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, joinChatAs, leaveQuietly } from '../helpers/realtime.ts';
import { metricValue, scrape } from '../helpers/metrics.ts';

const SENDERS = 5;
const EACH = 20;

/** Messages that queue up while a store runs are stored together: order, acks and answers stay per message. */
describe('chat messages stored in batches', () => {
  const world = { server: undefined as unknown as TestServer, users: [] as Session[], groupId: 0 };
  const rooms: Room[] = [];
  const names = Array.from({ length: SENDERS }, (_, i) => `burst${i}`);

  before(async () => {
    world.server = await startTestServer({ METRICS_PORT: '0', CHAT_RATE_PER_SECOND: '1000' });
    for (const name of names) world.users.push(await world.server.http.signUp(name));
    const [owner, ...others] = world.users;
    world.groupId = (await world.server.http.post('/chat/groups', { name: 'bursts' }, owner.access_token)).body.id;
    for (const user of others)
      await world.server.http.post(`/chat/groups/${world.groupId}/invite`, { user_id: user.id }, owner.access_token);
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(async () => {
    await world.server.close();
  });

  const storesSoFar = async () =>
    metricValue(await scrape(world.server.metricsUrl!), 'plaza_chat_store_duration_seconds_count', { room: 'chat' });

  it('when every member sends a burst at once, then every member gets every message once, in one order with ids and seq ascending, and each sender one ack per message', async () => {
    const joined = await Promise.all(world.users.map((u) => joinChatAs(world.server, u, world.groupId, rooms)));
    const inboxes = joined.map((room) => new Inbox(room, 'message'));
    const acks = joined.map((room) => new Inbox(room, 'message_sent'));
    const storesBefore = await storesSoFar();

    const sent = joined.map((room, s) =>
      Array.from({ length: EACH }, (_, i) => {
        const clientMsgId = randomUUID();
        room.send('msg', { text: `s${s}-${i}`, client_msg_id: clientMsgId });
        return clientMsgId;
      }),
    );
    const total = SENDERS * EACH;
    for (const inbox of inboxes) await inbox.next(() => inbox.items.length >= total, 10_000);
    for (const ack of acks) await ack.next(() => ack.items.length >= EACH, 10_000);

    const order = inboxes[0].items.map((m) => m.id);
    expect(new Set(order).size, 'no message twice').to.equal(total);
    expect(order, 'ids ascending').to.deep.equal([...order].sort((a, b) => a - b));
    const seqs = inboxes[0].items.map((m) => m.seq);
    expect(seqs, 'seq contiguous').to.deep.equal(seqs.map((_, i) => seqs[0] + i));
    for (const inbox of inboxes.slice(1))
      expect(
        inbox.items.map((m) => m.id),
        'same order for everyone',
      ).to.deep.equal(order);
    for (const [s, ack] of acks.entries()) {
      expect(
        ack.items.map((m) => m.client_msg_id),
        `sender ${s} acked once per message, in its order`,
      ).to.deep.equal(sent[s]);
      const texts = inboxes[0].items.filter((m) => m.author_id === world.users[s].id).map((m) => m.text);
      expect(texts, `sender ${s}'s messages in its own order`).to.deep.equal(sent[s].map((_, i) => `s${s}-${i}`));
    }
    expect(await storesSoFar(), 'fewer stores than messages').to.be.below(storesBefore + total);

    const history = await world.server.http.get(
      `/chat/groups/${world.groupId}/messages?limit=100`,
      world.users[0].access_token,
    );
    expect(history.body.items.map((m: any) => m.id).reverse()).to.deep.equal(order);
  });

  it('when a burst repeats a client_msg_id, then the message is stored and shown once and both sends are acked with it', async () => {
    const [a, b] = await Promise.all(
      world.users.slice(0, 2).map((u) => joinChatAs(world.server, u, world.groupId, rooms)),
    );
    const [seen, acked] = [new Inbox(b, 'message'), new Inbox(a, 'message_sent')];
    const repeated = randomUUID();
    a.send('msg', { text: 'first', client_msg_id: randomUUID() });
    a.send('msg', { text: 'twice', client_msg_id: repeated });
    a.send('msg', { text: 'twice', client_msg_id: repeated });
    a.send('msg', { text: 'last', client_msg_id: randomUUID() });
    await seen.next((m) => m.text === 'last');
    await acked.next(() => acked.items.length >= 4);
    expect(seen.items.map((m) => m.text)).to.deep.equal(['first', 'twice', 'last']);
    const twice = acked.items.filter((m) => m.client_msg_id === repeated);
    expect(twice).to.have.length(2);
    expect(twice[1].id).to.equal(twice[0].id);
    expect(seen.items.find((m) => m.text === 'twice').id).to.equal(twice[0].id);
  });

  it('when messages are stored alone and in a batch, then what members get live (message and message_sent) is the message as the history shows it, field for field', async () => {
    const [a, b] = await Promise.all(
      world.users.slice(0, 2).map((u) => joinChatAs(world.server, u, world.groupId, rooms)),
    );
    const [seen, acked] = [new Inbox(b, 'message'), new Inbox(a, 'message_sent')];
    a.send('msg', { text: 'alone', client_msg_id: randomUUID() });
    await acked.next((m) => m.text === 'alone');
    for (const text of ['batch 1', 'batch 2', 'batch 3']) a.send('msg', { text, client_msg_id: randomUUID() });
    await seen.next((m) => m.text === 'batch 3');
    await acked.next((m) => m.text === 'batch 3');

    const history = await world.server.http.get(
      `/chat/groups/${world.groupId}/messages?limit=10`,
      world.users[0].access_token,
    );
    const stored = new Map(history.body.items.map((m: any) => [m.id, m]));
    expect(seen.items.map((m) => m.text)).to.deep.equal(['alone', 'batch 1', 'batch 2', 'batch 3']);
    for (const live of [...seen.items, ...acked.items]) expect(live, live.text).to.deep.equal(stored.get(live.id));
  });
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Client, type Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/testDatabase.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { MessageLog } from '../helpers/messageLog.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** last_seen_id, sync, after, seq and client_msg_id: what lets a client hold every message exactly once. */
describe('nothing lost, nothing duplicated', () => {
  let server: TestServer;
  let ada: Session, bo: Session;
  let groupId: number;
  const rooms: Room[] = [];
  const proxies: TcpProxy[] = [];
  const joinChat = async (
    session: Session,
    options: Record<string, unknown> = {},
    client = sdkClient(server, session),
  ) => {
    const room = await client.joinOrCreate('chat', { groupId, ...options });
    rooms.push(room);
    return room;
  };
  /** Sends `msg`s one by one and waits for each to come back as stored; returns the stored messages. */
  const post = async (room: Room, texts: string[]) => {
    const sent = new Inbox(room, 'message');
    const out = [];
    for (const text of texts) {
      room.send('msg', { text });
      out.push(await sent.next((m) => m.text === text));
    }
    return out;
  };
  /** An SDK client whose every byte passes through a TCP proxy the test controls. */
  const proxiedClient = async (session: Session) => {
    const proxy = await startTcpProxy({ port: server.port });
    proxies.push(proxy);
    const client = new Client(`ws://127.0.0.1:${proxy.port}`);
    client.auth.token = session.access_token;
    return { proxy, client };
  };

  before(async () => {
    server = await startTestServer({ RECONNECT_GRACE: '60', CHAT_WINDOW: '3', CHAT_RATE_PER_SECOND: '100' });
    [ada, bo] = [await server.http.signUp('ada'), await server.http.signUp('boris')];
    groupId = (await server.http.post('/chat/groups', { name: 'reliable' }, ada.access_token)).body.id;
    await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: bo.id }, ada.access_token);
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
    await Promise.all(proxies.splice(0).map((p) => p.close()));
  });
  after(async () => {
    await server.close();
  });

  it('when a member joins, then a sync holds the latest messages; with last_seen_id exactly those after it, oldest first, then live', async () => {
    const a = await joinChat(ada);
    const sent = await post(a, ['s1', 's2', 's3', 's4', 's5']);
    const fresh = await joinChat(bo);
    const window = await new Inbox(fresh, 'sync').next();
    expect(window.items.map((m: any) => m.text)).to.deep.equal(['s3', 's4', 's5']);
    expect(fresh.state.messages, 'messages are not synced state').to.equal(undefined);
    await leaveQuietly(fresh);
    const back = await joinChat(bo, { last_seen_id: sent[1].id });
    const [sync, live] = [new Inbox(back, 'sync'), new Inbox(back, 'message')];
    const caughtUp = await sync.next();
    expect(caughtUp.items.map((m: any) => m.text)).to.deep.equal(['s3', 's4', 's5']);
    expect(caughtUp.has_more).to.equal(false);
    await post(a, ['s6']);
    expect((await live.next()).text).to.equal('s6');
    expect(live.items.map((m) => m.text)).to.deep.equal(['s6']);
  });

  it('when public messages are stored, then each carries the next seq of its group, and room_dm never takes one', async () => {
    const a = await joinChat(ada);
    const [x, y] = await post(a, ['q1', 'q2']);
    expect(y.seq).to.equal(x.seq + 1);
    const sent = new Inbox(a, 'message_sent');
    a.send('room_dm', { to: bo.id, text: 'private' });
    expect((await sent.next((m) => m.text === 'private')).seq).to.equal(null);
    const [z] = await post(a, ['q3']);
    expect(z.seq).to.equal(y.seq + 1);
  });

  it('when sync is sent with a long gap, then replies page forward with has_more until everything after the cursor has come', async () => {
    const a = await joinChat(ada);
    const [first] = await post(a, ['p0']);
    await post(
      a,
      Array.from({ length: 12 }, (_, i) => `p${i + 1}`),
    );
    const b = await joinChat(bo);
    const [log, pages] = [new MessageLog(b, 'message', () => 'group'), new Inbox(b, 'sync')];
    await pages.next();
    b.send('sync', { last_seen_id: first.id, limit: 5 });
    const page = await pages.next((p) => p.items[0]?.text === 'p1');
    expect(page.items.map((m: any) => m.text)).to.deep.equal(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(page.has_more).to.equal(true);
    await eventually(() => log.items.some((m) => m.text === 'p9'), 'the client paged forward past the first page');
    expect(log.items.filter((m) => m.id > first.id && m.text.startsWith('p')).map((m) => m.text)).to.deep.equal(
      Array.from({ length: 12 }, (_, i) => `p${i + 1}`),
    );
  });

  it('when history is read with an after cursor, then REST and the room return what came after it, oldest first', async () => {
    const a = await joinChat(ada);
    const [h1] = await post(a, ['h1', 'h2', 'h3']);
    const rest = await server.http.get(`/chat/groups/${groupId}/messages?after=${h1.id}&limit=1`, bo.access_token);
    expect(rest.status, JSON.stringify(rest.body)).to.equal(200);
    expect(rest.body.items.map((m: any) => m.text)).to.deep.equal(['h2']);
    const next = await server.http.get(
      `/chat/groups/${groupId}/messages?cursor=${rest.body.next_cursor}&limit=10`,
      bo.access_token,
    );
    expect(next.body.items.map((m: any) => m.text)).to.deep.equal(['h3']);
    expect(next.body.next_cursor).to.equal(null);
    const history = new Inbox(a, 'history');
    a.send('history', { after: h1.id, limit: 5 });
    expect((await history.next()).items.map((m: any) => m.text)).to.deep.equal(['h2', 'h3']);
    const d1 = (await server.http.post(`/chat/dms/${bo.id}`, { text: 'd1' }, ada.access_token)).body;
    await server.http.post(`/chat/dms/${bo.id}`, { text: 'd2' }, ada.access_token);
    const dms = await server.http.get(`/chat/dms/${ada.id}/messages?after=${d1.id}`, bo.access_token);
    expect(dms.body.items.map((m: any) => m.text)).to.deep.equal(['d2']);
    expect(dms.body.items[0].seq).to.equal(d1.seq + 1);
  });

  it('when a chat client is black-holed for seconds without a close, then after it resyncs it holds every message exactly once', async () => {
    const a = await joinChat(ada);
    const { proxy, client } = await proxiedClient(bo);
    const b = await joinChat(bo, {}, client);
    b.reconnection.minUptime = 0;
    const log = new MessageLog(b, 'message', () => 'group');
    const before = await post(a, ['before the hole']);
    await eventually(() => log.byId.has(before[0].id), 'the live stream works');
    proxy.set('blackhole');
    const lost = await post(a, ['lost 1', 'lost 2', 'lost 3']);
    await sleep(3000);
    proxy.set('pass');
    const [after] = await post(a, ['after the hole']);
    const wanted = [...lost, after].map((m) => m.id);
    await eventually(() => wanted.every((id) => log.byId.has(id)), 'every message, after a resync', 30_000);
    expect(log.syncs, 'the client had to sync').to.be.greaterThan(0);
    const texts = log.items.map((m) => m.text);
    expect(texts.filter((t) => t.startsWith('lost') || t === 'after the hole')).to.deep.equal([
      'lost 1',
      'lost 2',
      'lost 3',
      'after the hole',
    ]);
    expect(new Set(texts).size).to.equal(texts.length);
  });

  it('when a home client is black-holed while DMs arrive, then after it resyncs it holds every DM exactly once', async () => {
    const { proxy, client } = await proxiedClient(bo);
    const home = await client.joinOrCreate('home');
    rooms.push(home);
    home.reconnection.minUptime = 0;
    const log = new MessageLog(home, 'dm', (m: any) =>
      String(m.from_user_id === bo.id ? m.to_user_id : m.from_user_id),
    );
    const first = (await server.http.post(`/chat/dms/${bo.id}`, { text: 'hello' }, ada.access_token)).body;
    await eventually(() => log.byId.has(first.id), 'the live stream works');
    proxy.set('blackhole');
    const lost: any[] = [];
    for (const text of ['gone 1', 'gone 2'])
      lost.push((await server.http.post(`/chat/dms/${bo.id}`, { text }, ada.access_token)).body);
    await sleep(3000);
    proxy.set('pass');
    const last = (await server.http.post(`/chat/dms/${bo.id}`, { text: 'found' }, ada.access_token)).body;
    await eventually(() => [...lost, last].every((m) => log.byId.has(m.id)), 'every DM, after a resync', 30_000);
    expect(log.items.filter((m) => m.id >= first.id).map((m) => m.text)).to.deep.equal([
      'hello',
      'gone 1',
      'gone 2',
      'found',
    ]);
    const rejoin = await sdkClient(server, bo).joinOrCreate('home', { last_seen_id: lost[0].id });
    rooms.push(rejoin);
    const sync = await new Inbox(rejoin, 'sync').next();
    expect(sync.items.map((m: any) => m.text)).to.deep.equal(['gone 2', 'found']);
  });

  it('when msg, room_dm, dm and support are repeated with the same client_msg_id, then the original is acked and nothing is stored or broadcast twice', async () => {
    const [a, b] = [await joinChat(ada), await joinChat(bo)];
    const [sent, seen] = [new Inbox(a, 'message_sent'), new Inbox(b, 'message')];
    const [m1, m2] = [randomUUID(), randomUUID()];
    a.send('msg', { text: 'once', client_msg_id: m1 });
    const original = await sent.next((m) => m.client_msg_id === m1);
    a.send('msg', { text: 'once', client_msg_id: m1 });
    await eventually(() => sent.items.filter((m) => m.client_msg_id === m1).length === 2, 'the repeat is acked');
    expect(sent.items.filter((m) => m.client_msg_id === m1).map((m) => m.id)).to.deep.equal([original.id, original.id]);
    a.send('room_dm', { to: bo.id, text: 'psst', client_msg_id: m2 });
    a.send('room_dm', { to: bo.id, text: 'psst', client_msg_id: m2 });
    a.send('msg', { text: 'marker' });
    await seen.next((m) => m.text === 'marker');
    expect(seen.items.filter((m) => m.text === 'once' || m.text === 'psst')).to.have.length(2);
    const history = (await server.http.get(`/chat/groups/${groupId}/messages?limit=100`, ada.access_token)).body.items;
    expect(history.filter((m: any) => m.text === 'once' || m.text === 'psst')).to.have.length(2);

    const home = await sdkClient(server, ada).joinOrCreate('home');
    rooms.push(home);
    const dmSent = new Inbox(home, 'dm_sent');
    const d = randomUUID();
    home.send('dm', { to: bo.id, text: 'dm once', client_msg_id: d });
    home.send('dm', { to: bo.id, text: 'dm once', client_msg_id: d });
    await eventually(() => dmSent.items.length === 2, 'both acked');
    expect(dmSent.items[0].id).to.equal(dmSent.items[1].id);
    const rest = await server.http.post(`/chat/dms/${bo.id}`, { text: 'dm once', client_msg_id: d }, ada.access_token);
    expect(rest.body.id).to.equal(dmSent.items[0].id);
    const dms = (await server.http.get(`/chat/dms/${ada.id}/messages?limit=100`, bo.access_token)).body.items;
    expect(dms.filter((m: any) => m.text === 'dm once')).to.have.length(1);
    const s = randomUUID();
    const s1 = await server.http.post('/support/messages', { text: 'help once', client_msg_id: s }, ada.access_token);
    const s2 = await server.http.post('/support/messages', { text: 'help once', client_msg_id: s }, ada.access_token);
    expect(s2.body.id).to.equal(s1.body.id);
    const bad = new Inbox(a, 'error');
    a.send('msg', { text: 'x', client_msg_id: 'not-a-uuid' });
    expect((await bad.next()).error_code).to.equal(30008);
  });
});

describe('storing messages while the database is frozen (PostgreSQL through a TCP proxy; an embedded PGlite has no network to freeze)', function () {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  const rooms: Room[] = [];

  before(async function () {
    if (!usingPostgres) this.skip();
    db = await createTestDatabase();
    if (db.target.kind !== 'postgresql') throw new Error('needs PostgreSQL');
    const url = new URL(db.target.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    server = await startTestServer(
      { CHAT_STORE_TIMEOUT_MS: '1500' },
      { database: { kind: 'postgresql', url: url.toString() } },
    );
  });
  after(async () => {
    await Promise.all(rooms.map((r) => leaveQuietly(r)));
    proxy?.set('pass');
    await server?.close();
    await proxy?.close();
    await db?.dispose();
  });

  it('when the database freezes mid-store, then the sender is told "unconfirmed", each queued message gets its own bounded answer, and what committed is delivered once', async () => {
    const [ada, bo] = [await server.http.signUp('ada'), await server.http.signUp('boris')];
    const groupId = (await server.http.post('/chat/groups', { name: 'frozen' }, ada.access_token)).body.id;
    await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: bo.id }, ada.access_token);
    const a = await sdkClient(server, ada).joinOrCreate('chat', { groupId });
    const aSynced = new Inbox(a, 'sync');
    const b = await sdkClient(server, bo).joinOrCreate('chat', { groupId });
    const bSynced = new Inbox(b, 'sync');
    rooms.push(a, b);
    const [errors, sent, seen] = [new Inbox(a, 'error'), new Inbox(a, 'message_sent'), new Inbox(b, 'message')];
    // Both joins' syncs are done: nothing of theirs waits in the room's queue when the database freezes.
    await Promise.all([aSynced.next(), bSynced.next()]);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    proxy.set('freeze');
    // The first store is under way (frozen) before the others arrive: they queue behind it. (Messages that
    // arrive together are stored together, in one statement, and would share its answer.)
    a.send('msg', { text: 'frozen 0', client_msg_id: ids[0] });
    await sleep(300);
    for (const [i, id] of ids.entries()) if (i > 0) a.send('msg', { text: `frozen ${i}`, client_msg_id: id });
    await eventually(
      () => errors.items.length === 3,
      'an answer for every message while the database is frozen',
      10_000,
    );
    const byId = new Map(errors.items.map((e) => [e.detail.client_msg_id, e.error_code]));
    expect(byId.get(ids[0]), 'the one being stored is unconfirmed, not "nothing stored"').to.equal(30017);
    expect(byId.get(ids[1])).to.equal(30014);
    expect(byId.get(ids[2])).to.equal(30014);
    proxy.set('pass');
    const delivered = await seen.next((m) => m.client_msg_id === ids[0], 20_000);
    expect((await sent.next((m) => m.client_msg_id === ids[0])).id).to.equal(delivered.id);
    for (const [i, id] of ids.entries()) a.send('msg', { text: `frozen ${i}`, client_msg_id: id });
    await seen.next((m) => m.client_msg_id === ids[2], 20_000);
    const history = (await server.http.get(`/chat/groups/${groupId}/messages?limit=100`, ada.access_token)).body.items;
    expect(
      history
        .filter((m: any) => m.text.startsWith('frozen'))
        .map((m: any) => m.text)
        .sort(),
    ).to.deep.equal(['frozen 0', 'frozen 1', 'frozen 2']);
    expect(
      seen.items.filter((m) => m.client_msg_id === ids[0]),
      'delivered once',
    ).to.have.length(1);
  });
});

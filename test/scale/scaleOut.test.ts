import { Client, type Room } from '@colyseus/sdk';
import { expect } from 'chai';
import pg from 'pg';
import { HttpClient, type Session } from '../helpers/http.ts';
import { eventually, Inbox, leaveQuietly } from '../helpers/realtime.ts';
import { killHard, missingForCluster, startCluster, type Cluster, type PlazaProcess } from './cluster.ts';

const unavailable = missingForCluster();

describe('scale-out: three Plaza processes on one Redis and one PostgreSQL', function () {
  this.timeout(120_000);
  if (unavailable) {
    it(`is skipped: ${unavailable}`, function () {
      this.skip();
    });
    return;
  }

  let cluster: Cluster;
  let p1: PlazaProcess, p2: PlazaProcess, p3: PlazaProcess;
  let admin: Session;
  const rooms: Room[] = [];
  let counter = 0;

  const http = (p: PlazaProcess | string) => new HttpClient(typeof p === 'string' ? p : p.endpoint);
  /** A real SDK client whose matchmaking goes to `p` (through nginx's prefix for it when nginx runs). */
  const sdk = (p: PlazaProcess, session: Session) => {
    const client = new Client(p.endpoint);
    client.auth.token = session.access_token;
    return client;
  };
  const join = async <T = any>(p: PlazaProcess, session: Session, name: string, options: object = {}) => {
    const room = await sdk(p, session).joinOrCreate<T>(name, options);
    room.reconnection.enabled = false;
    rooms.push(room);
    return room;
  };
  const signUp = (p: PlazaProcess, prefix: string) => http(p).signUp(`${prefix}${++counter}`);
  /** Which process holds each live connection of `userId` (from the admin view, served by any process). */
  const connectionsOf = async (userId: number) => {
    const res = await http(p1).get('/admin/realtime/clients', admin.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return (res.body.items as { user_id: number; room: string; room_id: string; process_id: string }[]).filter(
      (c) => c.user_id === userId,
    );
  };
  const openGroup = async (owner: Session, members: { session: Session; via: PlazaProcess }[]) => {
    const res = await http(p1).post('/chat/groups', { name: `g${++counter}`, visibility: 'open' }, owner.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    for (const m of members) {
      const joined = await http(m.via).post(`/chat/groups/${res.body.id}/join`, {}, m.session.access_token);
      expect(joined.status, JSON.stringify(joined.body)).to.equal(200);
    }
    return res.body.id as number;
  };

  before(async function () {
    this.timeout(300_000);
    cluster = await startCluster(3, { PRESENCE_GRACE: '1', AUTH_FAILURES_PER_ACCOUNT_IP: '4' });
    [p1, p2, p3] = cluster.processes;
    const session = await http(p1).signUp(`admin${process.pid}`);
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    await db.query(`update users set role = 'admin' where id = $1`, [session.id]);
    await db.end();
    admin = { ...session, ...(await http(p2).signIn(session.username)) };
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      for (const p of cluster.processes) console.log(`--- ${p.name} log ---\n${p.log.slice(-30).join('\n')}`);
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });

  after(async function () {
    this.timeout(60_000);
    await cluster?.stop();
  });

  it('when the processes start, then the public address answers and each process has its own id', async () => {
    // Through nginx the root is round-robin over all three; without it, each process is its own address.
    const health = await http(cluster.publicEndpoint).get('/health');
    expect(health.status).to.equal(200);
    expect(new Set(cluster.processes.map((p) => p.processId)).size).to.equal(3);
  });

  it('when members of one group are on all three processes, then every member sees every message in one order', async () => {
    const [a, b, c] = await Promise.all([signUp(p1, 'fan'), signUp(p2, 'fan'), signUp(p3, 'fan')]);
    const groupId = await openGroup(a, [
      { session: b, via: p2 },
      { session: c, via: p3 },
    ]);
    const joined = [
      await join(p1, a, 'chat', { groupId }),
      await join(p2, b, 'chat', { groupId }),
      await join(p3, c, 'chat', { groupId }),
    ];
    const inboxes = joined.map((r) => new Inbox(r, 'message'));
    // Every member's connection is in the group's one room, whichever process they came through.
    expect(new Set(joined.map((r) => r.roomId))).to.deep.equal(new Set([`chat-${groupId}`]));
    const holders = new Set(
      (await Promise.all([a, b, c].map((s) => connectionsOf(s.id)))).flat().map((x) => x.process_id),
    );
    expect(holders.size, 'one process holds the group room').to.equal(1);

    const perSender = 10;
    const sends = joined.flatMap((room, i) =>
      Array.from({ length: perSender }, (_, n) => () => room.send('msg', { text: `m${i}-${n}` })),
    );
    for (let n = 0; n < perSender; n++) for (let i = 0; i < 3; i++) sends[i * perSender + n]();
    // A REST broadcast served by yet another process joins the same stream.
    const broadcast = await http(p3).post(
      `/admin/realtime/groups/${groupId}/broadcast`,
      { text: 'notice from p3' },
      admin.access_token,
    );
    expect(broadcast.status, JSON.stringify(broadcast.body)).to.equal(201);
    const total = perSender * 3 + 1;
    await eventually(() => inboxes.every((i) => i.items.length >= total), `${total} messages at every member`, 15_000);
    const orders = inboxes.map((i) => i.items.map((m) => m.id));
    expect(orders[0]).to.have.length(total);
    expect(new Set(orders[0]).size, 'no message twice').to.equal(total);
    expect(orders[1]).to.deep.equal(orders[0]);
    expect(orders[2]).to.deep.equal(orders[0]);
  });

  it('when a user on one process sends a DM to a user on another, then it arrives live; presence crosses too', async () => {
    const [a, b] = await Promise.all([signUp(p1, 'dm'), signUp(p2, 'dm')]);
    const homeA = await join(p1, a, 'home');
    const dmsA = new Inbox(homeA, 'dm');
    homeA.send('follow', { user_id: b.id });
    const homeB = await join(p2, b, 'home');
    expect((await connectionsOf(a.id))[0].process_id).to.equal(p1.processId);
    expect((await connectionsOf(b.id))[0].process_id).to.equal(p2.processId);
    await eventually(() => homeA.state.following?.get(String(b.id))?.status === 'online', 'A sees B online');

    homeB.send('dm', { to: a.id, text: 'hello across processes' });
    const dm = await dmsA.next((m) => m.text === 'hello across processes');
    expect(dm.from_user_id).to.equal(b.id);

    await leaveQuietly(homeB);
    await eventually(() => homeA.state.following.get(String(b.id))?.status === 'offline', 'A sees B offline', 10_000);
  });

  it('when one user joins home through two processes at once, then both devices land in one room', async () => {
    const u = await signUp(p1, 'twin');
    const joins = await Promise.all([join(p1, u, 'home'), join(p2, u, 'home'), join(p3, u, 'home')]);
    expect(joins.map((r) => r.roomId)).to.deep.equal([`home-${u.id}`, `home-${u.id}`, `home-${u.id}`]);
    const held = await connectionsOf(u.id);
    expect(held).to.have.length(3);
    expect(new Set(held.map((c) => c.process_id)).size, 'one home room, on one process').to.equal(1);
    const listings = Object.values(await cluster.redis.hgetall('roomcaches')).filter((l) =>
      l.includes(`"roomId":"home-${u.id}"`),
    );
    expect(listings).to.have.length(1);
  });

  it('when an admin bans a user with connections on all three processes, then every one of them closes', async () => {
    const [v, owner] = await Promise.all([signUp(p1, 'banned'), signUp(p1, 'owner')]);
    const g2 = await openGroup(owner, [{ session: v, via: p2 }]);
    const g3 = await openGroup(owner, [{ session: v, via: p3 }]);
    // Each room is created by the process the first join went through.
    const connected = [
      await join(p1, v, 'home'),
      await join(p2, v, 'chat', { groupId: g2 }),
      await join(p3, v, 'chat', { groupId: g3 }),
    ];
    expect(new Set((await connectionsOf(v.id)).map((c) => c.process_id))).to.deep.equal(
      new Set([p1.processId, p2.processId, p3.processId]),
    );
    const closed = connected.map((room) => new Promise<number>((resolve) => room.onLeave((code) => resolve(code))));
    const ban = await http(p2).post(`/admin/users/${v.id}/ban`, { reason: 'spam' }, admin.access_token);
    expect(ban.status, JSON.stringify(ban.body)).to.equal(200);
    expect(await Promise.all(closed)).to.deep.equal([4401, 4401, 4401]);
  });

  it('when wrong passwords arrive through different processes, then the failure budget is one for all of them', async () => {
    const u = await signUp(p1, 'guess');
    // 4 failures per account and address in the window, wherever they land.
    for (const p of [p1, p2, p3, p1]) {
      const res = await http(p).post('/auth/login', { login: u.username, password: 'wrong-password' });
      expect(res.status, `${p.name}: ${JSON.stringify(res.body)}`).to.equal(401);
    }
    const refused = await http(p2).post('/auth/login', { login: u.username, password: 'wrong-password' });
    expect(refused.status, JSON.stringify(refused.body)).to.equal(429);
    expect(refused.body.error.code).to.equal(10005);
  });

  it('when a process is killed with -9, then the others keep serving, its users rejoin elsewhere and miss nothing, and its leftovers go', async () => {
    const [x, y, z, w] = await Promise.all([signUp(p1, 'k'), signUp(p2, 'k'), signUp(p3, 'k'), signUp(p3, 'k')]);
    const groupId = await openGroup(z, [
      { session: x, via: p1 },
      { session: y, via: p2 },
    ]);
    // The group's room and W's home live on p3, the process about to die.
    const chatZ = await join(p3, z, 'chat', { groupId });
    const chatX = await join(p1, x, 'chat', { groupId });
    const chatY = await join(p2, y, 'chat', { groupId });
    const homeW = await join(p3, w, 'home');
    const homeX = await join(p1, x, 'home');
    homeX.send('follow', { user_id: w.id });
    await eventually(() => homeX.state.following?.get(String(w.id))?.status === 'online', 'X sees W online');
    const seenY = new Inbox(chatY, 'message');
    chatX.send('msg', { text: 'before the crash' });
    const lastSeenY = (await seenY.next((m) => m.text === 'before the crash')).id as number;
    const dropped = [chatX, chatY, chatZ, homeW].map((r) => new Promise<number>((resolve) => r.onLeave(resolve)));

    await killHard(p3);
    const codes = await Promise.all(dropped);
    expect(
      codes.every((c) => c !== 4000),
      `abnormal closes, got ${codes.join(', ')}`,
    ).to.equal(true);

    // X rejoins through p1 and posts while Y and Z are still away.
    const rejoinX = await join(p1, x, 'chat', { groupId, last_seen_id: lastSeenY });
    const sentX = new Inbox(rejoinX, 'message_sent');
    rejoinX.send('msg', { text: 'after the crash' });
    const after = await sentX.next();
    // Y and Z (whose process died) come back through the survivors and catch up from what they last saw.
    for (const [session, via] of [
      [y, p2],
      [z, p1],
    ] as const) {
      const room = await join(via, session, 'chat', { groupId, last_seen_id: lastSeenY });
      const sync = await new Inbox(room, 'sync').next();
      expect(sync.items.map((m: { id: number }) => m.id)).to.include(after.id);
    }
    expect((await connectionsOf(x.id)).map((c) => c.process_id)).to.not.include(p3.processId);

    // W never comes back: their followers see them offline, and nothing of p3 stays listed.
    await eventually(() => homeX.state.following.get(String(w.id))?.status === 'offline', 'X sees W offline', 20_000);
    await eventually(
      async () => !Object.values(await cluster.redis.hgetall('roomcaches')).some((l) => l.includes(p3.processId)),
      "p3's room listings are gone",
      20_000,
    );
    await eventually(
      async () =>
        !Object.values(await cluster.redis.hgetall('plaza:connections')).some((c) => c.includes(p3.processId)),
      "p3's connection records are gone",
      20_000,
    );
    // The survivors still serve REST and rooms.
    expect((await http(p2).get('/health')).status).to.equal(200);
  });
});

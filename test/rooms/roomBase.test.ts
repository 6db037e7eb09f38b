import { expect } from 'chai';
import { RequestContext } from '@mikro-orm/core';
import type { Room } from '@colyseus/sdk';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, createAdmin, dropConnection, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { channels } from '../../src/domain/realtime/RealtimeBus.ts';

/** What every room type shares: validation, unknown types, the rate limit, revocation, the admin listing. */
describe('every room type on the one room base (chat, home, ssh)', () => {
  let server: TestServer;
  let admin: Session, alice: Session, oscar: Session;
  let groupId: number;
  const rooms: Room[] = [];

  const join = async (session: Session, name: 'chat' | 'home' | 'ssh') => {
    const room = await sdkClient(server, session).joinOrCreate(name, name === 'chat' ? { groupId } : {});
    rooms.push(room);
    // The ssh room's welcome comes once the server has processed the join.
    if (name === 'ssh') await new Inbox(room, 'welcome').next();
    return room;
  };
  const joinAll = async (session: Session) => ({
    chat: await join(session, 'chat'),
    home: await join(session, 'home'),
    ssh: await join(session, 'ssh'),
  });

  before(async () => {
    server = await startTestServer({ CHAT_RATE_PER_SECOND: '5', RECONNECT_GRACE: '20' });
    admin = await createAdmin(server, 'root');
    alice = await server.http.signUp('alice');
    const group = await server.http.post('/chat/groups', { name: 'ops' }, admin.access_token);
    groupId = group.body.id;
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(async () => {
    await server.close();
  });

  const listed = async (userId: number) =>
    (await server.http.get('/admin/realtime/clients', admin.access_token)).body.items.filter(
      (c: any) => c.user_id === userId,
    );

  const newOperator = async (name: string) => {
    const session = await signUpWithRole(server, name, 'operator');
    expect(
      (await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: session.id }, admin.access_token)).status,
    ).to.equal(200);
    return session;
  };

  it('when any room gets a malformed or oversized payload, then the sender gets 30008 or 30009 and stays connected', async () => {
    oscar = await newOperator('oscar');
    const { chat, home, ssh } = await joinAll(oscar);
    const cases: [Room, string, unknown, number][] = [
      [chat, 'msg', { txt: 'wrong field' }, 30008],
      [chat, 'msg', { text: 'x'.repeat(5000) }, 30009],
      [home, 'dm', { to: 'nobody', text: 'hi' }, 30008],
      [home, 'status', 'not an object', 30008],
      [ssh, 'ssh_command', { server_name: 'alpha' }, 30008],
      [ssh, 'ssh_command', { server_name: 'alpha', command: 'x'.repeat(9000) }, 30009],
    ];
    for (const [room, type, payload, code] of cases) {
      const errors = new Inbox(room, 'error');
      room.send(type, payload);
      const error = await errors.next();
      expect(error.error_code, `${type} ${JSON.stringify(error)}`).to.equal(code);
      expect(error.detail.type).to.equal(type);
    }
    // Every connection still works afterwards.
    const [sent, groups, ended] = [
      new Inbox(chat, 'message_sent'),
      new Inbox(home, 'my_groups'),
      new Inbox(ssh, 'error'),
    ];
    chat.send('msg', { text: 'still here' });
    home.send('my_groups', {});
    ssh.send('end_session', {});
    expect((await sent.next()).text).to.equal('still here');
    expect((await groups.next()).items.map((g: any) => g.id)).to.include(groupId);
    expect((await ended.next()).error_code).to.equal(50005);
  });

  it('when any room gets an unknown message type, then the sender gets 30013 and the connection stays open', async () => {
    const { chat, home, ssh } = await joinAll(oscar);
    for (const room of [chat, home, ssh]) {
      const errors = new Inbox(room, 'error');
      let closed: number | undefined;
      room.onLeave((code) => (closed = code));
      room.send('no_such_type', {});
      expect((await errors.next()).error_code).to.equal(30013);
      room.send('no_such_type_either', { a: 1 });
      await errors.next((e) => e.detail?.type === 'no_such_type_either');
      expect(closed, 'still connected').to.equal(undefined);
    }
  });

  it('when a client floods far past the application rate, then every extra message gets 30011 and the connection stays open', async () => {
    const { chat } = await joinAll(oscar);
    const [sent, errors] = [new Inbox(chat, 'message_sent'), new Inbox(chat, 'error')];
    let closed: number | undefined;
    chat.onLeave((code) => (closed = code));
    for (let i = 0; i < 100; i++) chat.send('msg', { text: `flood ${i}` });
    await eventually(
      () => sent.items.length + errors.items.length >= 100,
      'an answer to each of the 100 messages',
      30_000,
    );
    expect(
      errors.items.every((e) => e.error_code === 30011),
      JSON.stringify(errors.items[0]),
    ).to.equal(true);
    expect(sent.items.length, 'the burst allowance was stored').to.be.greaterThan(0);
    expect(errors.items.length, 'the rest was refused, each one answered').to.be.greaterThan(0);
    expect(sent.items.length + errors.items.length).to.equal(100);
    expect(closed, 'the connection was not closed').to.equal(undefined);
    await new Promise((r) => setTimeout(r, Math.max(...errors.items.map((e) => e.detail.retry_after_ms)) + 100));
    chat.send('msg', { text: 'after the flood' });
    await sent.next((m) => m.text === 'after the flood');
  });

  it('when an operator in the ssh room connects, then the admin realtime views list that connection with the others', async () => {
    const { ssh } = await joinAll(oscar);
    const clients = await server.http.get('/admin/realtime/clients', admin.access_token);
    const mine = clients.body.items
      .filter((c: any) => c.user_id === oscar.id)
      .map((c: any) => c.room)
      .sort();
    expect(mine).to.deep.equal(['chat', 'home', 'ssh']);
    expect(clients.body.items.find((c: any) => c.session_id === ssh.sessionId)).to.include({
      room: 'ssh',
      group_id: null,
    });
  });

  it('when an operator is banned, then every one of their chat, home and ssh connections closes with 4401', async () => {
    const olga = await newOperator('olga');
    const all = await joinAll(olga);
    const closed = Object.values(all).map(
      (room) => new Promise<number>((resolve) => room.onLeave((code) => resolve(code))),
    );
    const res = await server.http.post(
      `/admin/users/${olga.id}/ban`,
      { reason: 'left the company' },
      admin.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(await Promise.all(closed)).to.deep.equal([4401, 4401, 4401]);
    await eventually(
      async () => (await listed(olga.id)).length === 0,
      'the closed connections leave the admin listing',
    );
  });

  it('when an operator logs out, then their ssh connection opened with that login closes with 4401', async () => {
    const otto = await newOperator('otto');
    const ssh = await join(otto, 'ssh');
    const closed = new Promise<number>((resolve) => ssh.onLeave((code) => resolve(code)));
    expect((await server.http.post('/auth/logout', undefined, otto.access_token)).status).to.equal(204);
    expect(await closed).to.equal(4401);
  });

  it('when an operator is demoted, then they lose the ssh room at once', async () => {
    const opal = await newOperator('opal');
    const ssh = await join(opal, 'ssh');
    const closed = new Promise<number>((resolve) => ssh.onLeave((code) => resolve(code)));
    await RequestContext.create(server.services.orm.em, () =>
      server.services.admin.setRole({ id: admin.id, name: 'root' }, { username: 'opal' }, 'user'),
    );
    expect(await closed).to.be.oneOf([4401, 4403]);
  });

  it('when a role-changed event says an operator is now a plain user, then ssh closes with 4403 and their chat and home stay open', async () => {
    const olaf = await newOperator('olaf');
    const { chat, home, ssh } = await joinAll(olaf);
    const [sshClosed, sshErrors] = [
      new Promise<number>((resolve) => ssh.onLeave((code) => resolve(code))),
      new Inbox(ssh, 'error'),
    ];
    let otherClosed: number | undefined;
    chat.onLeave((code) => (otherClosed = code));
    home.onLeave((code) => (otherClosed = code));
    server.services.bus.publish(channels.revoked, { user_id: olaf.id, role: 'user' });
    expect(await sshClosed).to.equal(4403);
    expect((await sshErrors.next()).error_code).to.equal(11007);
    const sent = new Inbox(chat, 'message_sent');
    chat.send('msg', { text: 'still a member' });
    await sent.next();
    expect(otherClosed).to.equal(undefined);
  });

  it('when a revoked connection tries to reconnect with its reconnection token, then it is refused', async () => {
    const bea = await server.http.signUp('bea');
    const home = await join(bea, 'home');
    home.reconnection.enabled = false;
    const closed = new Promise<number>((resolve) => home.onLeave((code) => resolve(code)));
    expect((await server.http.post('/auth/logout', undefined, bea.access_token)).status).to.equal(204);
    expect(await closed).to.equal(4401);
    const again = await sdkClient(server, bea)
      .reconnect(home.reconnectionToken)
      .then(
        (r) => (rooms.push(r), null),
        (e) => e,
      );
    expect(again, 'reconnection refused').to.be.instanceOf(Error);
  });

  it('when a connection dropped within its grace and the user is banned meanwhile, then the kept seat is cancelled', async () => {
    const cid = await server.http.signUp('cid');
    const home = await join(cid, 'home');
    home.reconnection.enabled = false;
    const dropped = new Promise<number>((resolve) => home.onLeave((code) => resolve(code)));
    await dropConnection(home);
    expect(await dropped).to.equal(1006);
    await server.http.post(`/admin/users/${cid.id}/ban`, { reason: 'spam' }, admin.access_token);
    const again = await sdkClient(server, cid)
      .reconnect(home.reconnectionToken)
      .then(
        (r) => (rooms.push(r), null),
        (e) => e,
      );
    expect(again, 'reconnection refused').to.be.instanceOf(Error);
    await eventually(async () => (await listed(cid.id)).length === 0, 'the cancelled seat leaves the admin listing');
  });

  it('when a room message fails the text rules PostgreSQL enforces (a NUL character), then it is 30008, never a retryable 30014', async () => {
    const { chat, home } = await joinAll(oscar);
    for (const [room, type, payload] of [
      [chat, 'msg', { text: 'a\u0000b' }],
      [chat, 'room_dm', { to: admin.id, text: '\u0000' }],
      [home, 'dm', { to: alice.id, text: 'nul\u0000' }],
    ] as const) {
      const errors = new Inbox(room, 'error');
      room.send(type, payload);
      expect((await errors.next()).error_code, type).to.equal(30008);
    }
    const rest = await server.http.post(`/chat/dms/${alice.id}`, { text: 'a\u0000b' }, oscar.access_token);
    expect(rest.status, JSON.stringify(rest.body)).to.equal(422);
    const support = await server.http.post('/support/messages', { text: '\u0000' }, oscar.access_token);
    expect(support.status, JSON.stringify(support.body)).to.equal(422);
  });
});

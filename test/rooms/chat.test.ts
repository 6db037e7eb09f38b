import { expect } from 'chai';
import type { TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, createAdmin, dropConnection, eventually, sdkClient } from '../helpers/realtime.ts';
import { roomsLeftAfterEach, startChatWorld } from '../helpers/chatGroup.ts';
import { MessageLog } from '../helpers/messageLog.ts';

describe('chat room', () => {
  let server: TestServer;
  let alice: Session, bob: Session, carol: Session;
  let groupId: number;
  const { join, track } = roomsLeftAfterEach(() => server);
  const joinChat = (session: Session) => join(session, 'chat', { groupId });

  before(async () => {
    ({
      server,
      users: [alice, bob, carol],
      groupId,
    } = await startChatWorld({
      users: ['alice', 'bob', 'carol'],
      group: { name: 'general', members: ['bob', 'carol'] },
    }));
  });

  after(async () => {
    await server.close();
  });

  it('when a member sends msg, then every member receives it once, in the same order, and it is in the history', async () => {
    const [a, b, c] = [await joinChat(alice), await joinChat(bob), await joinChat(carol)];
    expect(a.roomId).to.equal(b.roomId).and.equal(c.roomId);
    const inboxes = [a, b, c].map((r) => new Inbox(r, 'message'));
    a.send('msg', { text: 'one' });
    b.send('msg', { text: 'two' });
    for (const inbox of inboxes) await inbox.next((m) => m.text === 'two');
    for (const inbox of inboxes) await inbox.next((m) => m.text === 'one');
    const orders = inboxes.map((i) => i.items.filter((m) => m.kind === 'msg').map((m) => m.id));
    expect(orders[1]).to.deep.equal(orders[0]);
    expect(orders[2]).to.deep.equal(orders[0]);
    expect(orders[0]).to.deep.equal([...orders[0]].sort((x, y) => x - y));

    const history = await server.http.get(`/chat/groups/${groupId}/messages?limit=10`, carol.access_token);
    expect(history.status).to.equal(200);
    const texts = history.body.items.map((m: any) => m.text);
    expect(texts.slice(0, 2).sort()).to.deep.equal(['one', 'two']);
    expect(history.body.items.some((m: any) => m.kind === 'system' && m.text.includes('alice added bob'))).to.equal(
      true,
    );
  });

  it('when a member sends room_dm, then only the target receives it and no other member sees it in messages or history', async () => {
    const [a, b, c] = [await joinChat(alice), await joinChat(bob), await joinChat(carol)];
    const [bobInbox, carolInbox] = [new Inbox(b, 'message'), new Inbox(c, 'message')];
    a.send('room_dm', { to: bob.id, text: 'psst bob' });
    const got = await bobInbox.next((m) => m.text === 'psst bob');
    expect(got.kind).to.equal('room_dm');
    a.send('msg', { text: 'public after dm' });
    await carolInbox.next((m) => m.text === 'public after dm');
    await bobInbox.next((m) => m.text === 'public after dm');
    expect(carolInbox.items.map((m) => m.text)).to.not.include('psst bob');
    const carolHistory = await server.http.get(`/chat/groups/${groupId}/messages`, carol.access_token);
    expect(carolHistory.body.items.map((m: any) => m.text)).to.not.include('psst bob');
    const bobHistory = await server.http.get(`/chat/groups/${groupId}/messages`, bob.access_token);
    expect(bobHistory.body.items.map((m: any) => m.text)).to.include('psst bob');
  });

  it('when messages are malformed, oversized or of unknown type, then the sender gets an error and others keep chatting', async () => {
    const [a, b] = [await joinChat(alice), await joinChat(bob)];
    const errors = new Inbox(a, 'error');
    const bobInbox = new Inbox(b, 'message');
    a.send('msg', { text: 'x'.repeat(5000) });
    expect((await errors.next((e) => e.error_code === 30009)).message).to.be.a('string');
    a.send('msg', { txt: 'wrong field' });
    await errors.next((e) => e.error_code === 30008);
    a.send('msg', 'not an object');
    a.send('no_such_type', {});
    await errors.next((e) => e.error_code === 30013);
    a.send('edit', { message_id: 1, text: 'not mine' });
    await errors.next((e) => e.error_code === 30004 || e.error_code === 30005);
    b.send('msg', { text: 'still fine' });
    await bobInbox.next((m) => m.text === 'still fine');
    a.send('msg', { text: 'alice still connected' });
    await bobInbox.next((m) => m.text === 'alice still connected');
  });

  it('when the author edits and deletes a message, then everyone sees the change and others cannot touch it', async () => {
    const [a, b] = [await joinChat(alice), await joinChat(bob)];
    const [bobMessages, bobUpdates, bobDeletes, bobErrors] = [
      new Inbox(b, 'message'),
      new Inbox(b, 'message_updated'),
      new Inbox(b, 'message_deleted'),
      new Inbox(b, 'error'),
    ];
    a.send('msg', { text: 'typo' });
    const original = await bobMessages.next((m) => m.text === 'typo');
    b.send('edit', { message_id: original.id, text: 'hijack' });
    expect((await bobErrors.next()).error_code).to.equal(30005);
    a.send('edit', { message_id: original.id, text: 'fixed' });
    expect((await bobUpdates.next()).text).to.equal('fixed');
    a.send('delete', { message_id: original.id });
    expect((await bobDeletes.next()).deleted).to.equal(true);
  });

  it('when a member reads, requests history and types, then the cursor moves, history arrives and typing shows in state', async () => {
    const [a, b] = [await joinChat(alice), await joinChat(bob)];
    const bobMessages = new Inbox(b, 'message');
    a.send('msg', { text: 'read me' });
    const m = await bobMessages.next((x) => x.text === 'read me');
    const readAck = new Inbox(b, 'read');
    b.send('read', { message_id: m.id });
    expect((await readAck.next()).last_read_message_id).to.equal(m.id);
    const groups = await server.http.get('/chat/groups', bob.access_token);
    expect(groups.body.items[0]).to.include({ id: groupId, unread: 0, last_read_message_id: m.id });
    const history = new Inbox(b, 'history');
    b.send('history', { limit: 2 });
    const page = await history.next();
    expect(page.items).to.have.length(2);
    expect(page.items[0].id).to.be.greaterThan(page.items[1].id);
    a.send('typing', { typing: true });
    await eventually(() => b.state.members.get(String(alice.id))?.typing === true, 'typing flag');
    expect(b.state.members.get(String(alice.id))?.online).to.equal(true);
  });

  it('when a group keeps only its latest messages, then older ones are pruned from the history', async () => {
    const owned = await server.http.post(
      '/chat/groups',
      { name: 'short memory', retain_messages: 3 },
      alice.access_token,
    );
    expect(owned.body.retain_messages).to.equal(3);
    const room = await join(alice, 'chat', { groupId: owned.body.id });
    const inbox = new Inbox(room, 'message');
    for (const text of ['m1', 'm2', 'm3', 'm4', 'm5']) room.send('msg', { text });
    await inbox.next((m) => m.text === 'm5');
    const history = await server.http.get(`/chat/groups/${owned.body.id}/messages`, alice.access_token);
    expect(history.body.items.map((m: any) => m.text)).to.deep.equal(['m5', 'm4', 'm3']);
    const renamed = await server.http.patch(
      `/chat/groups/${owned.body.id}`,
      { name: 'renamed', retain_messages: null },
      alice.access_token,
    );
    expect(renamed.body).to.include({ name: 'renamed', retain_messages: null });
    expect((await inbox.next((m) => m.kind === 'system')).text).to.include('renamed');
    expect(
      (await server.http.patch(`/chat/groups/${owned.body.id}`, { name: 'mine now' }, bob.access_token)).status,
    ).to.equal(403);
  });

  it('when a non-member or a bad groupId tries to join, then the join is refused with a catalogue code', async () => {
    const dave = await server.http.signUp('dave');
    const err = await sdkClient(server, dave)
      .joinOrCreate('chat', { groupId })
      .then(
        () => null,
        (e) => e,
      );
    expect(err?.message).to.match(/^\[30002\]/);
    const bad = await sdkClient(server, dave)
      .joinOrCreate('chat', { groupId: 'x' })
      .then(
        () => null,
        (e) => e,
      );
    expect(bad?.message).to.match(/^\[30012\]/);
    const anon = await sdkClient(server, { access_token: '' })
      .joinOrCreate('chat', { groupId })
      .then(
        () => null,
        (e) => e,
      );
    expect(anon?.message).to.match(/^\[11001\]/);
  });

  it('when a connection drops and reconnects within the grace, then it keeps its seat and a sync from its last id brings what it missed', async () => {
    const a = await joinChat(alice);
    const b = await joinChat(bob);
    const seen = await new Inbox(b, 'sync').next();
    const lastSeen = Math.max(0, ...seen.items.map((m: any) => m.id));
    b.reconnection.enabled = false;
    const { sessionId, reconnectionToken } = b;
    const dropped = new Promise<number>((resolve) => b.onLeave((code) => resolve(code)));
    await dropConnection(b);
    expect(await dropped).to.equal(1006);
    const aliceMessages = new Inbox(a, 'message');
    a.send('msg', { text: 'while you were away' });
    await aliceMessages.next((m) => m.text === 'while you were away');
    const back = track(await sdkClient(server, bob).reconnect(reconnectionToken));
    expect(back.sessionId).to.equal(sessionId);
    const caughtUp = new Inbox(back, 'sync');
    back.send('sync', { last_seen_id: lastSeen });
    const page = await caughtUp.next();
    expect(page.items.filter((m: any) => m.text === 'while you were away')).to.have.length(1);
    expect(page.items.every((m: any) => m.id > lastSeen)).to.equal(true);
  });

  it('when the network drops, then the SDK reconnects on its own within the grace and the client’s sync gets what it missed', async () => {
    const [a, b] = [await joinChat(alice), await joinChat(bob)];
    b.reconnection.minUptime = 0;
    b.reconnection.minDelay = 50;
    b.reconnection.delay = 50;
    const log = new MessageLog(b, 'message', () => 'group');
    await eventually(() => log.byId.size > 0, 'the join sync');
    const reconnected = new Promise<void>((resolve) => b.onReconnect(() => resolve()));
    const dropped = new Promise<void>((resolve) => b.onDrop(() => resolve()));
    await dropConnection(b);
    await dropped;
    const sent = new Inbox(a, 'message_sent');
    a.send('msg', { text: 'missed while reconnecting' });
    const missed = await sent.next();
    await reconnected;
    await eventually(() => log.byId.has(missed.id), 'the missed message, through the sync');
  });

  it('when an admin bans a connected member, then their connection is closed at once', async () => {
    const eve = await server.http.signUp('eve');
    await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: eve.id }, alice.access_token);
    const room = await joinChat(eve);
    const left = new Promise<number>((resolve) => room.onLeave((code) => resolve(code)));
    const admin = await createAdmin(server, 'root');
    const res = await server.http.post(`/admin/users/${eve.id}/ban`, { reason: 'spam' }, admin.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(await left).to.equal(4401);
    const again = await sdkClient(server, eve)
      .joinOrCreate('chat', { groupId })
      .then(
        () => null,
        (e) => e,
      );
    expect(again?.message).to.match(/^\[(11002|11008)\]/);
  });

  it('when an admin broadcasts into a group, then live members get a system message that is also in the history', async () => {
    const b = await joinChat(bob);
    const inbox = new Inbox(b, 'message');
    const admin = await createAdmin(server, 'root2');
    const res = await server.http.post(
      `/admin/realtime/groups/${groupId}/broadcast`,
      { text: 'maintenance at 22:00' },
      admin.access_token,
    );
    expect(res.status).to.equal(201);
    expect((await inbox.next((m) => m.text === 'maintenance at 22:00')).kind).to.equal('system');
    const live = await server.http.get('/admin/realtime/groups', admin.access_token);
    expect(live.body.items.find((g: any) => g.group_id === groupId)).to.include({ name: 'general' });
    const clients = await server.http.get('/admin/realtime/clients', admin.access_token);
    const bobs = clients.body.items.find((c: any) => c.user_id === bob.id && c.room === 'chat');
    expect(bobs, 'bob is listed').to.include({ address: '127.0.0.1' });
    expect((await server.http.get('/admin/realtime/clients', bob.access_token)).status).to.equal(403);
  });

  it('when a client sends X-Forwarded-For to a server without TRUST_PROXY, then the clients list shows its real address', async () => {
    const forged = { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9' };
    track(await sdkClient(server, carol, forged).joinOrCreate('chat', { groupId }));
    const admin = await createAdmin(server, 'root3');
    const clients = await server.http.get('/admin/realtime/clients', admin.access_token);
    const carols = clients.body.items.find((c: any) => c.user_id === carol.id && c.room === 'chat');
    expect(carols, 'carol is listed').to.include({ address: '127.0.0.1' });
  });
});

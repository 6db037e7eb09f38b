import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/testDatabase.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, createAdmin, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

describe('home room', () => {
  let server: TestServer;
  const rooms: Room[] = [];
  const joinHome = async (session: Session, options: Record<string, unknown> = {}) => {
    const room = await sdkClient(server, session).joinOrCreate('home', options);
    rooms.push(room);
    return room;
  };

  before(async () => {
    server = await startTestServer({ PRESENCE_GRACE: '0.2' });
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(async () => {
    await server.close();
  });

  it('when two devices of one user join home, then they share one actor and a DM reaches both', async () => {
    const [ann, ben] = [await server.http.signUp('ann'), await server.http.signUp('ben')];
    const [phone, laptop] = [await joinHome(ben), await joinHome(ben)];
    expect(phone.roomId).to.equal(laptop.roomId);
    const annHome = await joinHome(ann);
    expect(annHome.roomId).to.not.equal(phone.roomId);
    const [p, l, sent] = [new Inbox(phone, 'dm'), new Inbox(laptop, 'dm'), new Inbox(annHome, 'dm_sent')];
    annHome.send('dm', { to: ben.id, text: 'hi ben' });
    expect((await sent.next()).text).to.equal('hi ben');
    expect((await p.next()).from_user_id).to.equal(ann.id);
    expect((await l.next()).text).to.equal('hi ben');
    const convs = await server.http.get('/chat/dms', ben.access_token);
    expect(convs.body.items[0]).to.include({ user_id: ann.id, unread: 1 });
  });

  it('when a user opens their home, then their device gets its state once and no patch repeating it', async () => {
    const [eve, fay] = [await server.http.signUp('eve'), await server.http.signUp('fay')];
    expect((await server.http.post(`/users/${fay.id}/follow`, undefined, eve.access_token)).status).to.equal(204);
    const room = await sdkClient(server, eve).joinOrCreate('home');
    rooms.push(room);
    let states = 0;
    room.onStateChange(() => states++);
    await eventually(() => room.state.following?.get(String(fay.id))?.username === 'fay', 'the full state');
    // Several of the home's patch ticks (200 ms): the state written when the home opened must not come again.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(states, 'state frames received (the full state, then patches)').to.equal(1);
  });

  it('when a blocked user sends a DM, then it is refused with 30006', async () => {
    const [kim, lee] = [await server.http.signUp('kim'), await server.http.signUp('lee')];
    expect((await server.http.post(`/users/${lee.id}/block`, undefined, kim.access_token)).status).to.equal(204);
    const leeHome = await joinHome(lee);
    const errors = new Inbox(leeHome, 'error');
    leeHome.send('dm', { to: kim.id, text: 'let me in' });
    expect((await errors.next()).error_code).to.equal(30006);
    const res = await server.http.post(`/chat/dms/${kim.id}`, { text: 'rest too' }, lee.access_token);
    expect(res.status).to.equal(403);
    expect(res.body.error.code).to.equal(30006);
  });

  it('when I follow someone, then I see their presence change and an unrelated user does not; invisible looks offline', async () => {
    const [fan, star, other] = [
      await server.http.signUp('fan'),
      await server.http.signUp('star'),
      await server.http.signUp('other'),
    ];
    const fanHome = await joinHome(fan);
    const otherHome = await joinHome(other);
    fanHome.send('follow', { user_id: star.id });
    await eventually(
      () => fanHome.state.following.get(String(star.id))?.status === 'offline',
      'followee listed offline',
    );
    const starHome = await joinHome(star);
    await eventually(() => fanHome.state.following.get(String(star.id))?.status === 'online', 'follower sees online');
    expect(otherHome.state.following.size).to.equal(0);
    const online = await server.http.get('/users/me/friends/online', fan.access_token);
    expect(online.body.items.map((f: any) => f.user_id)).to.deep.equal([star.id]);
    const notifications = await server.http.get('/users/me/followers', star.access_token);
    expect(notifications.body.items.map((f: any) => f.user_id)).to.deep.equal([fan.id]);

    starHome.send('status', { status: 'away' });
    await eventually(() => fanHome.state.following.get(String(star.id))?.status === 'away', 'away');
    starHome.send('status', { status: 'invisible' });
    await eventually(
      () => fanHome.state.following.get(String(star.id))?.status === 'offline',
      'invisible looks offline',
    );
    expect((await server.http.get('/users/me/friends/online', fan.access_token)).body.items).to.deep.equal([]);
    await eventually(() => starHome.state.status === 'invisible', 'my own state keeps what I chose');
    starHome.send('status', { status: 'online' });
    await eventually(() => fanHome.state.following.get(String(star.id))?.status === 'online', 'visible again');
    await starHome.leave();
    await eventually(
      () => fanHome.state.following.get(String(star.id))?.status === 'offline',
      'offline after the grace',
    );
    expect(fanHome.state.following.get(String(star.id))?.lastSeenAt).to.match(/^\d{4}-/);
  });

  it('when a user is followed, invited or sent a notice, then their home receives notifications', async () => {
    const [x, y] = [await server.http.signUp('xavier'), await server.http.signUp('yolanda')];
    const yHome = await joinHome(y);
    const notes = new Inbox(yHome, 'notification');
    await server.http.post(`/users/${y.id}/follow`, undefined, x.access_token);
    expect((await notes.next((n) => n.type === 'followed')).from_user_id).to.equal(x.id);
    const group = await server.http.post('/chat/groups', { name: 'club' }, x.access_token);
    await server.http.post(`/chat/groups/${group.body.id}/invite`, { user_id: y.id }, x.access_token);
    expect((await notes.next((n) => n.type === 'group_invite')).group_id).to.equal(group.body.id);
    const admin = await createAdmin(server, 'boss');
    const sent = await server.http.post(
      `/admin/realtime/users/${y.id}/send`,
      { text: 'hello from ops' },
      admin.access_token,
    );
    expect(sent.body).to.include({ delivered_live: true, stored: true });
    expect((await notes.next((n) => n.type === 'notice')).text).to.equal('hello from ops');
  });

  it('when a user writes to support, then every admin home receives it and an admin answer reaches the user', async () => {
    const user = await server.http.signUp('needy');
    const admin = await createAdmin(server, 'helper');
    const [userHome, adminHome] = [await joinHome(user), await joinHome(admin)];
    const [adminInbox, userInbox] = [new Inbox(adminHome, 'support'), new Inbox(userHome, 'support')];
    expect(
      (await server.http.post('/support/messages', { text: 'my upload fails' }, user.access_token)).status,
    ).to.equal(201);
    expect((await adminInbox.next()).user_id).to.equal(user.id);
    const answer = await server.http.post(
      `/admin/support/conversations/${user.id}/messages`,
      { text: 'looking into it' },
      admin.access_token,
    );
    expect(answer.body.from_admin).to.equal(true);
    expect((await userInbox.next((m) => m.from_admin)).text).to.equal('looking into it');
    const log = await server.http.get('/support/messages', user.access_token);
    expect(log.body.items.map((m: any) => m.text)).to.deep.equal(['looking into it', 'my upload fails']);
    expect((await server.http.get('/admin/support/conversations', user.access_token)).status).to.equal(403);
  });

  it('when a user logs out, then the connections opened with that login are closed at once', async () => {
    const quitter = await server.http.signUp('quitter');
    const home = await joinHome(quitter);
    const left = new Promise<number>((resolve) => home.onLeave((code) => resolve(code)));
    const res = await server.http.post('/auth/logout', undefined, quitter.access_token);
    expect(res.status).to.equal(204);
    expect(await left).to.equal(4401);
  });

  it('when create_group is sent in home, then the group exists and my_groups lists it', async () => {
    const owner = await server.http.signUp('owner');
    const home = await joinHome(owner);
    const [created, mine] = [new Inbox(home, 'group_created'), new Inbox(home, 'my_groups')];
    home.send('create_group', { name: 'from home' });
    const group = await created.next();
    home.send('my_groups', {});
    expect((await mine.next()).items.map((g: any) => g.id)).to.deep.equal([group.id]);
  });
});

describe('offline DM queue', () => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.stop();
    await db?.dispose();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a DM is sent to an offline user, then it is delivered with its original time on next join, also after a server restart', async () => {
    // A restart must keep the data: PostgreSQL keeps it; PGlite needs a data directory on disk here.
    dataDir = usingPostgres ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-dmq-'));
    db = usingPostgres ? await createTestDatabase() : undefined;
    const database = db ? db.target : { kind: 'pglite' as const, dataDir: dataDir! };
    server = await startTestServer({}, { database });
    const [sam, tom, una] = [
      await server.http.signUp('sam'),
      await server.http.signUp('tom'),
      await server.http.signUp('una'),
    ];
    const sent = await server.http.post(`/chat/dms/${tom.id}`, { text: 'while you sleep' }, sam.access_token);
    expect(sent.status).to.equal(201);
    await server.http.post(`/chat/dms/${una.id}`, { text: 'for after the restart' }, sam.access_token);

    const tomHome = await sdkClient(server, tom).joinOrCreate('home');
    const tomInbox = new Inbox(tomHome, 'dm');
    const got = await tomInbox.next();
    expect(got).to.include({ id: sent.body.id, text: 'while you sleep', created_at: sent.body.created_at });
    await leaveQuietly(tomHome);

    await server.stop();
    server = await startTestServer({}, { database });
    const unaLogin = await server.http.signIn('una');
    const unaHome = await sdkClient(server, unaLogin).joinOrCreate('home');
    const unaInbox = new Inbox(unaHome, 'dm');
    expect((await unaInbox.next()).text).to.equal('for after the restart');
    await leaveQuietly(unaHome);

    const tomAgain = await sdkClient(server, await server.http.signIn('tom')).joinOrCreate('home');
    const again = new Inbox(tomAgain, 'dm');
    // The queue goes out during the join: a DM sent after it is the first to arrive unless the queue repeats.
    const samAgain = await server.http.signIn('sam');
    await server.http.post(`/chat/dms/${tom.id}`, { text: 'after you rejoined' }, samAgain.access_token);
    expect((await again.next()).text, 'already delivered DMs are not queued again').to.equal('after you rejoined');
    await leaveQuietly(tomAgain);
  });
});

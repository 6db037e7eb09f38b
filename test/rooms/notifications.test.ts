import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { Inbox, createAdmin, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

/** Follows, invitations, removals and admin notices are stored, delivered on the next home join, listed and marked read. */
describe('stored notifications', () => {
  let server: TestServer;
  let admin: Session, nina: Session, paul: Session;
  const rooms: Room[] = [];
  const joinHome = async (session: Session) => {
    const room = await sdkClient(server, session).joinOrCreate('home');
    rooms.push(room);
    return room;
  };

  before(async () => {
    server = await startTestServer();
    admin = await createAdmin(server, 'root');
    [nina, paul] = [await server.http.signUp('nina'), await server.http.signUp('paul')];
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(async () => {
    await server.close();
  });

  it('when an offline user is followed, invited, removed and sent a notice, then all four wait for them and arrive on the next home join', async () => {
    expect((await server.http.post(`/users/${nina.id}/follow`, undefined, paul.access_token)).status).to.equal(204);
    const group = (await server.http.post('/chat/groups', { name: 'book club' }, paul.access_token)).body.id;
    await server.http.post(`/chat/groups/${group}/invite`, { user_id: nina.id }, paul.access_token);
    expect((await server.http.delete(`/chat/groups/${group}/members/${nina.id}`, paul.access_token)).status).to.equal(
      200,
    );
    const notice = await server.http.post(
      `/admin/realtime/users/${nina.id}/send`,
      { text: 'maintenance tonight' },
      admin.access_token,
    );
    expect(notice.status, JSON.stringify(notice.body)).to.equal(200);
    expect(notice.body).to.include({ delivered_live: false, stored: true });
    expect(notice.body.notification_id).to.be.a('number');

    const home = await joinHome(nina);
    const notes = new Inbox(home, 'notification');
    await eventually(() => notes.items.length === 4, 'the four unread notifications');
    expect(notes.items.map((n) => n.type)).to.deep.equal(['followed', 'group_invite', 'group_removed', 'notice']);
    expect(notes.items.every((n) => typeof n.id === 'number' && n.read === false)).to.equal(true);
    expect(notes.items[1]).to.include({ group_id: group, from_user_id: paul.id });
  });

  it('when notifications are listed and marked read, then pages follow next_cursor and read ones are not delivered again', async () => {
    const page = await server.http.get('/notifications?limit=3', nina.access_token);
    expect(page.status, JSON.stringify(page.body)).to.equal(200);
    expect(page.body.items.map((n: any) => n.type)).to.deep.equal(['notice', 'group_removed', 'group_invite']);
    const rest = await server.http.get(`/notifications?limit=3&cursor=${page.body.next_cursor}`, nina.access_token);
    expect(rest.body.items.map((n: any) => n.type)).to.deep.equal(['followed']);
    expect(rest.body.next_cursor).to.equal(null);
    const unread = await server.http.get('/notifications?unread=true', nina.access_token);
    expect(unread.body.items).to.have.length(4);

    const one = await server.http.post('/notifications/read', { ids: [page.body.items[0].id] }, nina.access_token);
    expect(one.body).to.deep.equal({ marked: 1 });
    expect(
      (await server.http.post('/notifications/read', { ids: [page.body.items[0].id] }, paul.access_token)).body,
    ).to.deep.equal({ marked: 0 });
    const home = await joinHome(nina);
    const notes = new Inbox(home, 'notification');
    await eventually(() => notes.items.length === 3, 'three still unread');
    expect((await server.http.post('/notifications/read', { all: true }, nina.access_token)).body).to.deep.equal({
      marked: 3,
    });
    await leaveQuietly(home);
    const again = await joinHome(nina);
    const none = new Inbox(again, 'notification');
    const groups = new Inbox(again, 'my_groups');
    again.send('my_groups', {});
    await groups.next();
    expect(none.items, 'nothing unread is delivered').to.deep.equal([]);
    expectError(await server.http.post('/notifications/read', {}, nina.access_token), 422, 10001);
  });

  it('when a notice is sent to a connected user, then it arrives live and is stored as well', async () => {
    const home = await joinHome(paul);
    const notes = new Inbox(home, 'notification');
    const sent = await server.http.post(
      `/admin/realtime/users/${paul.id}/send`,
      { text: 'hello live' },
      admin.access_token,
    );
    expect(sent.body).to.include({ delivered_live: true, stored: true });
    const live = await notes.next((n) => n.text === 'hello live');
    expect(live.id).to.equal(sent.body.notification_id);
    const listed = await server.http.get('/notifications', paul.access_token);
    expect(listed.body.items[0]).to.include({ id: live.id, type: 'notice', read: false });
  });
});

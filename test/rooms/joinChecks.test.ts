import { expect } from 'chai';
import { RequestContext } from '@mikro-orm/core';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

const refused = (promise: Promise<Room>, rooms: Room[]) =>
  promise.then(
    (room) => (rooms.push(room), null),
    (err: Error) => err,
  );

/** Every way into a room (joinOrCreate, join, joinById, create, reconnect) is checked against the room itself. */
describe('room joins are checked against the room’s own identity', () => {
  let server: TestServer;
  let mallory: Session, alice: Session, bob: Session;
  let aliceGroup: number, malloryGroup: number;
  const rooms: Room[] = [];

  before(async () => {
    server = await startTestServer({
      ROOM_MAX_CONNECTIONS_PER_USER: '4',
      CHAT_MAX_GROUPS_PER_USER: '3',
      CHAT_GROUPS_PER_HOUR: '4',
    });
    [alice, bob, mallory] = [
      await server.http.signUp('alice'),
      await server.http.signUp('bob'),
      await server.http.signUp('mallory'),
    ];
    aliceGroup = (await server.http.post('/chat/groups', { name: 'alice and bob' }, alice.access_token)).body.id;
    await server.http.post(`/chat/groups/${aliceGroup}/invite`, { user_id: bob.id }, alice.access_token);
    malloryGroup = (await server.http.post('/chat/groups', { name: 'mallory alone' }, mallory.access_token)).body.id;
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(async () => {
    await server.close();
  });

  it('when someone joins another user’s home by its room id, then the join is refused and no DM reaches them', async () => {
    const aliceHome = await sdkClient(server, alice).joinOrCreate('home');
    rooms.push(aliceHome);
    expect(aliceHome.roomId).to.equal(`home-${alice.id}`);
    const err = await refused(sdkClient(server, mallory).joinById(aliceHome.roomId), rooms);
    expect(err?.message).to.match(/^\[11007\]/);
    const created = await sdkClient(server, alice).create('home');
    rooms.push(created);
    expect(created.roomId, 'create cannot fork a second home').to.equal(aliceHome.roomId);
  });

  it('when a non-member joins a chat room by id with options naming their own group, then the join is refused', async () => {
    const room = await sdkClient(server, alice).joinOrCreate('chat', { groupId: aliceGroup });
    rooms.push(room);
    expect(room.roomId).to.equal(`chat-${aliceGroup}`);
    const inbox = new Inbox(room, 'message');
    const byId = await refused(sdkClient(server, mallory).joinById(room.roomId, { groupId: malloryGroup }), rooms);
    expect(byId?.message).to.match(/^\[30002\]/);
    const join = await refused(sdkClient(server, mallory).join('chat', { groupId: aliceGroup }), rooms);
    expect(join?.message).to.match(/^\[30002\]/);
    room.send('msg', { text: 'for members only' });
    await inbox.next((m) => m.text === 'for members only');
    const history = await server.http.get(`/chat/groups/${aliceGroup}/messages`, mallory.access_token);
    expectError(history, 403, 30002);
  });

  it('when a member leaves a group, then they can no longer enter its room by id, and posting is refused by the domain', async () => {
    const carol = await server.http.signUp('carol');
    await server.http.post(`/chat/groups/${aliceGroup}/invite`, { user_id: carol.id }, alice.access_token);
    const room = await sdkClient(server, alice).joinOrCreate('chat', { groupId: aliceGroup });
    rooms.push(room);
    expect((await server.http.post(`/chat/groups/${aliceGroup}/leave`, undefined, carol.access_token)).status).to.equal(
      200,
    );
    const carolsOwn = (await server.http.post('/chat/groups', { name: 'carol’s' }, carol.access_token)).body.id;
    const err = await refused(sdkClient(server, carol).joinById(room.roomId, { groupId: carolsOwn }), rooms);
    expect(err?.message).to.match(/^\[30002\]/);
    const posted = await RequestContext.create(server.services.orm.em, () =>
      server.services.chat
        .post(aliceGroup, { userId: carol.id, username: 'carol' }, { kind: 'msg', text: 'sneaky' })
        .then(
          () => null,
          (e) => e,
        ),
    );
    expect(posted?.code).to.equal(30002);
  });

  it('when a member calls create for a group whose room exists, then they land in that one room', async () => {
    const first = await sdkClient(server, alice).joinOrCreate('chat', { groupId: aliceGroup });
    rooms.push(first);
    const second = await sdkClient(server, bob).create('chat', { groupId: aliceGroup });
    rooms.push(second);
    expect(second.roomId).to.equal(first.roomId);
    const inbox = new Inbox(first, 'message');
    second.send('msg', { text: 'same room' });
    await inbox.next((m) => m.text === 'same room');
  });

  it('when one user opens more connections than allowed, then the extra join is refused with 30020', async () => {
    const dan = await server.http.signUp('dan');
    const client = sdkClient(server, dan);
    for (let i = 0; i < 4; i++) rooms.push(await client.joinOrCreate('home'));
    const err = await refused(client.joinOrCreate('home'), rooms);
    expect(err?.message).to.match(/^\[30020\]/);
    await rooms.pop()!.leave();
    rooms.push(await client.joinOrCreate('home'));
  });

  it('when a user creates groups beyond the cap or too fast, then 30019 and 429 with Retry-After', async () => {
    const eve = await server.http.signUp('eve');
    for (let i = 0; i < 3; i++)
      expect((await server.http.post('/chat/groups', { name: `g${i}` }, eve.access_token)).status).to.equal(201);
    expectError(await server.http.post('/chat/groups', { name: 'one too many' }, eve.access_token), 409, 30019);
    const fay = await server.http.signUp('fay');
    for (let i = 0; i < 3; i++) {
      const created = await server.http.post('/chat/groups', { name: `f${i}` }, fay.access_token);
      await server.http.post(`/chat/groups/${created.body.id}/leave`, undefined, fay.access_token);
    }
    const home = await sdkClient(server, fay).joinOrCreate('home');
    rooms.push(home);
    const [created, errors] = [new Inbox(home, 'group_created'), new Inbox(home, 'error')];
    home.send('create_group', { name: 'fourth this hour' });
    await created.next();
    home.send('create_group', { name: 'fifth this hour' });
    expect((await errors.next()).error_code).to.equal(10005);
    const rest = await server.http.post('/chat/groups', { name: 'sixth' }, fay.access_token);
    expectError(rest, 429, 10005);
    expect(Number(rest.headers.get('retry-after'))).to.be.greaterThan(0);
  });
});

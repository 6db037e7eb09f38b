import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { Inbox, createAdmin, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

/** Private and open groups, invitations, removal, ownership and what newcomers may read. */
describe('chat group visibility and membership', () => {
  let server: TestServer;
  let admin: Session, owner: Session, member: Session, outsider: Session;
  const rooms: Room[] = [];
  const joinChat = async (session: Session, groupId: number) => {
    const room = await sdkClient(server, session).joinOrCreate('chat', { groupId });
    rooms.push(room);
    return room;
  };

  before(async () => {
    server = await startTestServer();
    admin = await createAdmin(server, 'root');
    [owner, member, outsider] = [
      await server.http.signUp('owen'),
      await server.http.signUp('mia'),
      await server.http.signUp('otis'),
    ];
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(async () => {
    await server.close();
  });

  it('when a group is created without a visibility, then it is private: joining needs an invitation from a member or an admin', async () => {
    const group = await server.http.post('/chat/groups', { name: 'secret club' }, owner.access_token);
    expect(group.body).to.include({ visibility: 'private', history_visible_to_new_members: true });
    expectError(
      await server.http.post(`/chat/groups/${group.body.id}/join`, undefined, outsider.access_token),
      403,
      30018,
    );
    expectError(await server.http.get(`/chat/groups/${group.body.id}/messages`, outsider.access_token), 403, 30002);
    expectError(
      await server.http.post(`/chat/groups/${group.body.id}/invite`, { user_id: outsider.id }, member.access_token),
      403,
      30002,
    );
    expect(
      (await server.http.post(`/chat/groups/${group.body.id}/invite`, { user_id: member.id }, owner.access_token))
        .status,
    ).to.equal(200);
    expect(
      (await server.http.post(`/chat/groups/${group.body.id}/invite`, { user_id: outsider.id }, admin.access_token))
        .status,
    ).to.equal(200);
    const detail = await server.http.get(`/chat/groups/${group.body.id}`, outsider.access_token);
    expect(detail.body.members.map((m: any) => m.user_id)).to.have.members([owner.id, member.id, outsider.id]);
  });

  it('when a group is open, then anyone may join it and discover lists it by name, a page at a time', async () => {
    const names = ['Hiking Berlin', 'Hiking Munich', 'Hiking Hamburg', 'Chess'];
    for (const name of names)
      expect(
        (await server.http.post('/chat/groups', { name, visibility: 'open' }, owner.access_token)).status,
      ).to.equal(201);
    await server.http.post('/chat/groups', { name: 'Hiking (private)' }, owner.access_token);
    const first = await server.http.get('/chat/groups/discover?q=hiking&limit=2', outsider.access_token);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    expect(first.body.items).to.have.length(2);
    expect(first.body.next_cursor).to.be.a('string');
    const second = await server.http.get(
      `/chat/groups/discover?q=hiking&limit=2&cursor=${first.body.next_cursor}`,
      outsider.access_token,
    );
    const found = [...first.body.items, ...second.body.items].map((g: any) => g.name);
    expect(found).to.have.members(['Hiking Berlin', 'Hiking Munich', 'Hiking Hamburg']);
    expect(second.body.next_cursor).to.equal(null);
    expect(first.body.items[0]).to.include({ visibility: 'open' }).and.have.property('member_count', 1);
    const joined = await server.http.post(
      `/chat/groups/${first.body.items[0].id}/join`,
      undefined,
      outsider.access_token,
    );
    expect(joined.status).to.equal(200);
    expectError(await server.http.get('/chat/groups/discover?cursor=garbage', outsider.access_token), 422, 10001);
  });

  it('when the owner removes a member, then their connections to the room close with 4403, a system message records it and they are told', async () => {
    const group = (await server.http.post('/chat/groups', { name: 'strict' }, owner.access_token)).body.id;
    await server.http.post(`/chat/groups/${group}/invite`, { user_id: member.id }, owner.access_token);
    await server.http.post(`/chat/groups/${group}/invite`, { user_id: outsider.id }, owner.access_token);
    const [ownerRoom, memberRoom] = [await joinChat(owner, group), await joinChat(member, group)];
    const memberHome = await sdkClient(server, member).joinOrCreate('home');
    rooms.push(memberHome);
    const [notes, ownerMessages] = [new Inbox(memberHome, 'notification'), new Inbox(ownerRoom, 'message')];
    const closed = new Promise<number>((resolve) => memberRoom.onLeave((code) => resolve(code)));
    expectError(
      await server.http.delete(`/chat/groups/${group}/members/${member.id}`, outsider.access_token),
      403,
      11007,
    );
    const res = await server.http.delete(`/chat/groups/${group}/members/${member.id}`, owner.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(await closed).to.equal(4403);
    expect((await ownerMessages.next((m) => m.kind === 'system' && m.text.includes('removed'))).text).to.include('mia');
    expect((await notes.next((n) => n.type === 'group_removed')).group_id).to.equal(group);
    const again = await sdkClient(server, member)
      .joinOrCreate('chat', { groupId: group })
      .then(
        (r) => (rooms.push(r), null),
        (e) => e,
      );
    expect(again?.message).to.match(/^\[30002\]/);
    expect(
      (await server.http.delete(`/chat/groups/${group}/members/${outsider.id}`, admin.access_token)).status,
      'admins may remove too',
    ).to.equal(200);
  });

  it('when ownership is transferred, or the last owner leaves, then the new owner may manage the group', async () => {
    const group = (await server.http.post('/chat/groups', { name: 'handover' }, owner.access_token)).body.id;
    await server.http.post(`/chat/groups/${group}/invite`, { user_id: member.id }, owner.access_token);
    await server.http.post(`/chat/groups/${group}/invite`, { user_id: outsider.id }, owner.access_token);
    expectError(
      await server.http.post(`/chat/groups/${group}/owner`, { user_id: outsider.id }, member.access_token),
      403,
      11007,
    );
    const moved = await server.http.post(`/chat/groups/${group}/owner`, { user_id: outsider.id }, owner.access_token);
    expect(moved.status, JSON.stringify(moved.body)).to.equal(200);
    expect(moved.body.owner_id).to.equal(outsider.id);
    expectError(
      await server.http.patch(`/chat/groups/${group}`, { name: 'not yours' }, owner.access_token),
      403,
      11007,
    );
    // The owner leaves: the longest-standing remaining member (owen, the creator) becomes owner.
    expect((await server.http.post(`/chat/groups/${group}/leave`, undefined, outsider.access_token)).status).to.equal(
      200,
    );
    const detail = await server.http.get(`/chat/groups/${group}`, owner.access_token);
    expect(detail.body.owner_id).to.equal(owner.id);
    const history = await server.http.get(`/chat/groups/${group}/messages`, owner.access_token);
    expect(history.body.items.map((m: any) => m.text).join('\n')).to.include('now owns');
  });

  it('when a private group hides history from newcomers, then someone invited later reads only what came after they joined', async () => {
    const hidden = (
      await server.http.post(
        '/chat/groups',
        { name: 'hidden past', history_visible_to_new_members: false },
        owner.access_token,
      )
    ).body;
    expect(hidden.history_visible_to_new_members).to.equal(false);
    const shown = (await server.http.post('/chat/groups', { name: 'open past' }, owner.access_token)).body;
    for (const g of [hidden, shown]) {
      const room = await joinChat(owner, g.id);
      const sent = new Inbox(room, 'message_sent');
      room.send('msg', { text: `before ${g.name}` });
      await sent.next();
      await server.http.post(`/chat/groups/${g.id}/invite`, { user_id: member.id }, owner.access_token);
      room.send('msg', { text: `after ${g.name}` });
      await sent.next((m) => m.text === `after ${g.name}`);
    }
    const hiddenTexts = (
      await server.http.get(`/chat/groups/${hidden.id}/messages`, member.access_token)
    ).body.items.map((m: any) => m.text);
    expect(hiddenTexts).to.include('after hidden past').and.not.include('before hidden past');
    const shownTexts = (await server.http.get(`/chat/groups/${shown.id}/messages`, member.access_token)).body.items.map(
      (m: any) => m.text,
    );
    expect(shownTexts).to.include('before open past');
    const memberRoom = await joinChat(member, hidden.id);
    const sync = await new Inbox(memberRoom, 'sync').next();
    expect(sync.items.map((m: any) => m.text)).to.not.include('before hidden past');
  });
});

import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, eventually, joinChatAs, leaveQuietly } from '../helpers/realtime.ts';

describe('chat members of a group larger than CHAT_STATE_MEMBERS_MAX', () => {
  let server: TestServer;
  let owner: Session, second: Session, third: Session;
  let groupId: number;
  const rooms: Room[] = [];

  const joinChat = (session: Session) => joinChatAs(server, session, groupId, rooms);

  before(async function () {
    this.timeout(60_000);
    server = await startTestServer({ CHAT_STATE_MEMBERS_MAX: '2' });
    [owner, second, third] = [
      await server.http.signUp('owner'),
      await server.http.signUp('second'),
      await server.http.signUp('third'),
    ];
    groupId = (await server.http.post('/chat/groups', { name: 'big' }, owner.access_token)).body.id;
    for (const invited of [second, third])
      await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: invited.id }, owner.access_token);
  });

  after(async () => {
    await Promise.all(rooms.map((r) => leaveQuietly(r)));
    await server.close();
  });

  it('when a member joins, then the state has no member map but membersPaged and memberCount, and `members` pages list every member once with who is here', async () => {
    const a = await joinChat(owner);
    const b = await joinChat(second);
    await eventually(() => b.state.memberCount === 3, 'memberCount');
    expect(b.state.membersPaged).to.equal(true);
    expect(b.state.members.size).to.equal(0);

    const pages = new Inbox(b, 'members');
    b.send('members', { limit: 2 });
    const first = await pages.next();
    expect(first.items).to.have.length(2);
    b.send('members', { after: first.next_after, limit: 2 });
    const last = await pages.next((p) => p !== first);
    expect(last.next_after).to.equal(null);
    const listed = [...first.items, ...last.items];
    expect(listed.map((m: { user_id: number }) => m.user_id)).to.deep.equal(
      [owner.id, second.id, third.id].sort((x, y) => x - y),
    );
    const online = Object.fromEntries(listed.map((m: { user_id: number; online: boolean }) => [m.user_id, m.online]));
    expect(online).to.deep.equal({ [owner.id]: true, [second.id]: true, [third.id]: false });
    expect(listed.find((m: { user_id: number }) => m.user_id === third.id)).to.include({ username: 'third' });

    // Messages flow as in any room.
    const inbox = new Inbox(b, 'message');
    a.send('msg', { text: 'to a big group' });
    await inbox.next((m) => m.text === 'to a big group');
  });

  it('when a member is removed, then their connection closes with 4403 although the state lists no members', async () => {
    const c = await joinChat(third);
    const closed = new Promise<number>((resolve) => c.onLeave((code) => resolve(code)));
    const removed = await server.http.delete(`/chat/groups/${groupId}/members/${third.id}`, owner.access_token);
    expect(removed.status, JSON.stringify(removed.body)).to.be.oneOf([200, 204]);
    expect(await closed).to.equal(4403);
  });
});

import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import type { TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, eventually } from '../helpers/realtime.ts';
import { roomsLeftAfterEach, startChatWorld } from '../helpers/chatGroup.ts';

describe('read receipts', () => {
  let server: TestServer;
  let alice: Session, bob: Session, carol: Session;
  let groupId: number;
  const { join, leaveAll } = roomsLeftAfterEach(() => server);
  const readBy = (room: Room, user: Session) => room.state?.members?.get(String(user.id))?.lastReadId;

  before(async () => {
    ({
      server,
      users: [alice, bob, carol],
      groupId,
    } = await startChatWorld({
      users: ['alice', 'bob', 'carol'],
      group: { name: 'receipts', members: ['bob', 'carol'] },
    }));
  });
  after(() => server?.close());

  it('when a member reads a group message, then every other member sees their read cursor move, and a later join sees it too', async () => {
    const [a, b, c] = [
      await join(alice, 'chat', { groupId }),
      await join(bob, 'chat', { groupId }),
      await join(carol, 'chat', { groupId }),
    ];
    const bobMessages = new Inbox(b, 'message');
    a.send('msg', { text: 'did you read this?' });
    const message = await bobMessages.next((m) => m.text === 'did you read this?');
    expect(readBy(a, bob)).to.be.below(message.id);
    b.send('read', { message_id: message.id });
    await eventually(() => readBy(a, bob) === message.id, 'alice sees bob read it');
    await eventually(() => readBy(c, bob) === message.id, 'carol sees bob read it');
    expect(readBy(a, carol)).to.be.below(message.id);

    await leaveAll();
    const later = await join(carol, 'chat', { groupId });
    await eventually(() => readBy(later, bob) === message.id, 'the cursor is in the state a new join receives');
  });

  it('when the recipient reads my DMs (home or REST), then my home gets dm_seen and the history shows them read', async () => {
    const aliceHome = await join(alice, 'home');
    const seen = new Inbox(aliceHome, 'dm_seen');
    const first = (await server.http.post(`/chat/dms/${bob.id}`, { text: 'one' }, alice.access_token)).body;
    const second = (await server.http.post(`/chat/dms/${bob.id}`, { text: 'two' }, alice.access_token)).body;
    const bobHome = await join(bob, 'home');
    bobHome.send('dm_read', { user_id: alice.id });
    expect(await seen.next()).to.include({ user_id: bob.id, up_to_id: second.id });
    const history = await server.http.get(`/chat/dms/${bob.id}/messages`, alice.access_token);
    for (const id of [first.id, second.id])
      expect(history.body.items.find((m: { id: number }) => m.id === id).read).to.equal(true);

    const third = (await server.http.post(`/chat/dms/${carol.id}`, { text: 'three' }, alice.access_token)).body;
    const marked = await server.http.post(`/chat/dms/${alice.id}/read`, undefined, carol.access_token);
    expect(marked.body).to.deep.equal({ marked: 1 });
    expect(await seen.next((s) => s.user_id === carol.id)).to.include({ up_to_id: third.id });
  });
});

import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { mentionedUsernames } from '../../src/domain/realtime/mentions.ts';

describe('mentions in group messages', () => {
  let server: TestServer;
  let alice: Session, bob: Session, carol: Session;
  let groupId: number;
  const rooms: Room[] = [];
  const join = async (session: Session, name: string, options: Record<string, unknown> = {}) => {
    const room = await sdkClient(server, session).joinOrCreate(name, options);
    rooms.push(room);
    return room;
  };
  const mentionsOf = async (who: Session) => {
    const res = await server.http.get('/notifications?limit=100', who.access_token);
    return (res.body.items as { type: string; text: string; from_user_id: number; group_id: number }[]).filter(
      (n) => n.type === 'mention',
    );
  };

  before(async () => {
    server = await startTestServer();
    [alice, bob, carol] = [
      await server.http.signUp('alice'),
      await server.http.signUp('bob'),
      await server.http.signUp('carol'),
    ];
    groupId = (await server.http.post('/chat/groups', { name: 'mentions' }, alice.access_token)).body.id;
    await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: bob.id }, alice.access_token);
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(() => server?.close());

  it('when a message mentions @bob, then bob’s home gets a stored mention notification; a non-member and the author get none', async () => {
    const bobHome = await join(bob, 'home');
    const live = new Inbox(bobHome, 'notification');
    const chat = await join(alice, 'chat', { groupId });
    const sent = new Inbox(chat, 'message_sent');
    chat.send('msg', { text: 'hey @Bob and @carol and @alice, look' });
    await sent.next();
    const notification = await live.next((n) => n.type === 'mention');
    expect(notification).to.include({ from_user_id: alice.id, group_id: groupId });
    expect(notification.text).to.contain('alice mentioned you in mentions');
    expect(await mentionsOf(bob)).to.have.length(1);
    expect(await mentionsOf(carol)).to.have.length(0);
    expect(await mentionsOf(alice)).to.have.length(0);
  });

  it('when text holds e-mail addresses or repeats a name, then only real mentions count, once each', () => {
    expect(mentionedUsernames('mail bob@example.com, ping @bob @BOB and @carol.')).to.deep.equal(['bob', 'carol']);
    expect(mentionedUsernames('@ab is too short')).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import type { TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox } from '../helpers/realtime.ts';
import { roomsLeftAfterEach, startChatWorld } from '../helpers/chatGroup.ts';
import { mentionedUsernames } from '../../src/domain/realtime/mentions.ts';

describe('mentions in group messages', () => {
  let server: TestServer;
  let alice: Session, bob: Session, carol: Session;
  let groupId: number;
  const { join } = roomsLeftAfterEach(() => server);
  const mentionsOf = async (who: Session) => {
    const res = await server.http.get('/notifications?limit=100', who.access_token);
    return (res.body.items as { type: string; text: string; from_user_id: number; group_id: number }[]).filter(
      (n) => n.type === 'mention',
    );
  };

  before(async () => {
    ({
      server,
      users: [alice, bob, carol],
      groupId,
    } = await startChatWorld({ users: ['alice', 'bob', 'carol'], group: { name: 'mentions', members: ['bob'] } }));
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

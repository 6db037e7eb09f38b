import { expect } from 'chai';
import type { TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { Inbox } from '../helpers/realtime.ts';
import { roomsLeftAfterEach, startChatWorld } from '../helpers/chatGroup.ts';

describe('editing and deleting direct messages', () => {
  let server: TestServer;
  let ann: Session, ben: Session, cy: Session;
  const { join } = roomsLeftAfterEach(() => server);
  const joinHome = (session: Session) => join(session, 'home');
  const send = async (from: Session, to: Session, text: string) => {
    const res = await server.http.post(`/chat/dms/${to.id}`, { text }, from.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: number };
  };

  before(async () => {
    ({
      server,
      users: [ann, ben, cy],
    } = await startChatWorld({ users: ['ann', 'ben', 'cyd'] }));
  });
  after(() => server?.close());

  it('when the author edits and deletes a DM in home, then both users’ devices get the change and the history shows it deleted', async () => {
    const [annHome, benPhone, benLaptop] = [await joinHome(ann), await joinHome(ben), await joinHome(ben)];
    const [annUpdates, benUpdates, laptopDeletes, annDeletes] = [
      new Inbox(annHome, 'dm_updated'),
      new Inbox(benPhone, 'dm_updated'),
      new Inbox(benLaptop, 'dm_deleted'),
      new Inbox(annHome, 'dm_deleted'),
    ];
    const sent = new Inbox(annHome, 'dm_sent');
    annHome.send('dm', { to: ben.id, text: 'helo' });
    const original = await sent.next();
    annHome.send('dm_edit', { message_id: original.id, text: 'hello' });
    const edited = await benUpdates.next();
    expect(edited).to.include({ id: original.id, text: 'hello', deleted: false });
    expect(edited.edited_at).to.be.a('string');
    expect((await annUpdates.next()).text).to.equal('hello');

    annHome.send('dm_delete', { message_id: original.id });
    expect(await laptopDeletes.next()).to.include({ id: original.id, text: '', deleted: true });
    await annDeletes.next();

    const history = await server.http.get(`/chat/dms/${ann.id}/messages`, ben.access_token);
    const row = history.body.items.find((m: { id: number }) => m.id === original.id);
    expect(row).to.include({ deleted: true, text: '' });
    const conversations = await server.http.get('/chat/dms', ben.access_token);
    expect(conversations.body.items[0].last_message.text).to.equal('');
  });

  it('when the recipient or a stranger tries to change a DM, then 30005 and 30004 refuse it and nothing changes', async () => {
    const dm = await send(ann, ben, 'mine');
    const benHome = await joinHome(ben);
    const errors = new Inbox(benHome, 'error');
    benHome.send('dm_edit', { message_id: dm.id, text: 'hijack' });
    expect((await errors.next()).error_code).to.equal(30005);

    expectError(await server.http.patch(`/chat/dm-messages/${dm.id}`, { text: 'x' }, ben.access_token), 403, 30005);
    expectError(await server.http.delete(`/chat/dm-messages/${dm.id}`, ben.access_token), 403, 30005);
    expectError(await server.http.delete(`/chat/dm-messages/${dm.id}`, cy.access_token), 404, 30004);
    const history = await server.http.get(`/chat/dms/${ben.id}/messages`, ann.access_token);
    expect(history.body.items.find((m: { id: number }) => m.id === dm.id)).to.include({ text: 'mine', deleted: false });
  });

  it('when the author edits and deletes a DM over REST, then the recipient’s home hears it and a deleted DM cannot be changed again', async () => {
    const dm = await send(ann, ben, 'over rest');
    const benHome = await joinHome(ben);
    const [updates, deletes] = [new Inbox(benHome, 'dm_updated'), new Inbox(benHome, 'dm_deleted')];
    const edited = await server.http.patch(`/chat/dm-messages/${dm.id}`, { text: 'over REST' }, ann.access_token);
    expect(edited.status, JSON.stringify(edited.body)).to.equal(200);
    expect(edited.body).to.include({ text: 'over REST', deleted: false });
    expect((await updates.next()).text).to.equal('over REST');
    const removed = await server.http.delete(`/chat/dm-messages/${dm.id}`, ann.access_token);
    expect(removed.body).to.include({ deleted: true, text: '' });
    expect((await deletes.next()).id).to.equal(dm.id);
    expectError(await server.http.delete(`/chat/dm-messages/${dm.id}`, ann.access_token), 404, 30004);
  });
});

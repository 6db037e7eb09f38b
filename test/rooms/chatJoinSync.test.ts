import { expect } from 'chai';
import type { TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { Inbox } from '../helpers/realtime.ts';
import { roomsLeftAfterEach, startChatWorld } from '../helpers/chatGroup.ts';
import { form, PDF_BYTES, upload } from '../helpers/boards.ts';

/** The `sync` a fresh join gets is read in one statement: it must show exactly what the history shows. */
describe('the latest messages a join receives', () => {
  let server: TestServer;
  let alice: Session, bob: Session, carol: Session;
  let groupId: number;
  const { join, leaveAll } = roomsLeftAfterEach(() => server);

  before(async () => {
    ({
      server,
      users: [alice, bob, carol],
      groupId,
    } = await startChatWorld({
      users: ['alice', 'bob', 'carol'],
      group: { name: 'window', members: ['bob', 'carol'] },
    }));
  });
  after(() => server?.close());

  it('when a member joins, then the sync holds the history’s latest messages in order: edits, deletions, files, and only their own room_dms', async () => {
    const file = await upload(
      server,
      '/files',
      form('file', [{ name: 'a.pdf', bytes: PDF_BYTES }]),
      alice.access_token,
    );
    expect(file.status, JSON.stringify(file.body)).to.equal(201);
    const room = await join(alice, 'chat', { groupId });
    const sent = new Inbox(room, 'message_sent');
    const changed = new Inbox(room, 'message_updated');
    const gone = new Inbox(room, 'message_deleted');
    room.send('msg', { text: 'with a file', file_ids: [file.body.id] });
    room.send('msg', { text: 'to edit' });
    room.send('msg', { text: 'to delete' });
    room.send('room_dm', { to: bob.id, text: 'for bob only' });
    room.send('room_dm', { to: carol.id, text: 'for carol only' });
    await sent.next(() => sent.items.length >= 5);
    const byText = (text: string) => sent.items.find((m) => m.text === text).id as number;
    room.send('edit', { message_id: byText('to edit'), text: 'edited' });
    room.send('delete', { message_id: byText('to delete') });
    await Promise.all([changed.next(), gone.next()]);
    await leaveAll();

    const bobRoom = await join(bob, 'chat', { groupId });
    const sync = await new Inbox(bobRoom, 'sync').next();
    const history = await server.http.get(`/chat/groups/${groupId}/messages?limit=50`, bob.access_token);
    expect(sync.items, 'the same messages, fields and order as the history (oldest first)').to.deep.equal(
      history.body.items.reverse(),
    );
    const texts = sync.items.map((m: { text: string }) => m.text);
    expect(texts).to.include.members(['with a file', 'edited', '', 'for bob only']);
    expect(texts).not.to.include('for carol only');
    expect(sync.items.find((m: { text: string }) => m.text === 'with a file').file_ids).to.deep.equal([file.body.id]);
    expect(sync.items.find((m: { deleted: boolean }) => m.deleted).file_ids).to.deep.equal([]);
    expect(sync.has_more).to.equal(false);
  });
});

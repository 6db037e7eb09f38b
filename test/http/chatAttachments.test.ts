import { expect } from 'chai';
import type { TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { Inbox } from '../helpers/realtime.ts';
import { roomsLeftAfterEach, startChatWorld } from '../helpers/chatGroup.ts';
import { form, PDF_BYTES, upload } from '../helpers/boards.ts';

describe('files attached to chat messages and DMs', () => {
  let server: TestServer;
  let alice: Session, bob: Session, carol: Session;
  let groupId: number;
  const { join } = roomsLeftAfterEach(() => server);

  const uploadFile = async (owner: Session, name: string) => {
    const res = await upload(server, '/files', form('file', [{ name, bytes: PDF_BYTES }]), owner.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as number;
  };
  const read = (who: Session, fileId: number) => server.http.get(`/files/${fileId}`, who.access_token);

  before(async () => {
    ({
      server,
      users: [alice, bob, carol],
      groupId,
    } = await startChatWorld({ users: ['alice', 'bob', 'carol'], group: { name: 'files', members: ['bob'] } }));
  });
  after(() => server?.close());

  it('when a group message carries my file, then members read it, a non-member gets 404, and deleting the message hides it', async () => {
    const fileId = await uploadFile(alice, 'plan.pdf');
    expectError(await read(bob, fileId), 404, 42001);
    const room = await join(alice, 'chat', { groupId });
    const [sent, deleted] = [new Inbox(room, 'message_sent'), new Inbox(room, 'message_deleted')];
    room.send('msg', { text: 'the plan', file_ids: [fileId] });
    const message = await sent.next();
    expect(message.file_ids).to.deep.equal([fileId]);
    const history = await server.http.get(`/chat/groups/${groupId}/messages`, bob.access_token);
    expect(history.body.items.find((m: { id: number }) => m.id === message.id).file_ids).to.deep.equal([fileId]);

    expect((await read(bob, fileId)).status).to.equal(200);
    expectError(await read(carol, fileId), 404, 42001);

    room.send('delete', { message_id: message.id });
    await deleted.next();
    expectError(await read(bob, fileId), 404, 42001);
    expect((await read(alice, fileId)).status).to.equal(200);
  });

  it('when a DM carries my file, then the two users read it and nobody else does', async () => {
    const fileId = await uploadFile(alice, 'for-bob.pdf');
    const dm = await server.http.post(`/chat/dms/${bob.id}`, { text: 'here', file_ids: [fileId] }, alice.access_token);
    expect(dm.status, JSON.stringify(dm.body)).to.equal(201);
    expect(dm.body.file_ids).to.deep.equal([fileId]);
    const history = await server.http.get(`/chat/dms/${alice.id}/messages`, bob.access_token);
    expect(history.body.items.find((m: { id: number }) => m.id === dm.body.id).file_ids).to.deep.equal([fileId]);
    expect((await read(bob, fileId)).status).to.equal(200);
    expectError(await read(carol, fileId), 404, 42001);
  });

  it('when a message names someone else’s file or one already attached, then it is refused and nothing is stored', async () => {
    const bobsFile = await uploadFile(bob, 'bobs.pdf');
    expectError(
      await server.http.post(`/chat/dms/${carol.id}`, { text: 'steal', file_ids: [bobsFile] }, alice.access_token),
      404,
      42001,
    );
    const mine = await uploadFile(alice, 'once.pdf');
    await server.http.post(`/chat/dms/${bob.id}`, { text: 'first', file_ids: [mine] }, alice.access_token);
    const again = await server.http.post(
      `/chat/dms/${carol.id}`,
      { text: 'twice', file_ids: [mine] },
      alice.access_token,
    );
    expectError(again, 409, 30021);
    const toCarol = await server.http.get(`/chat/dms/${alice.id}/messages`, carol.access_token);
    expect(toCarol.body.items.map((m: { text: string }) => m.text)).to.not.include('twice');
    expectError(await read(carol, mine), 404, 42001);
  });
});

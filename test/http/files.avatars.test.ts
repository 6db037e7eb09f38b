import { expect } from 'chai';
import { RequestContext } from '@mikro-orm/core';
import { expectError, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin, createBoard, createPost, form, PDF_BYTES, PNG_1X1, upload } from '../helpers/boards.ts';

describe('avatars', () => {
  let server: TestServer;
  let admin: Session;
  let alice: Session;
  let mallory: Session;
  let bob: Session;

  const uploadPng = async (who: Session, name = 'me.png') => {
    const res = await upload(server, '/files', form('file', [{ name, bytes: PNG_1X1 }]), who.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: number };
  };
  const setAvatar = (who: Session, fileId: number | null) =>
    server.http.patch('/users/me', { avatar_file_id: fileId }, who.access_token);

  before(async () => {
    server = await startTestServer();
    admin = await createAdmin(server, 'avataradmin');
    alice = await server.http.signUp('alice');
    mallory = await server.http.signUp('mallory');
    bob = await server.http.signUp('bob');
  });
  after(() => server?.close());

  it("when Mallory points her avatar at Alice's private upload, then 404 and the file stays unreadable to her", async () => {
    const secret = await uploadPng(alice, 'private.png');
    expectError(await setAvatar(mallory, secret.id), 404, 42001);
    expect((await server.http.get('/users/me', mallory.access_token)).body.avatar_file_id).to.equal(null);
    expectError(await server.http.get(`/files/${secret.id}`, mallory.access_token), 404, 42001);
  });

  it('when an avatar names a file that does not exist, then 404', async () => {
    expectError(await setAvatar(alice, 999999), 404, 42001);
  });

  it('when my avatar is a PDF, then 422 avatar-invalid', async () => {
    const pdf = await upload(
      server,
      '/files',
      form('file', [{ name: 'cv.pdf', bytes: PDF_BYTES }]),
      alice.access_token,
    );
    expectError(await setAvatar(alice, pdf.body.id), 422, 42008);
  });

  it('when my avatar is my attachment on a restricted board, then 422: an avatar never widens who reads an attachment', async () => {
    const vault = await createBoard(server, admin, { name: 'Avatar vault', access: 'restricted' });
    await server.http.put(
      `/boards/${vault.id}/access/${alice.id}`,
      { read: true, write: true, comment: true, upload: true },
      admin.access_token,
    );
    const post = await createPost(server, alice, vault.id, 'Inside');
    const att = await upload(
      server,
      `/posts/${post.id}/attachments`,
      form('files', [{ name: 'inside.png', bytes: PNG_1X1 }]),
      alice.access_token,
    );
    expect(att.status, JSON.stringify(att.body)).to.equal(201);
    expectError(await setAvatar(alice, att.body.items[0].id), 422, 42008);
    expectError(await server.http.get(`/files/${att.body.items[0].id}`, bob.access_token), 404, 42001);
  });

  it('when I set my own image as avatar, then signed-in users read it, anonymous callers do not, and changing it makes the old one private again', async () => {
    const first = await uploadPng(alice, 'first.png');
    const set = await setAvatar(alice, first.id);
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    expect(set.body.avatar_file_id).to.equal(first.id);
    expect((await server.http.get(`/users/${alice.id}`, bob.access_token)).body.avatar_file_id).to.equal(first.id);
    expect((await server.http.get(`/files/${first.id}`, bob.access_token)).status).to.equal(200);
    expectError(await server.http.get(`/files/${first.id}`), 404, 42001);

    const second = await uploadPng(alice, 'second.png');
    expect((await setAvatar(alice, second.id)).status).to.equal(200);
    expectError(await server.http.get(`/files/${first.id}`, bob.access_token), 404, 42001);
    expect((await server.http.get(`/files/${second.id}`, bob.access_token)).status).to.equal(200);

    expect((await setAvatar(alice, null)).body.avatar_file_id).to.equal(null);
    expectError(await server.http.get(`/files/${second.id}`, bob.access_token), 404, 42001);
  });

  it('when an avatar file row goes away by any path, then the database clears the avatar (foreign key)', async () => {
    const pic = await uploadPng(bob, 'bob.png');
    expect((await setAvatar(bob, pic.id)).status).to.equal(200);
    const em = server.services.orm.em.fork();
    await em.execute('delete from files where id = ?', [pic.id]);
    expect((await server.http.get('/users/me', bob.access_token)).body.avatar_file_id).to.equal(null);
  });

  it('when I delete my avatar file, then my avatar is cleared and the file is gone', async () => {
    const pic = await uploadPng(alice, 'gone.png');
    await setAvatar(alice, pic.id);
    expect((await server.http.delete(`/files/${pic.id}`, alice.access_token)).status).to.equal(204);
    expect((await server.http.get('/users/me', alice.access_token)).body.avatar_file_id).to.equal(null);
    expect(
      await RequestContext.create(server.services.orm.em, () => server.services.users.getPublic(alice.id)),
    ).to.include({ avatar_file_id: null });
  });
});

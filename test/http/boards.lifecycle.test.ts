import { expect } from 'chai';
import { expectError, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin, createBoard, createPost, form, PNG_1X1, upload } from '../helpers/boards.ts';

describe('boards: soft delete, restore and case-insensitive names', () => {
  let server: TestServer;
  let admin: Session;
  let alice: Session;

  before(async () => {
    server = await startTestServer();
    admin = await createAdmin(server, 'lifecycleadmin');
    alice = await server.http.signUp('alice');
  });
  after(() => server?.close());

  it('when an admin deletes a board, then it and its posts, comments and attachments answer 404 to users; admins still read it', async () => {
    const board = await createBoard(server, admin, { name: 'Doomed board' });
    const post = await createPost(server, alice, board.id, 'Inside');
    const comment = await server.http.post(`/posts/${post.id}/comments`, { body: 'hello' }, alice.access_token);
    const file = await upload(
      server,
      `/posts/${post.id}/attachments`,
      form('files', [{ name: 'a.png', bytes: PNG_1X1 }]),
      alice.access_token,
    );
    const bob = await server.http.signUp('bob');

    expect((await server.http.delete(`/boards/${board.id}`, admin.access_token)).status).to.equal(204);
    expect((await server.http.delete(`/boards/${board.id}`, admin.access_token)).status, 'idempotent').to.equal(204);

    for (const who of [alice, bob]) {
      expectError(await server.http.get(`/boards/${board.id}`, who.access_token), 404, 40001);
      expectError(await server.http.get(`/boards/${board.id}/posts`, who.access_token), 404, 40001);
      expectError(await server.http.get(`/posts/${post.id}`, who.access_token), 404, 41001);
      expectError(await server.http.get(`/posts/${post.id}/comments`, who.access_token), 404, 41001);
      expectError(
        await server.http.patch(`/comments/${comment.body.id}`, { body: 'edit' }, who.access_token),
        404,
        41002,
      );
      expectError(
        await server.http.post(`/boards/${board.id}/posts`, { title: 't', body: 'b' }, who.access_token),
        404,
        40001,
      );
      expect((await server.http.get('/boards', who.access_token)).body.items.map((b: any) => b.id)).not.to.include(
        board.id,
      );
      expect(
        (await server.http.get('/users/me/boards', who.access_token)).body.items.map((b: any) => b.id),
      ).not.to.include(board.id);
    }
    expectError(await server.http.get(`/files/${file.body.items[0].id}`, bob.access_token), 404, 42001);

    const seen = await server.http.get(`/boards/${board.id}`, admin.access_token);
    expect(seen.status).to.equal(200);
    expect(seen.body.deleted_at).to.be.a('string');
    expect(seen.body.permissions).to.deep.equal({ read: true, write: false, comment: false, upload: false });
    expect((await server.http.get(`/posts/${post.id}`, admin.access_token)).status).to.equal(200);
    expectError(
      await server.http.post(`/boards/${board.id}/posts`, { title: 't', body: 'b' }, admin.access_token),
      409,
      40007,
    );
    expect((await server.http.get('/boards', admin.access_token)).body.items.map((b: any) => b.id)).not.to.include(
      board.id,
    );
    expect(
      (await server.http.get('/boards?deleted=true', admin.access_token)).body.items.map((b: any) => b.id),
    ).to.deep.equal([board.id]);
    expectError(await server.http.get('/boards?deleted=true', alice.access_token), 403, 11007);
  });

  it('when an admin restores a board, then everything on it is back as it was, and both changes are audited', async () => {
    const board = await createBoard(server, admin, { name: 'Phoenix' });
    const post = await createPost(server, alice, board.id, 'Still here');
    await server.http.delete(`/boards/${board.id}`, admin.access_token);
    const restored = await server.http.post(`/boards/${board.id}/restore`, undefined, admin.access_token);
    expect(restored.status, JSON.stringify(restored.body)).to.equal(200);
    expect(restored.body).to.include({ name: 'Phoenix', deleted_at: null });
    expect((await server.http.get(`/posts/${post.id}`, alice.access_token)).body.title).to.equal('Still here');
    await createPost(server, alice, board.id, 'And writable');
    for (const action of ['board.delete', 'board.restore']) {
      const audit = await server.http.get(`/admin/audit?action=${action}`, admin.access_token);
      expect(
        audit.body.items.some((e: any) => e.target.id === String(board.id)),
        action,
      ).to.equal(true);
    }
  });

  it('when a user deletes or restores a board, then 403; an unknown board is 404', async () => {
    const board = await createBoard(server, admin, { name: 'Guarded' });
    expectError(await server.http.delete(`/boards/${board.id}`, alice.access_token), 403, 11007);
    expectError(await server.http.post(`/boards/${board.id}/restore`, undefined, alice.access_token), 403, 11007);
    expectError(await server.http.delete('/boards/999999', admin.access_token), 404, 40001);
    expectError(await server.http.post('/boards/999999/restore', undefined, admin.access_token), 404, 40001);
  });

  it('when a name differs only in letter case from another board, even a deleted one, then 409 naming the holder', async () => {
    const general = await createBoard(server, admin, { name: 'General' });
    const res = await server.http.post('/boards', { name: 'general' }, admin.access_token);
    expectError(res, 409, 40002);
    expect(res.body.error.detail).to.deep.equal({ board_id: general.id, deleted: false });
    expectError(await server.http.post('/boards', { name: '  GENERAL ' }, admin.access_token), 409, 40002);
    const other = await createBoard(server, admin, { name: 'Other' });
    expectError(await server.http.patch(`/boards/${other.id}`, { name: 'GeNeRaL' }, admin.access_token), 409, 40002);
    expect(
      (await server.http.patch(`/boards/${general.id}`, { name: 'GENERAL' }, admin.access_token)).body.name,
      'its own case',
    ).to.equal('GENERAL');

    await server.http.delete(`/boards/${general.id}`, admin.access_token);
    const taken = await server.http.post('/boards', { name: 'general' }, admin.access_token);
    expect(taken.body.error.detail).to.deep.equal({ board_id: general.id, deleted: true });
  });

  it('when a Korean name arrives decomposed (NFD), then it is the same name as its composed form', async () => {
    await createBoard(server, admin, { name: '자유게시판' });
    expectError(
      await server.http.post('/boards', { name: '자유게시판'.normalize('NFD') }, admin.access_token),
      409,
      40002,
    );
  });

  it('when two admins create the same name in different case at once, then exactly one board exists', async () => {
    const results = await Promise.all(
      ['Race', 'race', 'RACE'].map((name) => server.http.post('/boards', { name }, admin.access_token)),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409, 409]);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body.error.code).to.equal(40002);
  });
});

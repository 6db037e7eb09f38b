import { expect } from 'chai';
import { expectError, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin, createBoard, createPost } from '../helpers/boards.ts';

describe('boards and permissions', () => {
  let server: TestServer;
  let admin: Session;
  let alice: Session;
  let bob: Session;

  before(async () => {
    server = await startTestServer();
    admin = await createAdmin(server, 'boardadmin');
    alice = await server.http.signUp('alice');
    bob = await server.http.signUp('bob');
  });
  after(() => server?.close());

  describe('board administration', () => {
    it('when an admin creates a board, then it is listed with full permissions for the admin and recorded in the audit log', async () => {
      const board = await createBoard(server, admin, { name: 'General', description: 'Talk', access: 'public' });
      expect(board).to.include({
        name: 'General',
        description: 'Talk',
        access: 'public',
        visible: true,
        available: true,
      });
      const audit = await server.http.get('/admin/audit?action=board.create', admin.access_token);
      expect(audit.body.items.some((e: any) => e.target.id === String(board.id))).to.equal(true);
    });

    it('when a user tries to create a board, then 403', async () => {
      expectError(await server.http.post('/boards', { name: 'Mine' }, alice.access_token), 403, 11007);
    });

    it('when a board name is taken, then 409 with the boards code', async () => {
      await createBoard(server, admin, { name: 'Unique' });
      expectError(await server.http.post('/boards', { name: 'Unique' }, admin.access_token), 409, 40002);
    });

    it('when an admin edits a board, then the change shows and is audited', async () => {
      const board = await createBoard(server, admin, { name: 'Editable' });
      const res = await server.http.patch(
        `/boards/${board.id}`,
        { description: 'Now described', available: false },
        admin.access_token,
      );
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ description: 'Now described', available: false });
      const audit = await server.http.get('/admin/audit?action=board.update', admin.access_token);
      expect(audit.body.items[0].detail).to.deep.include({ available: false });
    });

    it('when an unknown board is edited, then 404', async () => {
      expectError(await server.http.patch('/boards/999999', { description: 'x' }, admin.access_token), 404, 40001);
    });
  });

  describe('restricted boards', () => {
    let board: { id: number };
    before(async () => {
      board = await createBoard(server, admin, { name: 'Staff room', access: 'restricted' });
    });

    it('when a user has no grant, then the board is invisible: not listed and 404 everywhere', async () => {
      const list = await server.http.get('/boards', bob.access_token);
      expect(list.body.items.map((b: any) => b.id)).not.to.include(board.id);
      expectError(await server.http.get(`/boards/${board.id}`, bob.access_token), 404, 40001);
      expectError(await server.http.get(`/boards/${board.id}/posts`, bob.access_token), 404, 40001);
      expectError(
        await server.http.post(`/boards/${board.id}/posts`, { title: 't', body: 'b' }, bob.access_token),
        404,
        40001,
      );
    });

    it('when an admin grants read only, then the user reads but may not post or comment, and others still see nothing', async () => {
      const grant = await server.http.put(
        `/boards/${board.id}/access/${alice.id}`,
        { read: true, write: false, comment: false, upload: false },
        admin.access_token,
      );
      expect(grant.status, JSON.stringify(grant.body)).to.equal(200);
      expect(grant.body).to.include({ read: true, write: false });
      const mine = await server.http.get('/users/me/boards', alice.access_token);
      const entry = mine.body.items.find((b: any) => b.id === board.id);
      expect(entry.permissions).to.deep.equal({ read: true, write: false, comment: false, upload: false });
      expect((await server.http.get(`/boards/${board.id}/posts`, alice.access_token)).status).to.equal(200);
      expectError(
        await server.http.post(`/boards/${board.id}/posts`, { title: 't', body: 'b' }, alice.access_token),
        403,
        40004,
      );

      const post = await createPost(server, admin, board.id, 'Staff only');
      expect((await server.http.get(`/posts/${post.id}`, alice.access_token)).status).to.equal(200);
      expectError(await server.http.post(`/posts/${post.id}/comments`, { body: 'hi' }, alice.access_token), 403, 40005);
      expectError(await server.http.get(`/posts/${post.id}`, bob.access_token), 404, 41001);
      expectError(await server.http.get(`/posts/${post.id}/comments`, bob.access_token), 404, 41001);
      expectError(await server.http.put(`/posts/${post.id}/like`, undefined, bob.access_token), 404, 41001);
    });

    it('when the grant adds write and comment, then the user may post and comment; revoking hides the board again', async () => {
      await server.http.put(
        `/boards/${board.id}/access/${alice.id}`,
        { read: true, write: true, comment: true, upload: false },
        admin.access_token,
      );
      const post = await createPost(server, alice, board.id, 'Granted');
      expect(
        (await server.http.post(`/posts/${post.id}/comments`, { body: 'ok' }, alice.access_token)).status,
      ).to.equal(201);

      const revoke = await server.http.delete(`/boards/${board.id}/access/${alice.id}`, admin.access_token);
      expect(revoke.status).to.equal(204);
      expectError(await server.http.get(`/posts/${post.id}`, alice.access_token), 404, 41001);
      expectError(await server.http.get(`/boards/${board.id}`, alice.access_token), 404, 40001);
      const audit = await server.http.get('/admin/audit?action=board.revoke', admin.access_token);
      expect(audit.body.items[0].detail).to.deep.equal({ user_id: alice.id });
      const grants = await server.http.get('/admin/audit?action=board.grant', admin.access_token);
      expect(grants.body.items.length).to.be.at.least(2);
      expect(grants.body.items[0].actor).to.deep.equal({ id: admin.id, name: admin.username });
    });

    it('when a grant has write without read, then 422', async () => {
      const res = await server.http.put(
        `/boards/${board.id}/access/${alice.id}`,
        { read: false, write: true, comment: false, upload: false },
        admin.access_token,
      );
      expectError(res, 422, 10001);
    });

    it('when a grant names an unknown user or board, then 404 with the right code', async () => {
      const perms = { read: true, write: false, comment: false, upload: false };
      expectError(await server.http.put(`/boards/${board.id}/access/999999`, perms, admin.access_token), 404, 12004);
      expectError(await server.http.put(`/boards/999999/access/${alice.id}`, perms, admin.access_token), 404, 40001);
    });

    it('when a user tries to grant, then 403', async () => {
      const perms = { read: true, write: true, comment: true, upload: true };
      expectError(await server.http.put(`/boards/${board.id}/access/${bob.id}`, perms, bob.access_token), 403, 11007);
    });
  });

  describe('readonly boards', () => {
    let board: { id: number };
    let post: { id: number };
    before(async () => {
      board = await createBoard(server, admin, { name: 'Announcements', access: 'readonly' });
      post = await createPost(server, admin, board.id, 'Welcome');
    });

    it('when anyone reads, then it works, even without a token', async () => {
      expect((await server.http.get(`/boards/${board.id}/posts`, bob.access_token)).body.items).to.have.length(1);
      expect((await server.http.get(`/boards/${board.id}/posts`)).body.items).to.have.length(1);
      expect((await server.http.get(`/posts/${post.id}`)).status).to.equal(200);
      const anonymous = await server.http.get('/boards');
      expect(anonymous.body.items.map((b: any) => b.access)).to.deep.equal(['readonly']);
    });

    it('when a user posts or comments, then 403; liking is allowed', async () => {
      expectError(
        await server.http.post(`/boards/${board.id}/posts`, { title: 't', body: 'b' }, bob.access_token),
        403,
        40004,
      );
      expectError(await server.http.post(`/posts/${post.id}/comments`, { body: 'b' }, bob.access_token), 403, 40005);
      expect((await server.http.put(`/posts/${post.id}/like`, undefined, bob.access_token)).status).to.equal(200);
    });

    it('when a user is granted write on a readonly board, then they may post', async () => {
      await server.http.put(
        `/boards/${board.id}/access/${bob.id}`,
        { read: true, write: true, comment: false, upload: false },
        admin.access_token,
      );
      await createPost(server, bob, board.id, 'Guest announcement');
    });
  });

  describe('public, hidden and closed boards', () => {
    it('when a public board is read without a token, then 404 (public means every signed-in user)', async () => {
      const board = await createBoard(server, admin, { name: 'Members', access: 'public' });
      expectError(await server.http.get(`/boards/${board.id}`), 404, 40001);
      const res = await server.http.get(`/boards/${board.id}`, bob.access_token);
      expect(res.body.permissions).to.deep.equal({ read: true, write: true, comment: true, upload: true });
    });

    it('when a board is hidden, then only admins see it', async () => {
      const board = await createBoard(server, admin, { name: 'Drafts', visible: false });
      expectError(await server.http.get(`/boards/${board.id}`, alice.access_token), 404, 40001);
      expect((await server.http.get('/boards', alice.access_token)).body.items.map((b: any) => b.id)).not.to.include(
        board.id,
      );
      expect((await server.http.get('/boards', admin.access_token)).body.items.map((b: any) => b.id)).to.include(
        board.id,
      );
    });

    it('when a board is closed, then users read but get 403 closed on posts, comments, likes and edits', async () => {
      const board = await createBoard(server, admin, { name: 'Archive' });
      const post = await createPost(server, alice, board.id);
      await server.http.patch(`/boards/${board.id}`, { available: false }, admin.access_token);
      expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).status).to.equal(200);
      expectError(
        await server.http.post(`/boards/${board.id}/posts`, { title: 't', body: 'b' }, bob.access_token),
        403,
        40003,
      );
      expectError(await server.http.post(`/posts/${post.id}/comments`, { body: 'b' }, bob.access_token), 403, 40003);
      expectError(await server.http.put(`/posts/${post.id}/like`, undefined, bob.access_token), 403, 40003);
      expectError(await server.http.patch(`/posts/${post.id}`, { title: 'new' }, alice.access_token), 403, 40003);
      const mine = await server.http.get('/users/me/boards', bob.access_token);
      expect(mine.body.items.find((b: any) => b.id === board.id).permissions).to.deep.equal({
        read: true,
        write: false,
        comment: false,
        upload: false,
      });
    });
  });

  describe('banned users', () => {
    it('when a user is banned, then their token no longer reads or writes any board', async () => {
      const carol = await server.http.signUp('carol');
      const board = await createBoard(server, admin, { name: 'Lobby' });
      await createPost(server, carol, board.id);
      const ban = await server.http.post(`/admin/users/${carol.id}/ban`, { reason: 'spam' }, admin.access_token);
      expect(ban.status).to.equal(200);
      expectError(
        await server.http.post(`/boards/${board.id}/posts`, { title: 't', body: 'b' }, carol.access_token),
        401,
        11002,
      );
      expectError(await server.http.get(`/boards/${board.id}/posts`, carol.access_token), 401, 11002);
    });
  });
});

import { expect } from 'chai';
import { RequestContext } from '@mikro-orm/core';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { createBoard, createPost, form, PDF_BYTES, PNG_1X1, upload } from '../helpers/boards.ts';

describe('accounts: deleting my account', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: Session;
  let boardId: number;
  before(async function () {
    server = await startTestServer();
    admin = await signUpWithRole(server, 'deladmin', 'admin');
    boardId = (await createBoard(server, admin, { name: 'Town square' })).id;
  });
  after(() => server.close());

  it('when the password is wrong or missing, then 403 11009 or 422 and the account lives on', async () => {
    const me = await server.http.signUp('hesitant');
    expectError(
      await server.http.post('/users/me/delete', { password: 'not-mine-at-all' }, me.access_token),
      403,
      11009,
    );
    expectError(await server.http.post('/users/me/delete', {}, me.access_token), 422, 10001);
    expect((await server.http.get('/users/me', me.access_token)).status).to.equal(200);
  });

  it('when I delete my account, then every token dies, I cannot sign in, my posts and comments stay under a "Deleted user" placeholder, and my personal data is gone', async () => {
    const me = await server.http.signUp('leaving', { nickname: 'Leaving Larry' });
    const otherDevice = await server.http.signIn('leaving');
    const reader = await server.http.signUp('reader');
    const post = await createPost(server, me, boardId, 'My farewell', 'Thanks for everything');
    const comment = await server.http.post(`/posts/${post.id}/comments`, { body: 'one last word' }, me.access_token);
    expect(comment.status).to.equal(201);
    const attached = await upload(
      server,
      `/posts/${post.id}/attachments`,
      form('files', [{ name: 'notes.pdf', bytes: PDF_BYTES }]),
      me.access_token,
    );
    expect(attached.status, JSON.stringify(attached.body)).to.equal(201);
    const avatar = await upload(server, '/files', form('file', [{ name: 'me.png', bytes: PNG_1X1 }]), me.access_token);
    expect(avatar.status).to.equal(201);
    await server.http.patch('/users/me', { avatar_file_id: avatar.body.id, bio: 'I like trains' }, me.access_token);
    await server.http.post(`/users/${reader.id}/follow`, undefined, me.access_token);

    const res = await server.http.post('/users/me/delete', { password: 'leaving-password' }, me.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(204);

    for (const token of [me.access_token, otherDevice.access_token]) {
      expectError(await server.http.get('/users/me', token), 401, 11002);
    }
    expectError(await server.http.post('/auth/refresh', { refresh_token: otherDevice.refresh_token }), 401, 11004);
    expectError(await server.http.post('/auth/login', { login: 'leaving', password: 'leaving-password' }), 401, 11003);
    expectError(
      await server.http.post('/auth/login', { login: 'leaving@example.test', password: 'leaving-password' }),
      401,
      11003,
    );

    const kept = await server.http.get(`/posts/${post.id}`, reader.access_token);
    expect(kept.status).to.equal(200);
    expect(kept.body).to.include({ title: 'My farewell', body: 'Thanks for everything' });
    expect(kept.body.author).to.include({ id: me.id, username: `deleted#${me.id}`, nickname: 'Deleted user', bio: '' });
    expect(kept.body.author.avatar_file_id).to.equal(null);
    expect(kept.body.attachments).to.have.length(1);
    const comments = await server.http.get(`/posts/${post.id}/comments`, reader.access_token);
    expect(comments.body.items[0]).to.deep.include({ body: 'one last word' });
    expect(comments.body.items[0].author.nickname).to.equal('Deleted user');

    const profile = await server.http.get(`/users/${me.id}`, reader.access_token);
    expect(profile.body).to.include({ username: `deleted#${me.id}`, nickname: 'Deleted user' });
    const search = await server.http.get('/users?q=leaving', reader.access_token);
    expect(search.body.items).to.deep.equal([]);
    // The standalone avatar upload is gone; the post's attachment stays with the post.
    expectError(await server.http.get(`/files/${avatar.body.id}`, admin.access_token), 404, 42001);
    expect((await server.http.get(`/files/${attached.body.items[0].id}`, reader.access_token)).status).to.equal(200);

    const listed = await server.http.get(`/admin/users?status=deleted`, admin.access_token);
    const row = listed.body.items.find((u: { id: number }) => u.id === me.id);
    expect(row).to.include({ status: 'deleted', email: `deleted-${me.id}@deleted.invalid` });
    expect(row.deleted_at).to.be.a('string');
  });

  it('when an account is deleted, then its e-mail address is free at once but its username stays held', async () => {
    const me = await server.http.signUp('heldname');
    expect(
      (await server.http.post('/users/me/delete', { password: 'heldname-password' }, me.access_token)).status,
    ).to.equal(204);
    expectError(
      await server.http.post('/auth/register', {
        username: 'HeldName',
        email: 'someone-else@example.test',
        password: 'long-password-1',
      }),
      409,
      12001,
    );
    const reused = await server.http.post('/auth/register', {
      username: 'newcomer',
      email: 'heldname@example.test',
      password: 'long-password-1',
    });
    expect(reused.status, JSON.stringify(reused.body)).to.equal(201);
  });
});

describe('accounts: a deleted username after its hold', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async function () {
    server = await startTestServer({ DELETED_USERNAME_HOLD: '0' });
  });
  after(() => server.close());

  it('when the hold period has passed, then anyone may register the username, as a new account', async () => {
    const first = await server.http.signUp('phoenix');
    await server.http.post('/users/me/delete', { password: 'phoenix-password' }, first.access_token);
    const again = await server.http.signUp('phoenix');
    expect(again.id).to.not.equal(first.id);
    const me = await server.http.get('/users/me', again.access_token);
    expect(me.body).to.include({ username: 'phoenix', nickname: 'phoenix', status: 'active' });
  });
});

describe('accounts: exporting my data', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async function () {
    server = await startTestServer();
  });
  after(() => server.close());

  it('when I export my data, then I download one JSON attachment with my profile, posts, comments, messages and files, and nothing of anyone else', async () => {
    const admin = await signUpWithRole(server, 'expadmin', 'admin');
    const board = await createBoard(server, admin, { name: 'Exports' });
    const me = await server.http.signUp('exporter');
    const friend = await server.http.signUp('friend');
    const post = await createPost(server, me, board.id, 'Mine', 'my words');
    await createPost(server, friend, board.id, 'Theirs', 'their words');
    await server.http.post(`/posts/${post.id}/comments`, { body: 'my comment' }, me.access_token);
    await server.http.post(`/posts/${post.id}/comments`, { body: 'their comment' }, friend.access_token);
    const file = await upload(server, '/files', form('file', [{ name: 'cv.pdf', bytes: PDF_BYTES }]), me.access_token);
    const group = await server.http.post('/chat/groups', { name: 'Pals', visibility: 'open' }, me.access_token);
    expect(group.status, JSON.stringify(group.body)).to.equal(201);
    await server.http.post(`/chat/groups/${group.body.id}/join`, undefined, friend.access_token);
    // Messages are sent in rooms; the room calls these same domain functions.
    await RequestContext.create(server.services.orm.em, async () => {
      const author = (s: Session) => ({ userId: s.id, username: s.username });
      await server.services.chat.post(group.body.id, author(me), { kind: 'msg', text: 'hello pals' });
      await server.services.chat.post(group.body.id, author(friend), { kind: 'msg', text: 'hi from friend' });
      await server.services.chat.post(group.body.id, author(friend), {
        kind: 'room_dm',
        text: 'psst, just you',
        toUserId: me.id,
      });
      await server.services.dms.send(author(me), friend.id, 'dm from me');
      await server.services.dms.send(author(friend), me.id, 'dm to me');
    });

    const res = await server.http.get('/users/me/export', me.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    expect(res.headers.get('content-disposition')).to.match(
      /^attachment; filename="?plaza-export-exporter-\d{4}-\d\d-\d\d\.json"?$/,
    );
    const data = res.body;
    expect(data).to.include({ format: 'plaza-account-export', version: 1 });
    expect(data.profile).to.include({ id: me.id, username: 'exporter', email: 'exporter@example.test' });
    expect(data.posts.map((p: { title: string }) => p.title)).to.deep.equal(['Mine']);
    expect(data.comments.map((c: { body: string }) => c.body)).to.deep.equal(['my comment']);
    expect(data.chat_messages.map((m: { text: string }) => m.text)).to.deep.equal(['hello pals', 'psst, just you']);
    expect(data.direct_messages.map((m: { text: string }) => m.text)).to.deep.equal(['dm from me', 'dm to me']);
    expect(data.files.map((f: { id: number; original_name: string }) => [f.id, f.original_name])).to.deep.equal([
      [file.body.id, 'cv.pdf'],
    ]);
    expect(JSON.stringify(data)).to.not.include('password').and.not.include('their words');
    expectError(await server.http.get('/users/me/export'), 401, 11001);
  });
});

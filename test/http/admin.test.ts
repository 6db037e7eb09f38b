import { expect } from 'chai';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';

describe('admin tools', () => {
  let server: TestServer;
  let admin: Session;
  let mallory: Session;
  before(async () => {
    server = await startTestServer();
    admin = await signUpWithRole(server, 'boss', 'admin');
    mallory = await server.http.signUp('mallory');
  });
  after(() => server.close());

  it('when a plain user calls an admin route, then 403 11007', async () => {
    expectError(await server.http.get('/admin/users', mallory.access_token), 403, 11007);
    expectError(
      await server.http.post(`/admin/users/${admin.id}/ban`, { reason: 'coup' }, mallory.access_token),
      403,
      11007,
    );
    expectError(await server.http.get('/admin/audit', mallory.access_token), 403, 11007);
  });

  it('when registration carries a role, then it is ignored and the account is a plain user', async () => {
    const res = await server.http.post('/auth/register', {
      username: 'sneaky',
      email: 'sneaky@example.test',
      password: 'sneaky-password',
      role: 'admin',
    });
    // Unknown fields are stripped: the account exists, but as a plain user.
    expect(res.status).to.equal(201);
    expect(res.body.role).to.equal('user');
  });

  it('when an admin lists users with a filter, then pages are keyset-paginated and filtered', async () => {
    for (const name of ['pager1', 'pager2', 'pager3']) await server.http.signUp(name);
    const first = await server.http.get('/admin/users?q=pager&limit=2', admin.access_token);
    expect(first.status).to.equal(200);
    expect(first.body.items.map((u: { username: string }) => u.username)).to.deep.equal(['pager1', 'pager2']);
    expect(first.body.items[0]).to.have.property('email');
    const second = await server.http.get(
      `/admin/users?q=pager&limit=2&cursor=${first.body.next_cursor}`,
      admin.access_token,
    );
    expect(second.body.items.map((u: { username: string }) => u.username)).to.deep.equal(['pager3']);
    expect(second.body.next_cursor).to.equal(null);
    expectError(await server.http.get('/admin/users?cursor=%%%', admin.access_token), 422, 10001);
  });

  it('when an admin bans a user, then every token dies at once, login is refused and the audit log says who and why', async () => {
    const victim = await server.http.signUp('spammer');
    const secondLogin = await server.http.signIn('spammer');
    const res = await server.http.post(`/admin/users/${victim.id}/ban`, { reason: 'spam links' }, admin.access_token);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'banned', ban_reason: 'spam links' });
    for (const token of [victim.access_token, secondLogin.access_token]) {
      expect((await server.http.get('/users/me', token)).status).to.equal(401);
    }
    expectError(await server.http.post('/auth/refresh', { refresh_token: victim.refresh_token }), 401, 11004);
    expectError(await server.http.post('/auth/login', { login: 'spammer', password: 'spammer-password' }), 403, 11008);
    expectError(
      await server.http.post(`/admin/users/${victim.id}/ban`, { reason: 'again' }, admin.access_token),
      409,
      12005,
    );

    const audit = await server.http.get('/admin/audit?action=user.ban', admin.access_token);
    expect(audit.body.items[0]).to.deep.include({
      action: 'user.ban',
      reason: 'spam links',
      actor: { id: admin.id, name: 'boss' },
    });
    expect(audit.body.items[0].target).to.deep.equal({ type: 'user', id: String(victim.id) });
  });

  it('when an admin unbans, then the user can log in again and the unban is audited', async () => {
    const list = await server.http.get('/admin/users?status=banned', admin.access_token);
    const banned = list.body.items.find((u: { username: string }) => u.username === 'spammer');
    expect((await server.http.post(`/admin/users/${banned.id}/unban`, {}, admin.access_token)).status).to.equal(200);
    expect((await server.http.post('/auth/login', { login: 'spammer', password: 'spammer-password' })).status).to.equal(
      200,
    );
    const audit = await server.http.get('/admin/audit', admin.access_token);
    expect(audit.body.items.map((e: { action: string }) => e.action)).to.include.members(['user.ban', 'user.unban']);
    expectError(await server.http.post(`/admin/users/${banned.id}/unban`, {}, admin.access_token), 409, 12006);
  });

  it('when an admin tries to ban themself or a missing user, then 409 12007 or 404 12004', async () => {
    expectError(
      await server.http.post(`/admin/users/${admin.id}/ban`, { reason: 'oops' }, admin.access_token),
      409,
      12007,
    );
    expectError(await server.http.post('/admin/users/999999/ban', { reason: 'ghost' }, admin.access_token), 404, 12004);
    expectError(await server.http.post(`/admin/users/${mallory.id}/ban`, {}, admin.access_token), 422, 10001);
  });
});

describe('profiles', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('when a user edits the profile, then /users/me and the public profile show it; unknown fields are refused', async () => {
    const s = await server.http.signUp('painter');
    const res = await server.http.patch('/users/me', { nickname: 'The Painter', bio: 'colours' }, s.access_token);
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ nickname: 'The Painter', bio: 'colours', email: 'painter@example.test' });
    const other = await server.http.signUp('viewer');
    const pub = await server.http.get(`/users/${s.id}`, other.access_token);
    expect(pub.body).to.include({ nickname: 'The Painter', username: 'painter' });
    expect(pub.body).to.not.have.property('email');
    expectError(await server.http.patch('/users/me', { role: 'admin' }, s.access_token), 422, 10001);
    expectError(await server.http.get('/users/424242', other.access_token), 404, 12004);
    expectError(await server.http.get('/users/abc', other.access_token), 422, 10001);
  });

  it('when users are searched, then matches come in stable pages even with sign-ups between pages', async () => {
    const s = await server.http.signUp('searcher');
    for (const n of ['zeta1', 'zeta2', 'zeta3']) await server.http.signUp(n);
    const page1 = await server.http.get('/users?q=zeta&limit=2', s.access_token);
    expect(page1.body.items.map((u: { username: string }) => u.username)).to.deep.equal(['zeta1', 'zeta2']);
    await server.http.signUp('zeta4');
    const page2 = await server.http.get(`/users?q=zeta&limit=2&cursor=${page1.body.next_cursor}`, s.access_token);
    expect(page2.body.items.map((u: { username: string }) => u.username)).to.deep.equal(['zeta3', 'zeta4']);
    const literal = await server.http.get('/users?q=%25', s.access_token);
    expect(literal.body.items).to.deep.equal([]);
  });
});

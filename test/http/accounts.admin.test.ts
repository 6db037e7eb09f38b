import { expect } from 'chai';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { eventually } from '../helpers/realtime.ts';

describe('accounts: admins create users, change roles and ban for a time', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: Session;
  let plain: Session;
  before(async function () {
    server = await startTestServer();
    admin = await signUpWithRole(server, 'chief', 'admin');
    plain = await server.http.signUp('plainuser');
  });
  after(() => server.close());

  it('when the OpenAPI document is fetched, then every account and moderation route is there with its operationId and tag', async () => {
    const doc = (await server.http.get('/openapi.json')).body;
    const expected: [string, string, string, string][] = [
      ['/admin/users', 'post', 'createUser', 'admin'],
      ['/admin/users/{id}/role', 'put', 'setUserRole', 'admin'],
      ['/users/me/sessions', 'get', 'listMySessions', 'users'],
      ['/users/me/sessions/{id}', 'delete', 'endMySession', 'users'],
      ['/users/me/sessions/end-others', 'post', 'endMyOtherSessions', 'users'],
      ['/users/me/email', 'post', 'changeMyEmail', 'users'],
      ['/users/me/delete', 'post', 'deleteMyAccount', 'users'],
      ['/users/me/export', 'get', 'exportMyData', 'users'],
      ['/auth/email/verify', 'post', 'confirmEmail', 'auth'],
      ['/auth/email/verify/resend', 'post', 'resendEmailVerification', 'auth'],
    ];
    for (const [path, method, operationId, tag] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).to.be.an('object');
      expect(op.operationId, path).to.equal(operationId);
      expect(op.tags, path).to.deep.equal([tag]);
    }
    expect(
      doc.paths['/admin/users/{id}/ban'].post.requestBody.content['application/json'].schema.properties,
    ).to.have.keys('reason', 'until');
    expect(doc.paths['/users/me/sessions'].get.responses['200'].content['application/json'].schema.$ref).to.equal(
      '#/components/schemas/LoginSessionPage',
    );
  });

  it('when an admin creates a user with a role, then that user signs in with the role and the audit log records it', async () => {
    const res = await server.http.post(
      '/admin/users',
      { username: 'NewOp', email: 'newop@example.test', password: 'newop-password', role: 'operator' },
      admin.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ username: 'newop', role: 'operator', status: 'active', email_verified: true });
    const session = await server.http.signIn('newop', 'newop-password');
    const me = await server.http.get('/users/me', session.access_token);
    expect(me.body).to.include({ username: 'newop', role: 'operator' });

    const audit = await server.http.get('/admin/audit?action=user.create', admin.access_token);
    expect(audit.body.items[0]).to.deep.include({
      action: 'user.create',
      actor: { id: admin.id, name: 'chief' },
      target: { type: 'user', id: String(res.body.id) },
    });
    expect(audit.body.items[0].detail).to.deep.equal({ username: 'newop', role: 'operator' });
  });

  it('when a user is created with a taken name, a weak password or by a non-admin, then 409, 422 or 403', async () => {
    const body = { username: 'newop', email: 'other@example.test', password: 'long-enough-1' };
    expectError(await server.http.post('/admin/users', body, admin.access_token), 409, 12001);
    expectError(
      await server.http.post(
        '/admin/users',
        { ...body, username: 'fresh', email: 'newop@example.test' },
        admin.access_token,
      ),
      409,
      12002,
    );
    expectError(
      await server.http.post('/admin/users', { ...body, username: 'fresh', password: 'short' }, admin.access_token),
      422,
      12003,
    );
    expectError(await server.http.post('/admin/users', { ...body, role: 'god' }, admin.access_token), 422, 10001);
    expectError(await server.http.post('/admin/users', { ...body, username: 'fresh' }, plain.access_token), 403, 11007);
  });

  it('when an admin changes a role, then the old access token dies at once, a refresh carries the new role, and the change is audited', async () => {
    const target = await server.http.signUp('promotee');
    const res = await server.http.put(
      `/admin/users/${target.id}/role`,
      { role: 'operator', reason: 'runs the servers' },
      admin.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.role).to.equal('operator');
    expectError(await server.http.get('/users/me', target.access_token), 401, 11002);
    const refreshed = await server.http.post('/auth/refresh', { refresh_token: target.refresh_token });
    expect(refreshed.status).to.equal(200);
    const me = await server.http.get('/users/me', refreshed.body.access_token);
    expect(me.body.role).to.equal('operator');

    const audit = await server.http.get('/admin/audit?action=user.role', admin.access_token);
    expect(audit.body.items[0]).to.deep.include({
      action: 'user.role',
      reason: 'runs the servers',
      actor: { id: admin.id, name: 'chief' },
      detail: { from: 'user', to: 'operator' },
    });
  });

  it('when an admin changes their own role, a plain user changes any role, or the user is missing, then 409 12010, 403 or 404', async () => {
    expectError(
      await server.http.put(`/admin/users/${admin.id}/role`, { role: 'user' }, admin.access_token),
      409,
      12010,
    );
    expectError(
      await server.http.put(`/admin/users/${plain.id}/role`, { role: 'admin' }, plain.access_token),
      403,
      11007,
    );
    expectError(await server.http.put('/admin/users/999999/role', { role: 'user' }, admin.access_token), 404, 12004);
    expectError(
      await server.http.put(`/admin/users/${plain.id}/role`, { role: 'root' }, admin.access_token),
      422,
      10001,
    );
    // The admin's own tokens still work: the refused change revoked nothing.
    expect((await server.http.get('/users/me', admin.access_token)).status).to.equal(200);
  });

  it('when a user is banned without an end, then the refused sign-in says why and that there is no end', async () => {
    const victim = await server.http.signUp('forever');
    await server.http.post(`/admin/users/${victim.id}/ban`, { reason: 'threats' }, admin.access_token);
    const refused = await server.http.post('/auth/login', { login: 'forever', password: 'forever-password' });
    expectError(refused, 403, 11008);
    expect(refused.body.error.detail).to.deep.equal({ reason: 'threats', until: null });
  });

  it('when a user is banned until a time, then every token dies, sign-in is refused with the reason and the end, and after the end they sign in again without an unban', async function () {
    this.timeout(120_000);
    const victim = await server.http.signUp('cooldown');
    // Long enough for the refusals below to happen before the end even on a loaded machine (a sign-in
    // costs an argon2 hash); the test then waits for the end.
    const until = new Date(Date.now() + 30_000).toISOString();
    const res = await server.http.post(
      `/admin/users/${victim.id}/ban`,
      { reason: 'flooding the chat', until },
      admin.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ status: 'banned', ban_reason: 'flooding the chat', banned_until: until });
    expectError(await server.http.get('/users/me', victim.access_token), 401, 11002);
    expectError(await server.http.post('/auth/refresh', { refresh_token: victim.refresh_token }), 401, 11004);

    const refused = await server.http.post('/auth/login', { login: 'cooldown', password: 'cooldown-password' });
    expectError(refused, 403, 11008);
    expect(refused.body.error.detail).to.deep.equal({ reason: 'flooding the chat', until });
    const banned = await server.http.get('/admin/users?status=banned&q=cooldown', admin.access_token);
    expect(banned.body.items.map((u: { username: string }) => u.username)).to.deep.equal(['cooldown']);

    let status = 0;
    await eventually(
      async () =>
        (status = (await server.http.post('/auth/login', { login: 'cooldown', password: 'cooldown-password' }))
          .status) === 200,
      'the timed ban to end',
      60_000,
    );
    expect(status).to.equal(200);
    const listed = await server.http.get('/admin/users?q=cooldown', admin.access_token);
    expect(listed.body.items[0]).to.include({ status: 'active', ban_reason: null, banned_until: null });
    const audit = await server.http.get('/admin/audit?action=user.ban', admin.access_token);
    expect(audit.body.items[0].detail).to.deep.equal({ until });
  });

  it('when a ban ends in the past or is not a date, then 422 and nothing changes', async () => {
    const target = await server.http.signUp('almost');
    const past = new Date(Date.now() - 60_000).toISOString();
    expectError(
      await server.http.post(`/admin/users/${target.id}/ban`, { reason: 'x', until: past }, admin.access_token),
      422,
      10001,
    );
    expectError(
      await server.http.post(`/admin/users/${target.id}/ban`, { reason: 'x', until: 'tomorrow' }, admin.access_token),
      422,
      10001,
    );
    expect((await server.http.get('/users/me', target.access_token)).status).to.equal(200);
  });
});

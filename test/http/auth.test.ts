import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import { expectError, type HttpClient } from '../helpers/http.ts';

/** The reset token from the newest mail to `email`, read as an admin would, from the outbox. */
async function resetTokenFor(http: HttpClient, adminToken: string, email: string): Promise<string> {
  const outbox = await http.get(`/admin/outbox?to=${encodeURIComponent(email)}&limit=1`, adminToken);
  expect(outbox.status).to.equal(200);
  const match = /Reset token: (\S+)/.exec(outbox.body[0]?.body ?? '');
  expect(match, 'a reset mail is in the outbox').to.not.equal(null);
  return match![1];
}

describe('accounts: registration, login and tokens', () => {
  let server: TestServer;
  let admin: { access_token: string };
  before(async () => {
    server = await startTestServer();
    admin = await signUpWithRole(server, 'root', 'admin');
  });
  after(() => server.close());

  describe('registration', () => {
    it('when a user registers, then 201 returns the public profile without secrets', async () => {
      const res = await server.http.post('/auth/register', { username: 'Alice', email: 'Alice@Example.test', password: 'wonderland-42', nickname: 'Alice A.' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ username: 'alice', nickname: 'Alice A.', role: 'user' });
      expect(res.body).to.not.have.any.keys('password', 'password_hash', 'passwordHash', 'email');
    });

    it('when the username or e-mail is taken in any letter case, then 409 with 12001 or 12002', async () => {
      expectError(await server.http.post('/auth/register', { username: 'ALICE', email: 'other@example.test', password: 'wonderland-42' }), 409, 12001);
      expectError(await server.http.post('/auth/register', { username: 'alice2', email: 'alice@EXAMPLE.test', password: 'wonderland-42' }), 409, 12002);
    });

    it('when the password is short or equals the username, then 422 with 12003', async () => {
      expectError(await server.http.post('/auth/register', { username: 'shorty', email: 's@example.test', password: 'abc123' }), 422, 12003);
      const same = await server.http.post('/auth/register', { username: 'samesame', email: 'same@example.test', password: 'SameSame' });
      expectError(same, 422, 12003);
      expect(same.body.error.detail[0].message).to.include('username');
    });

    it('when fields are missing or malformed, then 422 with 10001 naming each field', async () => {
      const res = await server.http.post('/auth/register', { username: 'x', email: 'not-an-email' });
      expectError(res, 422, 10001);
      const paths = res.body.error.detail.map((d: { path: string }) => d.path);
      expect(paths).to.include.members(['body.username', 'body.email', 'body.password']);
    });
  });

  describe('login', () => {
    it('when logging in by username or by e-mail, then a bearer token pair is returned', async () => {
      for (const login of ['alice', 'ALICE@example.test']) {
        const res = await server.http.post('/auth/login', { login, password: 'wonderland-42' });
        expect(res.status).to.equal(200);
        expect(res.body.token_type).to.equal('bearer');
        expect(res.body.expires_in).to.equal(900);
        const claims = jwt.decode(res.body.access_token) as Record<string, unknown>;
        expect(claims).to.include({ sub: String((await server.http.get('/users/me', res.body.access_token)).body.id), role: 'user' });
        expect(claims.jti).to.be.a('string');
      }
    });

    it('when the password is wrong or the account unknown, then both get the same 401 11003', async () => {
      const wrong = await server.http.post('/auth/login', { login: 'alice', password: 'not-the-password' });
      const unknown = await server.http.post('/auth/login', { login: 'nobody-here', password: 'not-the-password' });
      expectError(wrong, 401, 11003);
      expectError(unknown, 401, 11003);
      expect(wrong.body.error.message).to.equal(unknown.body.error.message);
    });

    it('when no token, a garbage token or an expired token is sent, then 401 with 11001/11002', async () => {
      expectError(await server.http.get('/users/me'), 401, 11001);
      expectError(await server.http.get('/users/me', 'garbage'), 401, 11002);
      const expired = jwt.sign({ role: 'user', fam: crypto.randomUUID(), ver: 0 }, server.config.JWT_SECRET!, {
        subject: '2', jwtid: crypto.randomUUID(), issuer: 'plaza', audience: 'plaza', expiresIn: -10,
      });
      expectError(await server.http.get('/users/me', expired), 401, 11002);
      const forged = jwt.sign({ role: 'admin', fam: 'x', ver: 0 }, 'another-secret-another-secret-00', { subject: '1', jwtid: 'x', issuer: 'plaza', audience: 'plaza' });
      expectError(await server.http.get('/users/me', forged), 401, 11002);
    });
  });

  describe('refresh rotation', () => {
    it('when a refresh token is used, then a new pair is issued and the old refresh token is spent', async () => {
      const s = await server.http.signUp('rotor');
      const next = await server.http.post('/auth/refresh', { refresh_token: s.refresh_token });
      expect(next.status).to.equal(200);
      expect(next.body.refresh_token).to.not.equal(s.refresh_token);
      expect((await server.http.get('/users/me', next.body.access_token)).status).to.equal(200);
      const again = await server.http.post('/auth/refresh', { refresh_token: next.body.refresh_token });
      expect(again.status).to.equal(200);
    });

    it('when a spent refresh token is presented again, then 401 11005 and the whole login is revoked', async () => {
      const s = await server.http.signUp('victim');
      const legit = await server.http.post('/auth/refresh', { refresh_token: s.refresh_token });
      expect(legit.status).to.equal(200);
      expectError(await server.http.post('/auth/refresh', { refresh_token: s.refresh_token }), 401, 11005);
      // The thief's replay killed the family: the legitimate newest token is dead too.
      expectError(await server.http.post('/auth/refresh', { refresh_token: legit.body.refresh_token }), 401, 11004);
    });

    it('when two refreshes race with one token, then exactly one wins', async () => {
      const s = await server.http.signUp('racer');
      const results = await Promise.all([1, 2].map(() => server.http.post('/auth/refresh', { refresh_token: s.refresh_token })));
      expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401]);
    });

    it('when the refresh token is unknown, then 401 11004', async () => {
      expectError(await server.http.post('/auth/refresh', { refresh_token: 'made-up' }), 401, 11004);
    });
  });

  describe('logout', () => {
    it('when a user logs out, then that access token and its refresh token die, other logins live', async () => {
      const s = await server.http.signUp('leaver');
      const other = await server.http.signIn('leaver');
      const res = await server.http.post('/auth/logout', undefined, s.access_token);
      expect(res.status).to.equal(204);
      expectError(await server.http.get('/users/me', s.access_token), 401, 11002);
      expectError(await server.http.post('/auth/refresh', { refresh_token: s.refresh_token }), 401, 11004);
      expect((await server.http.get('/users/me', other.access_token)).status).to.equal(200);
    });
  });

  describe('password reset', () => {
    it('when an unknown address asks for a reset, then 202 all the same and no mail is sent', async () => {
      const res = await server.http.post('/auth/password/forgot', { email: 'ghost@example.test' });
      expect(res.status).to.equal(202);
      const outbox = await server.http.get('/admin/outbox?to=ghost@example.test', admin.access_token);
      expect(outbox.body).to.deep.equal([]);
    });

    it('when a user resets with the mailed token, then the new password works, the old does not, sessions die and the token is single-use', async () => {
      const s = await server.http.signUp('forgetful');
      expect((await server.http.post('/auth/password/forgot', { email: 'forgetful@example.test' })).status).to.equal(202);
      const token = await resetTokenFor(server.http, admin.access_token, 'forgetful@example.test');
      expectError(await server.http.post('/auth/password/reset', { token, password: 'short' }), 422, 12003);
      expect((await server.http.post('/auth/password/reset', { token, password: 'brand-new-password' })).status).to.equal(204);
      expectError(await server.http.get('/users/me', s.access_token), 401, 11002);
      expectError(await server.http.post('/auth/refresh', { refresh_token: s.refresh_token }), 401, 11004);
      expectError(await server.http.post('/auth/login', { login: 'forgetful', password: 'forgetful-password' }), 401, 11003);
      expect((await server.http.post('/auth/login', { login: 'forgetful', password: 'brand-new-password' })).status).to.equal(200);
      expectError(await server.http.post('/auth/password/reset', { token, password: 'another-password' }), 400, 11006);
    });

    it('when a user changes the password, then the current one is checked and every session is revoked', async () => {
      const s = await server.http.signUp('changer');
      expectError(await server.http.post('/users/me/password', { current: 'wrong-password', new: 'next-password-1' }, s.access_token), 403, 11009);
      expect((await server.http.post('/users/me/password', { current: 'changer-password', new: 'next-password-1' }, s.access_token)).status).to.equal(204);
      expectError(await server.http.get('/users/me', s.access_token), 401, 11002);
      expect((await server.http.post('/auth/login', { login: 'changer', password: 'next-password-1' })).status).to.equal(200);
    });
  });
});

describe('accounts: rate limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ AUTH_RATE_PER_ACCOUNT: '3', AUTH_RATE_PER_IP: '8', AUTH_RATE_WINDOW: '600' });
  });
  after(() => server.close());

  it('when one account is hammered, then the 4th attempt gets 429 10005 with Retry-After, even with the right password', async () => {
    await server.http.post('/auth/register', { username: 'target', email: 'target@example.test', password: 'target-password' });
    for (let i = 0; i < 3; i++) expectError(await server.http.post('/auth/login', { login: 'target', password: 'guess-number-' + i }), 401, 11003);
    const limited = await server.http.post('/auth/login', { login: 'target', password: 'target-password' });
    expectError(limited, 429, 10005);
    expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
  });

  it('when one IP spreads attempts over many accounts, then the per-IP limit stops it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await server.http.post('/auth/login', { login: `spray${i}`, password: 'whatever-pass' })).status);
    expect(statuses).to.include(429);
  });
});

describe('accounts: revocation survives a restart', () => {
  it('when a logged-out token is presented to a restarted server, then it is still refused', async () => {
    const first = await startTestServer({}, { persistent: true });
    try {
      const s = await first.http.signUp('persistent');
      expect((await first.http.post('/auth/logout', undefined, s.access_token)).status).to.equal(204);
      await first.stop();
      const second = await startTestServer({}, { database: first.database });
      try {
        expectError(await second.http.get('/users/me', s.access_token), 401, 11002);
        const fresh = await second.http.signIn('persistent');
        expect((await second.http.get('/users/me', fresh.access_token)).status).to.equal(200);
      } finally {
        await second.stop();
      }
    } finally {
      await first.close();
    }
  });
});

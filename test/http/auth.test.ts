import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { pino } from 'pino';
import { startTestServer, signUpWithRole, testConfig, type TestServer } from '../helpers/testServer.ts';
import { expectError, HttpClient } from '../helpers/http.ts';
import { start } from '../../src/main.ts';
import { eventually } from '../helpers/realtime.ts';
import { postFrom } from '../helpers/clientAddress.ts';
import { startTcpProxy } from '../helpers/tcpProxy.ts';
import { createTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import { mailDrop } from '../../src/services.ts';
import type { DroppedMail } from '../../src/infra/mail/MailDrop.ts';

/** The newest mail to `email` waiting in the mail drop, where the operator reads it (`npm run cli -- outbox`). */
async function mailTo(server: TestServer, email: string, subject = 'Reset your Plaza password'): Promise<DroppedMail> {
  let mail: DroppedMail | undefined;
  await eventually(
    () =>
      (mail = mailDrop(server.config)
        .list()
        .findLast((m) => m.to === email && m.subject === subject)) !== undefined,
    `a mail to ${email}`,
    15_000,
  );
  return mail!;
}

/** The reset token mailed to `email`. */
async function resetTokenFor(server: TestServer, email: string): Promise<string> {
  const match = /Reset token: (\S+)/.exec((await mailTo(server, email)).text);
  expect(match, 'the reset mail carries a token').to.not.equal(null);
  return match![1];
}

describe('accounts: registration, login and tokens', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: { access_token: string };
  before(async () => {
    server = await startTestServer();
    admin = await signUpWithRole(server, 'root', 'admin');
  });
  after(() => server.close());

  describe('registration', () => {
    it('when a user registers, then 201 returns the public profile without secrets', async () => {
      const res = await server.http.post('/auth/register', {
        username: 'Alice',
        email: 'Alice@Example.test',
        password: 'wonderland-42',
        nickname: 'Alice A.',
      });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ username: 'alice', nickname: 'Alice A.', role: 'user' });
      expect(res.body).to.not.have.any.keys('password', 'password_hash', 'passwordHash', 'email');
    });

    it('when the username or e-mail is taken in any letter case, then 409 with 12001 or 12002', async () => {
      expectError(
        await server.http.post('/auth/register', {
          username: 'ALICE',
          email: 'other@example.test',
          password: 'wonderland-42',
        }),
        409,
        12001,
      );
      expectError(
        await server.http.post('/auth/register', {
          username: 'alice2',
          email: 'alice@EXAMPLE.test',
          password: 'wonderland-42',
        }),
        409,
        12002,
      );
    });

    it('when the password is short or equals the username, then 422 with 12003', async () => {
      expectError(
        await server.http.post('/auth/register', { username: 'shorty', email: 's@example.test', password: 'abc123' }),
        422,
        12003,
      );
      const same = await server.http.post('/auth/register', {
        username: 'samesame',
        email: 'same@example.test',
        password: 'SameSame',
      });
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
        expect(claims).to.include({
          sub: String((await server.http.get('/users/me', res.body.access_token)).body.id),
          role: 'user',
        });
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
        subject: '2',
        jwtid: crypto.randomUUID(),
        issuer: 'plaza',
        audience: 'plaza',
        expiresIn: -10,
      });
      expectError(await server.http.get('/users/me', expired), 401, 11002);
      const forged = jwt.sign({ role: 'admin', fam: 'x', ver: 0 }, 'another-secret-another-secret-00', {
        subject: '1',
        jwtid: 'x',
        issuer: 'plaza',
        audience: 'plaza',
      });
      expectError(await server.http.get('/users/me', forged), 401, 11002);
    });

    it('when a validly signed token lacks exp or another claim Plaza relies on, then it is refused with 401 11002', async () => {
      const me = await server.http.signUp('claims');
      const good = jwt.decode(me.access_token) as Record<string, unknown>;
      // The claims exactly as given (jsonwebtoken would add `iat` to a payload without one).
      const sign = (claims: Record<string, unknown>) =>
        jwt.sign(claims, server.config.JWT_SECRET!, { algorithm: 'HS256', noTimestamp: !('iat' in claims) });
      expect((await server.http.get('/users/me', sign(good))).status, 'the same claims, re-signed').to.equal(200);
      const without = (name: string) => Object.fromEntries(Object.entries(good).filter(([k]) => k !== name));
      for (const name of ['exp', 'iat', 'sub', 'usr', 'role', 'fam', 'ver', 'jti', 'iss', 'aud']) {
        expectError(await server.http.get('/users/me', sign(without(name))), 401, 11002);
      }
      const now = Math.floor(Date.now() / 1000);
      for (const [name, value] of Object.entries({
        role: 'emperor',
        ver: '0',
        sub: 'root',
        fam: 'x',
        exp: now + 365 * 86400,
      })) {
        expectError(await server.http.get('/users/me', sign({ ...good, [name]: value })), 401, 11002);
      }
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
      const results = await Promise.all(
        [1, 2].map(() => server.http.post('/auth/refresh', { refresh_token: s.refresh_token })),
      );
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
    it('when an unknown and a known address ask for a reset, then both get the same 202 and only the known one gets mail', async () => {
      await server.http.signUp('known');
      const ghost = await server.http.post('/auth/password/forgot', { email: 'ghost@example.test' });
      const known = await server.http.post('/auth/password/forgot', { email: 'known@example.test' });
      expect([ghost.status, known.status]).to.deep.equal([202, 202]);
      expect(ghost.body).to.deep.equal(known.body);
      // The known address's mail is prepared after the answer; once it is there, the ghost's would be too.
      await mailTo(server, 'known@example.test');
      expect(
        mailDrop(server.config)
          .list()
          .filter((m) => m.to === 'ghost@example.test'),
      ).to.deep.equal([]);
      expect(
        (await server.http.get('/admin/outbox?to=ghost@example.test', admin.access_token)).body.items,
      ).to.deep.equal([]);
    });

    it('when a reset mail is sent, then neither the admin API nor the database holds a usable token', async () => {
      await server.http.signUp('careful');
      await server.http.post('/auth/password/forgot', { email: 'careful@example.test' });
      const token = await resetTokenFor(server, 'careful@example.test');
      const listed = await server.http.get('/admin/outbox?to=careful@example.test', admin.access_token);
      expect(listed.status).to.equal(200);
      expect(listed.body.items).to.have.length(1);
      expect(listed.body.items[0]).to.include({
        to: 'careful@example.test',
        subject: 'Reset your Plaza password',
        transport: 'maildrop',
      });
      expect(JSON.stringify(listed.body)).to.not.include(token);
      const stored = await server.services.orm.em
        .fork()
        .getConnection()
        .execute(`select body from outbox_emails where recipient = 'careful@example.test'`);
      expect(stored[0].body).to.include('Reset token: [redacted]').and.not.include(token);
      // The token the operator read from the mail drop works.
      expect(
        (await server.http.post('/auth/password/reset', { token, password: 'careful-new-password' })).status,
      ).to.equal(204);
    });

    it('when a user resets with the mailed token, then the new password works, the old does not, sessions die and the token is single-use', async () => {
      const s = await server.http.signUp('forgetful');
      expect((await server.http.post('/auth/password/forgot', { email: 'forgetful@example.test' })).status).to.equal(
        202,
      );
      const token = await resetTokenFor(server, 'forgetful@example.test');
      expectError(await server.http.post('/auth/password/reset', { token, password: 'short' }), 422, 12003);
      expect(
        (await server.http.post('/auth/password/reset', { token, password: 'brand-new-password' })).status,
      ).to.equal(204);
      expectError(await server.http.get('/users/me', s.access_token), 401, 11002);
      expectError(await server.http.post('/auth/refresh', { refresh_token: s.refresh_token }), 401, 11004);
      expectError(
        await server.http.post('/auth/login', { login: 'forgetful', password: 'forgetful-password' }),
        401,
        11003,
      );
      expect(
        (await server.http.post('/auth/login', { login: 'forgetful', password: 'brand-new-password' })).status,
      ).to.equal(200);
      expectError(await server.http.post('/auth/password/reset', { token, password: 'another-password' }), 400, 11006);
    });

    it('when a user changes the password, then the current one is checked and every session is revoked', async () => {
      const s = await server.http.signUp('changer');
      const changePassword = (current: string) =>
        server.http.post('/users/me/password', { current, new: 'next-password-1' }, s.access_token);
      expectError(await changePassword('wrong-password'), 403, 11009);
      expect((await changePassword('changer-password')).status).to.equal(204);
      expectError(await server.http.get('/users/me', s.access_token), 401, 11002);
      expect(
        (await server.http.post('/auth/login', { login: 'changer', password: 'next-password-1' })).status,
      ).to.equal(200);
    });
  });
});

describe('accounts: throttling without lockout', function () {
  // Every attempt runs argon2 (wrong passwords included): slow on a busy machine.
  this.timeout(90_000);
  let server: TestServer;
  const login = (from: string, name: string, password: string) =>
    postFrom(server.url, from, '/auth/login', { login: name, password });
  before(async () => {
    server = await startTestServer({
      AUTH_FAILURES_PER_ACCOUNT_IP: '3',
      AUTH_FAILURES_PER_IP: '6',
      AUTH_FAILURES_PER_ACCOUNT: '8',
      AUTH_RATE_WINDOW: '600',
      AUTH_ACCOUNT_WINDOW: '3600',
    });
  });
  after(() => server.close());

  it('when one address keeps guessing a password, then it gets 429 with Retry-After while the owner signs in from another address', async () => {
    await server.http.signUp('target');
    for (let i = 0; i < 3; i++) expectError(await login('127.0.0.2', 'target', `guess-number-${i}`), 401, 11003);
    const limited = await login('127.0.0.2', 'target', 'target-password');
    expectError(limited, 429, 10005);
    expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
    expect((await login('127.0.0.3', 'target', 'target-password')).status).to.equal(200);
  });

  it('when failures mix the username and the e-mail, then they spend one budget of the account', async () => {
    await server.http.signUp('twofaced');
    expectError(await login('127.0.0.4', 'twofaced', 'wrong-password-1'), 401, 11003);
    expectError(await login('127.0.0.4', 'TwoFaced@example.test', 'wrong-password-2'), 401, 11003);
    expectError(await login('127.0.0.4', 'twofaced', 'wrong-password-3'), 401, 11003);
    expectError(await login('127.0.0.4', 'twofaced@example.test', 'twofaced-password'), 429, 10005);
  });

  it('when the right password follows a few failures, then that address starts afresh on the account', async () => {
    await server.http.signUp('typo');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) expectError(await login('127.0.0.5', 'typo', 'tpyo-password'), 401, 11003);
      expect((await login('127.0.0.5', 'typo', 'typo-password')).status).to.equal(200);
    }
  });

  it('when one address guesses across many accounts, then the per-address limit stops it and other addresses are untouched', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await login('127.0.0.6', `spray${i}`, 'whatever-pass')).status);
    expect(statuses.slice(0, 6)).to.deep.equal([401, 401, 401, 401, 401, 401]);
    expect(statuses.slice(6)).to.deep.equal([429, 429]);
    await server.http.signUp('neighbour');
    expect((await login('127.0.0.7', 'neighbour', 'neighbour-password')).status).to.equal(200);
  });

  it('when guesses on one account come from many addresses, then the slower account ceiling stops them', async () => {
    await server.http.signUp('popular');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await login(`127.0.1.${i + 1}`, 'popular', 'wrong-password')).status);
    expect(statuses.slice(0, 8).every((s) => s === 401)).to.equal(true);
    expect(statuses.slice(8)).to.deep.equal([429, 429]);
  });

  it('when many people behind one address sign in correctly, then none of it counts against the address', async () => {
    const colleagues = ['target', 'twofaced', 'typo', 'neighbour'];
    for (let round = 0; round < 2; round++) {
      for (const name of colleagues) expect((await login('127.0.0.8', name, `${name}-password`)).status).to.equal(200);
    }
  });

  it('when refresh or reset tokens are guessed from one address, then it gets 429 after the limit', async () => {
    for (const [path, body] of [
      ['/auth/refresh', { refresh_token: 'guessed-refresh-token' }],
      ['/auth/password/reset', { token: 'guessed-reset-token', password: 'some-new-password' }],
    ] as const) {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await postFrom(server.url, '127.0.0.9', path, body)).status);
      expect(
        statuses.slice(0, 6).every((s) => s === 401 || s === 400),
        `${path}: ${statuses.join(', ')}`,
      ).to.equal(true);
      expect(statuses[6], path).to.equal(429);
    }
  });
});

describe('accounts: a reset request does no work before it answers', () => {
  const reason = ' (PostgreSQL run only: the embedded database cannot be put behind a network proxy)';

  (usingPostgres ? it : it.skip)(
    'when the database stalls, then reset requests for known and unknown addresses both answer 202 at once, and the mail follows when it is back' +
      reason,
    async function () {
      this.timeout(120_000);
      const db = await createTestDatabase();
      const direct = new URL((db.target as { url: string }).url);
      const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
      const viaProxy = new URL(direct);
      viaProxy.port = String(proxy.port);
      const server = await startTestServer({}, { database: { kind: 'postgresql', url: viaProxy.toString() } });
      try {
        await server.http.signUp('stalled');
        proxy.set('freeze');
        const answers = await Promise.all(
          ['stalled@example.test', 'nobody@example.test'].map((email) =>
            server.http.post('/auth/password/forgot', { email }),
          ),
        );
        expect(answers.map((a) => a.status)).to.deep.equal([202, 202]);
        proxy.set('pass');
        expect((await mailTo(server, 'stalled@example.test')).subject).to.equal('Reset your Plaza password');
      } finally {
        proxy.set('pass');
        await server.stop();
        await proxy.close();
        await db.dispose();
      }
    },
  );
});

describe('accounts: a damaged password hash', () => {
  it('when a stored password hash is damaged, then sign-in answers 401 11003 and the error log names the user for the operator', async () => {
    const lines: { level: number; msg: string; user_id?: number }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const db = await createTestDatabase();
    const server = await start(testConfig(), { database: db.target, logger });
    try {
      const http = new HttpClient(server.url);
      const me = await http.signUp('damaged');
      await server.services.orm.em
        .fork()
        .getConnection()
        .execute(`update users set password_hash = 'not-an-argon2-hash' where id = ?`, [me.id]);
      expectError(await http.post('/auth/login', { login: 'damaged', password: 'damaged-password' }), 401, 11003);
      const reported = lines.filter((l) => l.user_id === me.id && l.level >= 50);
      expect(reported.map((l) => l.msg).join('\n')).to.match(/password hash is unreadable/);
    } finally {
      await server.stop();
      await db.dispose();
    }
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

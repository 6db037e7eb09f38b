import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { Client, type Room } from '@colyseus/sdk';
import { RequestContext } from '@mikro-orm/core';
import { pino } from 'pino';
import { signUpWithRole, startTestServer, testConfig, type TestServer } from '../helpers/testServer.ts';
import { start } from '../../src/main.ts';
import { baseUrl, createTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import { startTcpProxy } from '../helpers/tcpProxy.ts';
import { expectError, HttpClient, type Session } from '../helpers/http.ts';
import { eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { cliEnv, runCli } from '../helpers/cli.ts';
import { channels } from '../../src/domain/realtime/RealtimeBus.ts';
import { CLI_ACTOR } from '../../src/domain/admin/AuditLog.ts';

/** What rooms hear on the realtime bus's `revoked` channel, collected for a test to wait on. */
function revokedEvents(server: TestServer) {
  const heard: Record<string, unknown>[] = [];
  const waiters: { match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] =
    [];
  void server.services.bus.presence.subscribe(channels.revoked, (event: Record<string, unknown>) => {
    heard.push(event);
    for (const w of waiters.splice(0))
      if (w.match(event)) w.resolve(event);
      else waiters.push(w);
  });
  return {
    heard,
    next: (match: (e: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const found = heard.find(match);
        if (found) resolve(found);
        else waiters.push({ match, resolve });
      }),
  };
}

/** Joins `home` with a token; resolves the close code the server ends the connection with. */
async function homeWith(server: { url: string }, token: string, rooms: Room[]) {
  const client = new Client(server.url.replace('http', 'ws'));
  client.auth.token = token;
  const room = await client.joinOrCreate('home');
  rooms.push(room);
  const closed = new Promise<number>((resolve) => room.onLeave((code) => resolve(code)));
  return { room, closed };
}

async function joinRefused(server: TestServer, token: string): Promise<string> {
  const err = await sdkClient(server, { access_token: token })
    .joinOrCreate('home')
    .then(
      (room) => (void leaveQuietly(room), null),
      (e: Error) => e,
    );
  expect(err, 'the join was refused').to.be.instanceOf(Error);
  return err!.message;
}

describe('revocation: an ended login dies everywhere at once', () => {
  let server: TestServer;
  const rooms: Room[] = [];
  before(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(() => server.close());

  /** A login with two access tokens: the first, and the one its refresh returned. */
  async function loginWithTwoTokens(name: string): Promise<Session & { first: string; second: string }> {
    const session = await server.http.signUp(name);
    const rotated = await server.http.post('/auth/refresh', { refresh_token: session.refresh_token });
    expect(rotated.status).to.equal(200);
    return {
      ...session,
      first: session.access_token,
      second: rotated.body.access_token,
      refresh_token: rotated.body.refresh_token,
    };
  }

  it('when a user logs out, then every access token of that login answers 401 and joins no room, and other logins live', async () => {
    const me = await loginWithTwoTokens('leaver');
    const other = await server.http.signIn('leaver');
    const live = await homeWith(server, me.first, rooms);
    expect((await server.http.post('/auth/logout', undefined, me.second)).status).to.equal(204);
    expect(await live.closed).to.equal(4401);
    for (const token of [me.first, me.second]) {
      expectError(await server.http.get('/users/me', token), 401, 11002);
      expect(await joinRefused(server, token)).to.match(/^\[11002\]/);
    }
    expect((await server.http.get('/users/me', other.access_token)).status).to.equal(200);
  });

  it('when a spent refresh token is replayed, then every access token of that login answers 401, joins no room, and its connections close with 4401', async () => {
    const victim = await server.http.signUp('victim');
    const legit = await server.http.post('/auth/refresh', { refresh_token: victim.refresh_token });
    const live = await homeWith(server, legit.body.access_token, rooms);
    expectError(await server.http.post('/auth/refresh', { refresh_token: victim.refresh_token }), 401, 11005);
    expect(await live.closed).to.equal(4401);
    for (const token of [victim.access_token, legit.body.access_token]) {
      expectError(await server.http.get('/users/me', token), 401, 11002);
      expect(await joinRefused(server, token)).to.match(/^\[11002\]/);
    }
  });

  it('when a validly signed token has no expiry, then no room lets it in', async () => {
    const me = await server.http.signUp('forever');
    const { exp: _exp, ...claims } = jwt.decode(me.access_token) as Record<string, unknown>;
    const eternal = jwt.sign(claims, server.config.JWT_SECRET!, { algorithm: 'HS256' });
    expect(await joinRefused(server, eternal)).to.match(/^\[11002\]/);
  });

  it('when a user is banned, then rooms hear { user_id } and every token of the user answers 401', async () => {
    const events = revokedEvents(server);
    const admin = await signUpWithRole(server, 'moderator', 'admin');
    const spammer = await server.http.signUp('spammer');
    expect(
      (await server.http.post(`/admin/users/${spammer.id}/ban`, { reason: 'spam' }, admin.access_token)).status,
    ).to.equal(200);
    expect(await events.next((e) => e.user_id === spammer.id)).to.deep.equal({ user_id: spammer.id });
    expectError(await server.http.get('/users/me', spammer.access_token), 401, 11002);
  });

  it('when a role changes, then rooms hear { user_id, role }, the old access tokens answer 401 and the login refreshes into the new role', async () => {
    const events = revokedEvents(server);
    const ops = await server.http.signUp('promoted');
    await RequestContext.create(server.services.orm.em, () =>
      server.services.admin.setRole(CLI_ACTOR, { username: 'promoted' }, 'operator'),
    );
    expect(await events.next((e) => e.user_id === ops.id)).to.deep.equal({ user_id: ops.id, role: 'operator' });
    expectError(await server.http.get('/users/me', ops.access_token), 401, 11002);
    const refreshed = await server.http.post('/auth/refresh', { refresh_token: ops.refresh_token });
    expect(refreshed.status).to.equal(200);
    expect(jwt.decode(refreshed.body.access_token)).to.include({ role: 'operator' });
    expect((await server.http.get('/users/me', refreshed.body.access_token)).body.role).to.equal('operator');
  });
});

describe('revocation: bans and role changes made with the server CLI reach a running server', function () {
  // Each CLI call is a process of its own that opens the database: slow on a busy machine.
  this.timeout(180_000);
  if (!usingPostgres) {
    it('is skipped: needs DATABASE_URL (PostgreSQL); the embedded database belongs to the server process, so the CLI cannot run beside it', function () {
      this.skip();
    });
    return;
  }
  let server: TestServer;
  let env: Record<string, string>;
  const rooms: Room[] = [];
  before(async () => {
    server = await startTestServer();
    env = cliEnv(server.database, server.config.DATA_DIR);
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(() => server.close());

  it('when an operator bans a connected user with the CLI, then the room connection closes with 4401 and the REST token gets 401; unban lets them back', async () => {
    const eve = await server.http.signUp('eve');
    const live = await homeWith(server, eve.access_token, rooms);
    const banned = await runCli(env, ['ban', '--username', 'eve', '--reason', 'spam links']);
    expect(banned.code, banned.stderr).to.equal(0);
    expect(banned.stdout).to.match(/"eve" \(id \d+\) is banned/);
    expect(await live.closed).to.equal(4401);
    expectError(await server.http.get('/users/me', eve.access_token), 401, 11002);
    expectError(await server.http.post('/auth/login', { login: 'eve', password: 'eve-password' }), 403, 11008);
    expect((await runCli(env, ['unban', '--username', 'eve'])).code).to.equal(0);
    expect((await server.http.post('/auth/login', { login: 'eve', password: 'eve-password' })).status).to.equal(200);
  });

  it("when the server's listening connection is killed, then it reconnects by itself and a later CLI role change still reaches it", async () => {
    const events = revokedEvents(server);
    const ann = await server.http.signUp('ann');
    const dbName = new URL((server.database as { url: string }).url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    try {
      const killed = await admin.query(
        `select pg_terminate_backend(pid) as killed from pg_stat_activity where datname = $1 and application_name = 'plaza-revocations'`,
        [dbName],
      );
      expect(killed.rows.map((r) => r.killed)).to.deep.equal([true]);
    } finally {
      await admin.end();
    }
    const promoted = await runCli(env, ['promote', '--username', 'ann', '--role', 'operator']);
    expect(promoted.code, promoted.stderr).to.equal(0);
    expect(await events.next((e) => e.user_id === ann.id)).to.deep.equal({ user_id: ann.id, role: 'operator' });
    expectError(await server.http.get('/users/me', ann.access_token), 401, 11002);
  });

  it('when the path to the database stalls, then the server notices its listening connection is dead, reconnects, and catches up with a ban made meanwhile', async function () {
    this.timeout(240_000);
    const db = await createTestDatabase();
    const direct = new URL((db.target as { url: string }).url);
    const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    const log: { msg: string }[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void log.push(JSON.parse(line)) });
    const stalled = await start(testConfig(), { database: { kind: 'postgresql', url: viaProxy.toString() }, logger });
    const http = new HttpClient(stalled.url);
    const mine: Room[] = [];
    try {
      const zed = await http.signUp('zed');
      const live = await homeWith(stalled, zed.access_token, mine);
      proxy.set('freeze');
      const banned = await runCli(cliEnv(db.target, stalled.config.DATA_DIR), [
        'ban',
        '--username',
        'zed',
        '--reason',
        'caught up',
      ]);
      expect(banned.code, banned.stderr).to.equal(0);
      // Nothing tells the server its idle connection stalled but its own heartbeat.
      await eventually(
        () => log.some((l) => /revocation feed lost its database connection/.test(l.msg)),
        'the stalled feed to be noticed',
        60_000,
      );
      proxy.set('pass');
      expect(await live.closed).to.equal(4401);
      expectError(await http.get('/users/me', zed.access_token), 401, 11002);
    } finally {
      proxy.set('pass');
      await Promise.all(mine.map((r) => leaveQuietly(r)));
      await stalled.stop();
      await proxy.close();
      await db.dispose();
    }
  });
});

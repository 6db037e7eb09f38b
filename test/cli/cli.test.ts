import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { eventually } from '../helpers/realtime.ts';
import { mailDrop } from '../../src/services.ts';
import { expectError } from '../helpers/http.ts';
import { cliEnv, runCli } from '../helpers/cli.ts';

describe('server CLI (create-admin, promote, ban)', function () {
  // Each CLI call is a process of its own that opens the database: slow on a busy machine.
  this.timeout(400_000);
  let db: TestDatabase;
  let env: Record<string, string>;
  let pgliteDir: string;

  before(async () => {
    db = await createTestDatabase({ persistent: true });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-cli-'));
    // On PGlite the CLI opens a directory of its own, which it initialises and migrates.
    pgliteDir = path.join(dataDir, 'pglite');
    env = cliEnv(db.target.kind === 'postgresql' ? db.target : { kind: 'pglite', dataDir: pgliteDir }, dataDir);
  });
  after(() => db.dispose());

  const cli = (args: string[], input?: string) => runCli(env, args, input);

  it('when create-admin is run with a password on stdin, then the admin can sign in over the API as admin', async () => {
    const created = await cli(
      ['create-admin', '--username', 'Chief', '--email', 'chief@example.test'],
      'chief-password-1\n',
    );
    expect(created.stderr).to.equal('');
    expect(created.stdout).to.match(/Created admin "chief"/);
    const promoted = await cli([
      'create-admin',
      '--username',
      'ops',
      '--email',
      'ops@example.test',
      '--password',
      'ops-password-1',
    ]);
    expect(promoted.code).to.equal(0);
    expect((await cli(['promote', '--username', 'ops', '--role', 'operator'])).stdout).to.match(/is now operator/);

    const database = db.target.kind === 'postgresql' ? db.target : { kind: 'pglite' as const, dataDir: pgliteDir };
    const server = await startTestServer({}, { database });
    try {
      const login = await server.http.post('/auth/login', { login: 'chief', password: 'chief-password-1' });
      expect(login.status).to.equal(200);
      const audit = await server.http.get('/admin/audit', login.body.access_token);
      expect(audit.status).to.equal(200);
      expect(
        audit.body.items.map((e: { action: string; actor: { name: string } }) => `${e.actor.name}:${e.action}`),
      ).to.include.members(['server-cli:user.create_admin', 'server-cli:user.role']);
      const ops = await server.http.signIn('ops', 'ops-password-1');
      expectError(await server.http.get('/admin/users', ops.access_token), 403, 11007);

      if (db.target.kind === 'pglite') {
        const busy = await cli(['promote', '--username', 'ops', '--role', 'user']);
        expect(busy.code).to.equal(1);
        expect(busy.stderr)
          .to.match(/in use by process \d+/)
          .and.match(/stop that server first/);
      }
    } finally {
      await server.stop();
    }
  });

  it('when the SSH servers file is missing, then the CLI still creates an admin (it runs no SSH commands)', async () => {
    const made = await runCli({ ...env, SSH_SERVERS_FILE: path.join(os.tmpdir(), 'plaza-no-such-servers.yaml') }, [
      'create-admin',
      '--username',
      'keeper',
      '--email',
      'keeper@example.test',
      '--password',
      'keeper-password-1',
    ]);
    expect(made.stderr).to.equal('');
    expect(made.stdout).to.match(/Created admin "keeper"/);
  });

  it('when seed-users --count 3 is run twice, then the users exist once and each signs in with the printed password', async () => {
    const seeded = await cli(['seed-users', '--count', '3', '--prefix', 'seed']);
    expect(seeded.stderr).to.equal('');
    const password = /password: (\S+)$/m.exec(seeded.stdout)?.[1];
    expect(seeded.stdout).to.match(/Seeded 3 users seed1\.\.seed3/);
    const again = await cli(['seed-users', '--count', '3', '--prefix', 'seed']);
    expect(again.stdout).to.match(/Seeded 0 users .*3 already existed/);
    expect((await cli(['seed-users', '--count', '0'])).stderr).to.match(/--count/);

    const database = db.target.kind === 'postgresql' ? db.target : { kind: 'pglite' as const, dataDir: pgliteDir };
    const server = await startTestServer({}, { database });
    try {
      for (const login of ['seed1', 'seed3']) {
        const res = await server.http.post('/auth/login', { login, password });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
      }
      expectError(await server.http.post('/auth/login', { login: 'seed2', password: 'wrong-password' }), 401, 11003);
    } finally {
      await server.stop();
    }
  });

  it('when the CLI is misused, then it prints usage or a plain error and exits non-zero', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).to.not.equal(0);
    expect(unknown.stderr).to.include('Usage:');
    const badRole = await cli(['promote', '--username', 'ops', '--role', 'emperor']);
    expect(badRole.code).to.equal(64);
    expect(badRole.stderr).to.include('--role must be one of');
    const missing = await cli(['promote', '--username', 'nobody', '--role', 'admin']);
    expect(missing.stderr).to.include('User not found');
    const noReason = await cli(['ban', '--username', 'ops']);
    expect(noReason.code).to.equal(64);
    expect(noReason.stderr).to.include('--reason is required');
    const weak = await cli([
      'create-admin',
      '--username',
      'weak',
      '--email',
      'weak@example.test',
      '--password',
      'weak',
    ]);
    expect(weak.stderr).to.include('Password does not meet the policy');
  });

  it('when an operator asks for help or mistypes an option, then the CLI prints usage or names the option, never a stack trace', async () => {
    const help = await cli(['--help']);
    expect(help.code).to.equal(0);
    for (const command of ['create-admin', 'backup', 'backups', 'restore', 'outbox', 'ban']) {
      expect(help.stdout).to.include(`npm run cli -- ${command}`);
    }
    const one = await cli(['backup', '--help']);
    expect(one.code).to.equal(0);
    expect(one.stdout).to.include('npm run cli -- backup [--name <name>]');
    expect(one.stdout).to.not.include('restore');
    const typo = await cli(['backup', '--nmae', 'nightly']);
    expect(typo.code).to.equal(64);
    expect(typo.stderr).to.include("Unknown option '--nmae'");
    expect(typo.stderr).to.include('npm run cli -- backup [--name <name>]');
    const extra = await cli(['backups', 'stray']);
    expect(extra.code).to.equal(64);
    expect(extra.stderr).to.include('Unexpected argument "stray"');
    for (const r of [typo, extra]) expect(r.stderr).to.not.match(/\n\s+at /);
  });
});

describe('server CLI (outbox): mail waiting for the operator', function () {
  this.timeout(180_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('when the operator runs outbox while the server runs, then waiting mail is printed in full once and then leaves the mail drop', async () => {
    await server.http.signUp('forgetful');
    expect((await server.http.post('/auth/password/forgot', { email: 'forgetful@example.test' })).status).to.equal(202);
    await eventually(() => mailDrop(server.config).list().length === 1, 'the reset mail in the mail drop', 15_000);
    const env = cliEnv(server.database, server.config.DATA_DIR);
    const kept = await runCli(env, ['outbox', '--keep']);
    expect(kept.code, kept.stderr).to.equal(0);
    const token = /Reset token: (\S+)/.exec(kept.stdout)?.[1];
    expect(token, kept.stdout).to.be.a('string').and.not.equal('[redacted]');
    expect(kept.stdout).to.include('To: forgetful@example.test').and.include('left in the mail drop');
    const taken = await runCli(env, ['outbox']);
    expect(taken.stdout).to.include(`Reset token: ${token}`).and.include('removed from the mail drop');
    expect((await runCli(env, ['outbox'])).stdout).to.match(/^No mail waiting/);
    expect((await server.http.post('/auth/password/reset', { token, password: 'remembered-at-last' })).status).to.equal(
      204,
    );
  });
});

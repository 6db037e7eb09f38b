import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { cliEnv, runCli } from '../helpers/cli.ts';
import { expectError } from '../helpers/http.ts';

describe('database backups (CLI)', function () {
  this.timeout(180_000);
  let first: TestServer;
  let env: Record<string, string>;

  before(async () => {
    first = await startTestServer({}, { persistent: true });
    await first.http.signUp('before');
    await first.stop();
    env = cliEnv(first.database, fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-backup-')));
  });
  after(() => first.close());

  /** Starts a server on the same database, runs `check`, stops it. */
  async function withServer(check: (server: TestServer) => Promise<void>) {
    const server = await startTestServer({}, { database: first.database });
    try {
      await check(server);
    } finally {
      await server.stop();
    }
  }

  it('when an operator backs up, changes data and restores, then the data is as it was at the backup', async () => {
    const backup = await runCli(env, ['backup']);
    expect(backup.stderr).to.equal('');
    expect(backup.stdout).to.match(/Backup written: .*plaza-.*\((\d+) bytes\)/);

    await withServer(async (server) => {
      await server.http.signUp('after');
    });

    const listed = await runCli(env, ['backups']);
    expect(listed.stdout.trim().split('\n')).to.have.length(1);

    const dry = await runCli(env, ['restore', '--dry-run']);
    expect(dry.stdout).to.include('Dry run').and.include('Nothing was changed');
    const unconfirmed = await runCli(env, ['restore']);
    expect(unconfirmed.code).to.equal(1);
    expect(unconfirmed.stderr).to.include('--yes');
    await withServer(async (server) => {
      expect((await server.http.post('/auth/login', { login: 'after', password: 'after-password' })).status).to.equal(
        200,
      );
    });

    const restored = await runCli(env, ['restore', '--yes']);
    expect(restored.stderr).to.equal('');
    expect(restored.stdout).to.include('Restored');

    await withServer(async (server) => {
      expect((await server.http.post('/auth/login', { login: 'before', password: 'before-password' })).status).to.equal(
        200,
      );
      expectError(await server.http.post('/auth/login', { login: 'after', password: 'after-password' }), 401, 11003);
    });
  });

  it('when the file is missing or of the wrong kind, then restore refuses with a plain message and changes nothing', async () => {
    const missing = await runCli(env, ['restore', '/nonexistent/plaza-x.pgdump', '--yes']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('No backup file');
    const wrongKind = path.join(env.BACKUP_DIR, 'plaza-bogus.txt');
    fs.writeFileSync(wrongKind, 'not a backup');
    const refused = await runCli(env, ['restore', wrongKind, '--yes']);
    expect(refused.stderr).to.include('is not a');
    await withServer(async (server) => {
      expect((await server.http.post('/auth/login', { login: 'before', password: 'before-password' })).status).to.equal(
        200,
      );
    });
  });
});

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/testDatabase.ts';
import { cliEnv, runCli } from '../helpers/cli.ts';
import { form, PNG_1X1, upload } from '../helpers/boards.ts';
import { eventually } from '../helpers/realtime.ts';

/** A data dir of its own, and the generated jwt-secret file in it (JWT_SECRET unset), as in production. */
function freshDataDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

describe('backups and restore (CLI), as an operator runs them', function () {
  this.timeout(300_000);
  let source: TestDatabase;
  let fresh: TestDatabase | undefined;
  let sourceDataDir: string;
  let backupDir: string;

  before(async () => {
    source = await createTestDatabase({ persistent: true });
    sourceDataDir = freshDataDir('plaza-backup-src-');
    backupDir = freshDataDir('plaza-backups-');
  });
  after(async () => {
    await source.dispose();
    await fresh?.dispose();
  });

  const envFor = (database: TestDatabase['target'], dataDir: string) => ({
    ...cliEnv(database, dataDir),
    BACKUP_DIR: backupDir,
  });

  it('when a backup is restored into a fresh data dir and database, then the restored server serves the old uploads and accepts the old tokens', async () => {
    const first = await startTestServer({ DATA_DIR: sourceDataDir, JWT_SECRET: '' }, { database: source.target });
    let token: string;
    let fileId: number;
    try {
      token = (await first.http.signUp('keeper')).access_token;
      const up = await upload(first, '/files', form('file', [{ name: 'kept.png', bytes: PNG_1X1 }]), token);
      expect(up.status, JSON.stringify(up.body)).to.equal(201);
      fileId = up.body.id;
    } finally {
      await first.stop();
    }
    expect(fs.existsSync(path.join(sourceDataDir, 'jwt-secret'))).to.equal(true);

    const made = await runCli(envFor(source.target, sourceDataDir), ['backup', '--name', 'nightly']);
    expect(made.stderr).to.equal('');
    expect(made.stdout).to.match(/Backup written: .*nightly\.backup\.tar\.gz \(\d+ bytes\)/);
    const listed = await runCli(envFor(source.target, sourceDataDir), ['backups']);
    expect(listed.stdout).to.match(/\snightly$/m);
    const again = await runCli(envFor(source.target, sourceDataDir), ['backup', '--name', 'nightly']);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('already exists');

    // A new machine: an empty data dir and a database of its own.
    const restoredDataDir = freshDataDir('plaza-backup-dst-');
    let target: TestDatabase['target'];
    if (usingPostgres) {
      fresh = await createTestDatabase({ persistent: true });
      target = fresh.target;
    } else {
      target = { kind: 'pglite', dataDir: path.join(restoredDataDir, 'pglite') };
    }
    const env = envFor(target, restoredDataDir);

    const dry = await runCli(env, ['restore', 'nightly', '--dry-run']);
    expect(dry.stderr).to.equal('');
    expect(dry.stdout).to.include('archive checked, database readable');
    expect(dry.stdout).to.match(/users\s+1 rows/);
    expect(dry.stdout).to.match(/files\s+1 rows/);
    expect(dry.stdout).to.include('with 1 files');
    expect(dry.stdout).to.include('jwt-secret');
    expect(dry.stdout).to.include('Nothing was changed');
    expect(fs.existsSync(path.join(restoredDataDir, 'uploads'))).to.equal(false);

    const unconfirmed = await runCli(env, ['restore', 'nightly']);
    expect(unconfirmed.code).to.equal(64);
    expect(unconfirmed.stderr).to.include('--yes');

    const restored = await runCli(env, ['restore', 'nightly', '--yes']);
    expect(restored.stderr).to.equal('');
    expect(restored.stdout).to.include('Restored from');

    const second = await startTestServer({ DATA_DIR: restoredDataDir, JWT_SECRET: '' }, { database: target });
    try {
      const me = await second.http.get('/users/me', token);
      expect(me.status, 'a token issued before the backup').to.equal(200);
      expect(me.body.username).to.equal('keeper');
      const res = await fetch(`${second.url}/files/${fileId}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).to.equal(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(PNG_1X1)).to.equal(true);
    } finally {
      await second.stop();
    }
  });

  it('when the archive is missing, damaged or of the other database kind, then restore refuses with a plain message and changes nothing', async () => {
    const env = envFor(source.target, sourceDataDir);
    const missing = await runCli(env, ['restore', 'no-such-backup', '--yes']);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.include('No backup file at no-such-backup');
    const damaged = path.join(backupDir, 'damaged.backup.tar.gz');
    fs.writeFileSync(damaged, 'not a backup');
    const refused = await runCli(env, ['restore', 'damaged', '--yes']);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include('is not a readable Plaza backup');
    fs.rmSync(damaged);
    expect(refused.stderr).to.not.match(/\n\s+at /);
  });

  (usingPostgres ? it : it.skip)(
    'when a running Plaza uses the PostgreSQL database, then restore warns and refuses without --force (PostgreSQL run only: the embedded database is locked by its server instead)',
    async () => {
      const server: TestServer = await startTestServer({ DATA_DIR: sourceDataDir }, { database: source.target });
      try {
        const refused = await runCli(envFor(source.target, sourceDataDir), ['restore', 'nightly', '--yes']);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include('A running Plaza is using this PostgreSQL database');
        expect(refused.stderr).to.include('--force');
        expect((await server.http.get('/users/me', (await server.http.signIn('keeper')).access_token)).status).to.equal(
          200,
        );
      } finally {
        await server.stop();
      }
    },
  );

  (usingPostgres ? it.skip : it)(
    'when the embedded database is in use by a running server, then backup asks that server, which writes a full backup without stopping (embedded run only: PostgreSQL is dumped online by pg_dump)',
    async () => {
      const dataDir = freshDataDir('plaza-online-');
      const env = {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        DATA_DIR: dataDir,
        PGLITE_DIR: path.join(dataDir, 'pglite'),
        BACKUP_DIR: backupDir,
        DATABASE_URL: '',
        LOG_LEVEL: 'info',
      };
      const child = spawn('node', ['--import', 'tsx', 'src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      try {
        await eventually(() => out.includes('Plaza listening'), 'the server is listening', 120_000);
        const url = /"url":"(http:[^"]+)"/.exec(out.split('\n').find((l) => l.includes('Plaza listening'))!)![1];
        const reg = await fetch(`${url}/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'online', email: 'online@example.test', password: 'online-password' }),
        });
        expect(reg.status).to.equal(201);
        const made = await runCli(
          { ...cliEnv({ kind: 'pglite', dataDir: env.PGLITE_DIR }, dataDir), BACKUP_DIR: backupDir },
          ['backup', '--name', 'online'],
        );
        expect(made.stderr).to.equal('');
        expect(made.stdout).to.match(/Backup written by the running server \(pid \d+\): .*online\.backup\.tar\.gz/);
        expect((await fetch(`${url}/health`)).status, 'the server kept running').to.equal(200);
        const dry = await runCli(
          { ...cliEnv({ kind: 'pglite', dataDir: path.join(dataDir, 'elsewhere') }, dataDir), BACKUP_DIR: backupDir },
          ['restore', 'online', '--dry-run'],
        );
        expect(dry.stdout).to.match(/users\s+1 rows/);
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    },
  );
});

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { expect } from 'chai';
import { usingPostgres } from '../helpers/testDatabase.ts';
import { startSshPeers, type SshPeers } from '../helpers/sshFixtures.ts';
import { startSshTestServer, type SshTestServer } from '../helpers/sshServer.ts';
import { SshRoomClient } from '../helpers/sshRoomClient.ts';
import { eventually } from '../helpers/eventually.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Starts `npm start`'s entry point in a child process on the same database; resolves its URL. */
async function startSecondProcess(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('second Plaza process did not start')), 30_000);
    child.once('exit', (code) => reject(new Error(`second Plaza process exited with ${code}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.msg === 'Plaza listening') {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
  });
  return { child, url };
}

describe('ssh session lease across two server processes on one PostgreSQL', () => {
  if (!usingPostgres) {
    it('is skipped: needs DATABASE_URL (PostgreSQL); PGlite belongs to one process', function () {
      this.skip();
    });
    return;
  }

  let peers: SshPeers;
  let server: SshTestServer;
  let second: { child: ChildProcess; url: string };
  const open: SshRoomClient[] = [];

  before(async function () {
    this.timeout(60_000);
    peers = await startSshPeers();
    const settings = { SSH_SERVERS_FILE: peers.file, SSH_SESSION_TTL: '3', SSH_HEALTH_INTERVAL: '5' };
    server = await startSshTestServer(settings);
    if (server.services.orm.config.get('clientUrl') === undefined) throw new Error('expected PostgreSQL');
    second = await startSecondProcess({
      ...settings,
      DATABASE_URL: server.services.orm.config.get('clientUrl'),
      HOST: '127.0.0.1',
      PORT: '0',
      JWT_SECRET: server.config.JWT_SECRET!,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-second-')),
      LOG_LEVEL: 'info',
    });
  });

  after(async () => {
    await Promise.all(open.map((c) => c.leave().catch(() => {})));
    if (second?.child.exitCode === null) {
      const exited = new Promise((r) => second.child.once('exit', r));
      second.child.kill('SIGTERM');
      await exited;
    }
    await server?.close();
    await peers?.stop();
  });

  it('when operators on two processes contend, then one session holds across both and the rules apply', async function () {
    this.timeout(60_000);
    const ann = await SshRoomClient.join(server.url, await server.user('ann', 'operator'));
    const bob = await SshRoomClient.join(second.url, await server.user('bob', 'operator'));
    open.push(ann, bob);
    await ann.next('welcome');
    await bob.next('welcome');

    // Both ask at once: exactly one process grants it.
    const answers = await Promise.all([
      ann.request('start_session', {}, ['session_started', 'error']),
      bob.request('start_session', {}, ['session_started', 'error']),
    ]);
    const winners = answers.filter((a) => a.end.type === 'session_started');
    expect(winners).to.have.length(1);
    const loser = answers.find((a) => a.end.type === 'error')!;
    expect(loser.end.payload.error_code).to.equal(50004);
    const [owner, other] = winners[0] === answers[0] ? [ann, bob] : [bob, ann];

    await eventually(
      () => other.state.session_status.owner === owner.sessionId,
      'the other process to see the owner',
      10_000,
    );
    expect(
      (await other.expectError('ssh_command', { server_name: 'alpha', command: 'true' }, 50008)).detail.owner
        .connection_id,
    ).to.equal(owner.sessionId);
    // The owner's process keeps renewing: the lease outlives its 3 s TTL.
    await new Promise((r) => setTimeout(r, 4000));
    expect(other.state.session_status.owner).to.equal(owner.sessionId);
    expect(
      (await owner.request('ssh_command', { server_name: 'alpha', command: 'echo owner' })).end.payload.exit_code,
    ).to.equal(0);

    await owner.request('end_session', {}, ['session_ended', 'error']);
    await eventually(() => other.state.session_status.active === false, 'the other process to see the end', 10_000);
    expect(
      (await other.request('ssh_command', { server_name: 'alpha', command: 'echo free' })).end.payload.exit_code,
    ).to.equal(0);
  });
});

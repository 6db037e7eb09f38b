import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import YAML from 'yaml';
import { expect } from 'chai';
import { openSshUnavailable, startOpenSsh, type OpenSshPeers } from '../helpers/openssh.ts';
import { startSshTestServer, type SshTestServer } from '../helpers/sshServer.ts';
import { SshRoomClient } from '../helpers/sshRoomClient.ts';
import { eventually } from '../helpers/eventually.ts';

const unavailable = openSshUnavailable();

describe('ssh room against two real OpenSSH servers: the SSH → SCP → SSH workflow', () => {
  if (unavailable) {
    it(`is skipped: ${unavailable}`, function () {
      this.skip();
    });
    return;
  }

  let sshd: OpenSshPeers;
  let server: SshTestServer;
  const open: SshRoomClient[] = [];

  before(async function () {
    this.timeout(60_000);
    sshd = startOpenSsh();
    server = await startSshTestServer({
      SSH_SERVERS_FILE: sshd.serversFile,
      SSH_HEALTH_INTERVAL: '0.5',
      SSH_HEALTH_FAILURES: '1',
    });
  });
  after(async () => {
    await Promise.all(open.map((c) => c.leave().catch(() => {})));
    await server?.close();
    sshd?.release();
  });

  it('when one operator runs a session while another watches, then the watcher sees lock and health change and is refused; all is audited', async function () {
    this.timeout(90_000);
    const transfer = YAML.parse(fs.readFileSync(sshd.serversFile, 'utf8')).transfers[0];
    const data = randomBytes(4 * 1024 * 1024 + 99);
    fs.writeFileSync(transfer.source.path, data);
    const sha256 = createHash('sha256').update(data).digest('hex');

    const ann = await SshRoomClient.join(server.url, await server.user('ann', 'operator'));
    const bob = await SshRoomClient.join(server.url, await server.user('bob', 'operator'));
    const rootToken = await server.user('root', 'admin');
    open.push(ann, bob);
    await ann.next('welcome');
    await eventually(
      () =>
        bob.state.server_health.get('sshd-a')?.is_healthy === true &&
        bob.state.server_health.get('sshd-b')?.is_healthy === true,
      'the awaited state',
      15_000,
    );

    await ann.request('start_session', {}, ['session_started', 'error']);
    await eventually(
      () => bob.state.lock_status.locked === true && bob.state.lock_status.lock_owner === ann.sessionId,
      'the awaited state',
      15_000,
    );
    await bob.expectError('ssh_command', { server_name: 'sshd-b', command: 'true' }, 50008);
    await bob.expectError('scp_transfer', { transfer_name: 'a_to_b' }, 50008);

    const prepare = await ann.request('ssh_command', {
      server_name: 'sshd-a',
      command: `sha256sum ${transfer.source.path}; echo DATA_READY`,
      stop_phrase: 'DATA_READY',
    });
    expect(prepare.end.payload.reason).to.equal('stop_phrase');
    const copy = await ann.request('scp_transfer', { transfer_name: 'a_to_b' });
    expect(copy.end.payload, JSON.stringify(copy.end.payload)).to.include({
      type: 'complete',
      bytes: data.length,
      sha256,
      destination_sha256: sha256,
    });
    const processed = await ann.request('ssh_command', {
      server_name: 'sshd-b',
      command: `sha256sum ${transfer.destination.path} && echo PROCESS_COMPLETE`,
      stop_phrase: 'PROCESS_COMPLETE',
    });
    expect(
      processed.during
        .filter((m) => m.type === 'output')
        .map((m) => m.payload.data)
        .join(''),
    ).to.include(sha256);
    await ann.request('end_session', {}, ['session_ended', 'error']);
    await eventually(() => bob.state.lock_status.locked === false, 'bob.state.lock_status.locked === false', 15_000);

    sshd.control('stop', 'b');
    try {
      await bob.next('server_health', (m) => m.server_name === 'sshd-b' && m.is_healthy === false);
    } finally {
      sshd.control('start', 'b');
    }
    await bob.next('server_health', (m) => m.server_name === 'sshd-b' && m.is_healthy === true);

    const audit = await server.http.get('/admin/ssh/audit?limit=50', rootToken);
    const actions = audit.body.items.map((e: any) => e.action).reverse();
    expect(actions).to.include.members(['ssh.session.start', 'ssh.command', 'ssh.transfer', 'ssh.session.end']);
    const copied = audit.body.items.find((e: any) => e.action === 'ssh.transfer');
    expect(copied.detail).to.include({ bytes: data.length, sha256 });
    expect(copied.actor.name).to.equal('ann');
    const seen = [
      server.logLines.join(''),
      JSON.stringify(audit.body),
      JSON.stringify(ann.messages),
      JSON.stringify(bob.messages),
    ].join('\n');
    expect(seen).to.not.include(process.env.PLAZA_SSHD_PASSWORD);
  });
});

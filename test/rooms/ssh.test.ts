import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { expect } from 'chai';
import { startSshPeers, SSH_SECRETS, type SshPeers } from '../helpers/sshFixtures.ts';
import { startSshTestServer, type SshTestServer } from '../helpers/sshServer.ts';
import { SshRoomClient } from '../helpers/sshRoomClient.ts';
import { eventually } from '../helpers/eventually.ts';
import { expireSshLease } from '../helpers/sshLease.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ssh room (real SDK clients, in-process SSH peers)', () => {
  let peers: SshPeers;
  let server: SshTestServer;
  let tokens: Record<'ann' | 'bob' | 'root' | 'plain', string>;
  const open: SshRoomClient[] = [];

  const join = async (who: keyof typeof tokens) => {
    const c = await SshRoomClient.join(server.url, tokens[who]);
    open.push(c);
    await c.next('welcome');
    return c;
  };

  before(async () => {
    peers = await startSshPeers();
    // A third target: alpha's address pinned to beta's key, as if alpha's key had been swapped.
    const file = YAML.parse(fs.readFileSync(peers.file, 'utf8'));
    file.servers.push({ ...file.servers[0], name: 'gamma', host_key_fingerprint: peers.beta.fingerprint });
    const serversFile = path.join(peers.dir, 'servers-room.yaml');
    fs.writeFileSync(serversFile, YAML.stringify(file));
    server = await startSshTestServer({
      SSH_SERVERS_FILE: serversFile,
      SSH_HEALTH_INTERVAL: '0.3',
      SSH_HEALTH_FAILURES: '1',
      SSH_CONNECT_TIMEOUT: '3',
      SSH_OUTPUT_RATE: '5',
      SSH_OUTPUT_CAP: '20000',
      SSH_SESSION_TTL: '30',
      SSH_SESSION_GRACE: '0.5',
    });
    tokens = {
      ann: await server.user('ann', 'operator'),
      bob: await server.user('bob', 'operator'),
      root: await server.user('root', 'admin'),
      plain: await server.user('plain', 'user'),
    };
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.leave().catch(() => {})));
    await eventually(
      async () => (await server.services.ssh.control.leases.current()) === null,
      'session released',
      5000,
    );
  });

  after(async () => {
    await server?.close();
    await peers?.stop();
  });

  it('when a plain user joins, then the join is refused with 403 [11007]', async () => {
    const err = await SshRoomClient.join(server.url, tokens.plain).catch((e) => e);
    expect(err.code).to.equal(403);
    expect(err.message).to.match(/^\[11007\]/);
  });

  it('when an operator joins, then welcome carries connection_id, lock, session and server health, mirrored in state', async () => {
    const ann = await join('ann');
    const welcome = ann.of('welcome')[0];
    expect(welcome).to.include({ type: 'welcome', connection_id: ann.sessionId });
    expect(welcome.lock_status).to.deep.include({ locked: false, lock_owner: null });
    expect(welcome.session_status).to.deep.include({ active: false, owner: null });
    expect(Object.keys(welcome.server_health).sort()).to.deep.equal(['alpha', 'beta', 'gamma']);
    expect(welcome.server_health.alpha).to.include({ server_name: 'alpha', host: '127.0.0.1' });
    expect(welcome.transfers.map((t: any) => t.transfer_name)).to.deep.equal(['alpha_to_beta']);
    await eventually(
      () =>
        ann.state.server_health.get('alpha')?.is_healthy === true &&
        ann.state.server_health.get('beta')?.is_healthy === true,
      'the awaited state',
      15_000,
    );
    expect(ann.state.lock_status.locked).to.equal(false);
    expect(ann.state.session_status.active).to.equal(false);
  });

  it('when a command writes to both streams, then output arrives in order, told apart, numbered, and complete has the exit code', async () => {
    const ann = await join('ann');
    const { end, during } = await ann.request('ssh_command', {
      server_name: 'alpha',
      command: 'for i in $(seq 1 40); do echo out$i; echo err$i >&2; sleep 0.01; done; exit 7',
    });
    expect(end.type, JSON.stringify(end.payload)).to.equal('complete');
    const outputs = during.filter((m) => m.type === 'output').map((m) => m.payload);
    const stdout = outputs
      .filter((o) => o.stream === 'stdout')
      .map((o) => o.data)
      .join('');
    const stderr = outputs
      .filter((o) => o.stream === 'stderr')
      .map((o) => o.data)
      .join('');
    const lines = (p: string) => Array.from({ length: 40 }, (_, i) => `${p}${i + 1}\n`).join('');
    expect(stdout).to.equal(lines('out'));
    expect(stderr).to.equal(lines('err'));
    expect(during.filter((m) => m.payload.seq).map((m) => m.payload.seq)).to.deep.equal(
      Array.from({ length: outputs.length + 1 }, (_, i) => i + 1),
      'output and complete are numbered 1, 2, … in order',
    );
    expect(end.type).to.equal('complete');
    expect(end.payload).to.include({
      server_name: 'alpha',
      exit_code: 7,
      signal: null,
      reason: 'exit',
      truncated: false,
    });
    expect(end.payload.duration_ms).to.be.a('number');
    expect(outputs.every((o) => o.command_id === end.payload.command_id)).to.equal(true);
  });

  it('when a command draws carriage-return progress, then only the last rewrite of each line is sent', async () => {
    const ann = await join('ann');
    const { during } = await ann.request('ssh_command', {
      server_name: 'alpha',
      command: "printf 'progress 10%%\\rprogress 50%%\\rprogress 100%%\\ndone\\n'",
    });
    const stdout = during
      .filter((m) => m.type === 'output')
      .map((m) => m.payload.data)
      .join('');
    expect(stdout).to.equal('\rprogress 100%\ndone\n');
  });

  it('when the stop phrase is printed, then complete comes at that point', async () => {
    const ann = await join('ann');
    const { end, during } = await ann.request('ssh_command', {
      server_name: 'beta',
      command: 'echo working; echo DATA_READY; sleep 20',
      stop_phrase: 'DATA_READY',
    });
    expect(end.payload, JSON.stringify(end.payload)).to.include({ type: 'complete', reason: 'stop_phrase' });
    expect(
      during
        .filter((m) => m.type === 'output')
        .map((m) => m.payload.data)
        .join(''),
    ).to.equal('working\nDATA_READY');
  });

  it('when the client cancels, then the command is stopped with TERM and complete says so', async () => {
    const ann = await join('ann');
    const from = ann.messages.length;
    ann.send('ssh_command', { server_name: 'alpha', command: 'echo started; sleep 30' });
    await ann.next('output', (o) => o.data.includes('started'), from);
    ann.send('cancel', {});
    const complete = await ann.next('complete', () => true, from);
    expect(complete).to.include({ reason: 'cancelled', signal: 'TERM', exit_code: null });
    await ann.expectError('cancel', {}, 22003);
  });

  it('when timeout_ms passes, then the command is stopped and complete says timeout', async () => {
    const ann = await join('ann');
    const { end } = await ann.request('ssh_command', { server_name: 'alpha', command: 'sleep 30', timeout_ms: 300 });
    expect(end.payload).to.include({ reason: 'timeout', signal: 'TERM' });
  });

  it('when output passes the cap, then it is cut there and complete says truncated', async () => {
    const ann = await join('ann');
    const { end, during } = await ann.request('ssh_command', { server_name: 'alpha', command: 'yes plaza' });
    expect(end.payload).to.include({ truncated: true, reason: 'output_cap' });
    expect(
      during
        .filter((m) => m.type === 'output')
        .map((m) => m.payload.data)
        .join(''),
    ).to.have.length(20_000);
  });

  it('when a second command is sent while one runs, then 22002; unknown servers get 20004; a bad message 30008', async () => {
    const ann = await join('ann');
    ann.send('ssh_command', { server_name: 'alpha', command: 'sleep 30' });
    await ann.expectError('ssh_command', { server_name: 'alpha', command: 'true' }, 22002);
    ann.send('cancel', {});
    await ann.next('complete');
    await ann.expectError('ssh_command', { server_name: 'nowhere', command: 'true' }, 20004);
    await ann.expectError('ssh_command', { server_name: 'alpha' }, 30008);
  });

  it('when two operators contend for the session, then 50004/50008/50006/50005 with the owner shown, and state follows', async () => {
    const ann = await join('ann');
    const bob = await join('bob');
    const { end } = await ann.request('start_session', {}, ['session_started', 'error']);
    expect(end.payload).to.include({ type: 'session_started', session_owner: ann.sessionId });
    await eventually(() => bob.state.lock_status.locked === true, 'bob.state.lock_status.locked === true', 15_000);
    expect(bob.state.session_status.owner).to.equal(ann.sessionId);
    expect(bob.state.session_status.owner_username).to.equal('ann');

    const owner = { connection_id: ann.sessionId, username: 'ann' };
    expect((await bob.expectError('start_session', {}, 50004)).detail.owner).to.include(owner);
    expect(
      (await bob.expectError('ssh_command', { server_name: 'alpha', command: 'echo hi' }, 50008)).detail.owner,
    ).to.include(owner);
    expect((await bob.expectError('end_session', {}, 50006)).detail.owner).to.include(owner);

    const run = await ann.request('ssh_command', { server_name: 'alpha', command: 'echo mine' });
    expect(run.end.payload.exit_code).to.equal(0);

    const ended = await ann.request('end_session', {}, ['session_ended', 'error']);
    expect(ended.end.type).to.equal('session_ended');
    await eventually(() => bob.state.lock_status.locked === false, 'bob.state.lock_status.locked === false', 15_000);
    await bob.expectError('end_session', {}, 50005);
    expect(
      (await bob.request('ssh_command', { server_name: 'alpha', command: 'echo free' })).end.payload.exit_code,
    ).to.equal(0);
  });

  it('when the owner runs SSH → SCP → SSH in a session, then the file arrives with a checked sha256 and others are locked out', async () => {
    const data = Buffer.alloc(2 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
    fs.writeFileSync(peers.source, data);
    const sha256 = createHash('sha256').update(data).digest('hex');
    const ann = await join('ann');
    const bob = await join('bob');
    await ann.expectError('scp_transfer', { transfer_name: 'alpha_to_beta' }, 50005);
    await ann.request('start_session', {}, ['session_started', 'error']);

    expect(
      (
        await ann.request('ssh_command', {
          server_name: 'alpha',
          command: `sha256sum ${peers.source}`,
          stop_phrase: 'source.bin',
        })
      ).end.payload.reason,
    ).to.equal('stop_phrase');
    await bob.expectError('scp_transfer', { transfer_name: 'alpha_to_beta' }, 50008);
    const transfer = await ann.request('scp_transfer', { transfer_name: 'alpha_to_beta' });
    expect(transfer.end.type, JSON.stringify(transfer.end.payload)).to.equal('complete');
    expect(transfer.end.payload).to.include({
      transfer_name: 'alpha_to_beta',
      bytes: data.length,
      sha256,
      destination_sha256: sha256,
    });
    const progress = transfer.during
      .filter((m) => m.type === 'output')
      .map((m) => m.payload.data)
      .join('');
    expect(progress).to.include('Transferring alpha_to_beta');
    expect(progress).to.include('(100%)');
    expect(fs.readFileSync(peers.destination).equals(data)).to.equal(true);
    const check = await ann.request('ssh_command', { server_name: 'beta', command: `sha256sum ${peers.destination}` });
    expect(
      check.during
        .filter((m) => m.type === 'output')
        .map((m) => m.payload.data)
        .join(''),
    ).to.include(sha256);
    await ann.expectError('scp_transfer', { transfer_name: 'nope' }, 24001);
    await ann.request('end_session', {}, ['session_ended', 'error']);
  });

  it('when the owner drops and does not come back within the grace period, then the session ends for everyone', async () => {
    const ann = await join('ann');
    const bob = await join('bob');
    await ann.request('start_session', {}, ['session_started', 'error']);
    await eventually(
      () => bob.state.session_status.active === true,
      'bob.state.session_status.active === true',
      15_000,
    );
    open.splice(open.indexOf(ann), 1);
    ann.drop();
    await eventually(() => bob.state.session_status.active === false, 'session end after the grace', 10_000);
    const audit = await server.http.get('/admin/ssh/audit?action=ssh.session.end&limit=1', tokens.root);
    expect(audit.body.items[0].detail.reason).to.equal('owner_disconnected');
  });

  it('when the owner drops and the SDK reconnects within the grace period, then the session stays theirs', async () => {
    const ann = await join('ann');
    await ann.request('start_session', {}, ['session_started', 'error']);
    Object.assign(ann.room.reconnection, { minUptime: 0, minDelay: 20, delay: 20, maxDelay: 50 });
    const sessionId = ann.sessionId;
    const reconnected = new Promise<void>((resolve) => ann.room.onReconnect(() => resolve()));
    ann.room.connection.close();
    await reconnected;
    // Back attached: the room renews the lease to a full TTL again (the drop had cut it to the grace).
    await eventually(
      async () => {
        const lease = await server.services.ssh.control.leases.current();
        return lease?.owner.connectionId === sessionId && lease.expiresAt.getTime() - Date.now() > 10_000;
      },
      'the awaited state',
      15_000,
    );
    await sleep(1000); // past the grace period (0.5 s): the seat's timer must not end the session
    const lease = await server.services.ssh.control.leases.current();
    expect(lease?.owner.connectionId).to.equal(sessionId);
    expect(
      (await ann.request('ssh_command', { server_name: 'alpha', command: 'echo still mine' })).end.payload.exit_code,
    ).to.equal(0);
    await ann.request('end_session', {}, ['session_ended', 'error']);
  });

  it('when a lease held elsewhere is not renewed, then it blocks until it expires, then others may operate', async () => {
    const bob = await join('bob');
    // Another server process took the session and then died: nobody here renews it.
    await server.services.ssh.control.leases.acquire({
      connectionId: 'other-process-conn',
      userId: 999,
      username: 'ghost',
    });
    await eventually(
      () => bob.state.session_status.owner === 'other-process-conn',
      "bob.state.session_status.owner === 'other-process-conn'",
      15_000,
    );
    const locked = await bob.expectError('ssh_command', { server_name: 'alpha', command: 'true' }, 50008);
    expect(locked.detail.owner).to.include({ connection_id: 'other-process-conn', username: 'ghost' });
    await expireSshLease(server.services.orm.em);
    await eventually(() => bob.state.session_status.active === false, 'lease expiry', 10_000);
    expect(
      (await bob.request('ssh_command', { server_name: 'alpha', command: 'true' })).end.payload.exit_code,
    ).to.equal(0);
  });

  it('when an admin takes over or ends a session, then the owner is told; an operator cannot take over', async () => {
    const ann = await join('ann');
    const bob = await join('bob');
    const root = await join('root');
    await ann.request('start_session', {}, ['session_started', 'error']);
    await bob.expectError('take_over_session', {}, 11007);
    const taken = await root.request('take_over_session', {}, ['session_started', 'error']);
    expect(taken.end.payload.previous_owner).to.include({ connection_id: ann.sessionId, username: 'ann' });
    expect((await ann.next('session_ended')).reason).to.equal('taken_over');
    await eventually(
      () => bob.state.session_status.owner === root.sessionId,
      'bob.state.session_status.owner === root.sessionId',
      15_000,
    );
    await ann.expectError('ssh_command', { server_name: 'alpha', command: 'true' }, 50008);
    await root.request('end_session', {}, ['session_ended', 'error']);

    await bob.request('start_session', {}, ['session_started', 'error']);
    const forced = await root.request('end_session', {}, ['session_ended', 'error']);
    expect(forced.end.payload.reason).to.equal('ended_by_admin');
    expect((await bob.next('session_ended')).reason).to.equal('ended_by_admin');
    expect(ann.of('session_ended').map((m) => m.reason)).to.deep.equal(['taken_over'], 'told once, and why');
  });

  it('when a target stops and comes back, then server_health is broadcast both ways and state follows', async () => {
    const bob = await join('bob');
    await eventually(
      () => bob.state.server_health.get('alpha')?.is_healthy === true,
      "bob.state.server_health.get('alpha')?.is_healthy === true",
      15_000,
    );
    const from = bob.messages.length;
    await peers.alpha.stop();
    const down = await bob.next('server_health', (m) => m.server_name === 'alpha' && !m.is_healthy, from);
    expect(down.status).to.include({ server_name: 'alpha', is_healthy: false });
    expect(down.status.consecutive_failures).to.be.at.least(1);
    await eventually(
      () => bob.state.server_health.get('alpha').is_healthy === false,
      "bob.state.server_health.get('alpha').is_healthy === false",
      15_000,
    );
    await peers.alpha.start();
    const up = await bob.next('server_health', (m) => m.server_name === 'alpha' && m.is_healthy, from);
    expect(up.status.consecutive_successes).to.be.at.least(1);
    await eventually(
      () => bob.state.server_health.get('alpha').is_healthy === true,
      "bob.state.server_health.get('alpha').is_healthy === true",
      15_000,
    );
  });

  it('when a target presents a key other than the pinned one, then it is unhealthy and commands are refused with 20003', async () => {
    const bob = await join('bob');
    await eventually(
      () => bob.state.server_health.get('gamma')?.last_error_code === 20003,
      "bob.state.server_health.get('gamma')?.last_error_code === 20003",
      15_000,
    );
    expect(bob.state.server_health.get('gamma').is_healthy).to.equal(false);
    const err = await bob.expectError('ssh_command', { server_name: 'gamma', command: 'echo should-not-run' }, 20003);
    expect(err.detail).to.include({
      server: 'gamma',
      expected: peers.beta.fingerprint,
      presented: peers.alpha.fingerprint,
    });
    expect(peers.alpha.commands).to.not.include('echo should-not-run');
  });

  it('when an admin reads /admin/ssh/audit, then commands, cancels, transfers and sessions are there without output', async () => {
    const res = await server.http.get('/admin/ssh/audit?limit=100', tokens.root);
    expect(res.status).to.equal(200);
    const actions = new Set(res.body.items.map((e: any) => e.action));
    for (const a of [
      'ssh.command',
      'ssh.cancel',
      'ssh.transfer',
      'ssh.session.start',
      'ssh.session.end',
      'ssh.session.takeover',
    ])
      expect(actions).to.include(a);
    const cmd = res.body.items.find((e: any) => e.action === 'ssh.command' && e.detail.exit_code === 7);
    expect(cmd.actor.name).to.equal('ann');
    expect(cmd.target).to.deep.equal({ type: 'ssh_server', id: 'alpha' });
    expect(cmd.detail).to.include({ exit_code: 7, reason: 'exit' });
    expect(cmd.detail.command).to.include('seq 1 40');
    expect(cmd.detail.duration_ms).to.be.a('number');
    expect(cmd.detail.bytes).to.be.above(0);
    const transfer = res.body.items.find((e: any) => e.action === 'ssh.transfer' && e.detail.bytes);
    expect(transfer.detail.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(res.body)).to.not.include('out12\n');
    const page = await server.http.get('/admin/ssh/audit?limit=2', tokens.root);
    expect(page.body.items).to.have.length(2);
    expect(page.body.next_cursor).to.be.a('string');
    expect((await server.http.get('/admin/ssh/audit', tokens.ann)).status).to.equal(403);
    const openapi = await server.http.get('/openapi.json');
    expect(openapi.body.paths['/admin/ssh/audit'].get.summary).to.equal('SSH audit log, newest first');
  });

  it('when everything above has run, then no password or passphrase appears in logs, state, messages or the audit log', async () => {
    const bob = await join('bob');
    const audit = await server.http.get('/admin/ssh/audit?limit=100', tokens.root);
    const everything = [
      server.logLines.join(''),
      JSON.stringify(bob.state.toJSON()),
      JSON.stringify(bob.messages),
      JSON.stringify(audit.body),
    ].join('\n');
    expect(server.logLines.length).to.be.above(10);
    for (const secret of Object.values(SSH_SECRETS)) expect(everything).to.not.include(secret);
    expect(everything).to.not.include('PRIVATE KEY');
  });
});

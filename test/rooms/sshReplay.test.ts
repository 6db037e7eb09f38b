import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { startSshPeers, type SshPeers } from '../helpers/sshFixtures.ts';
import { startSshTestServer, type SshTestServer } from '../helpers/sshServer.ts';
import { SshRoomClient } from '../helpers/sshRoomClient.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcpProxy.ts';

const REPLAY_BUFFER = 16 * 1024;
const MESSAGE_MAX = 4096;

/** The output of one command as a client saw it: every numbered message, in arrival order. */
function numbered(client: SshRoomClient, commandId: string) {
  return client.messages.filter(
    (m) => ['output', 'complete', 'error'].includes(m.type) && m.payload.command_id === commandId,
  );
}

describe('ssh room output across a lost connection (real SDK client through a TCP proxy)', function () {
  this.timeout(180_000);
  let peers: SshPeers;
  let server: SshTestServer;
  let proxy: TcpProxy;
  let token: string;
  let rootToken: string;
  const open: SshRoomClient[] = [];

  before(async () => {
    peers = await startSshPeers();
    server = await startSshTestServer({
      SSH_SERVERS_FILE: peers.file,
      SSH_HEALTH_INTERVAL: '30',
      SSH_OUTPUT_RATE: '10',
      SSH_OUTPUT_MESSAGE_MAX: String(MESSAGE_MAX),
      SSH_REPLAY_BUFFER: String(REPLAY_BUFFER),
      SSH_SESSION_TTL: '120',
      SSH_SESSION_GRACE: '60',
    });
    proxy = await startTcpProxy({ port: Number(new URL(server.url).port) });
    token = await server.user('olga', 'operator');
    rootToken = await server.user('rooty', 'admin');
  });

  afterEach(async () => {
    proxy.set('pass');
    await Promise.all(open.splice(0).map((c) => c.leave().catch(() => {})));
  });

  after(async () => {
    await proxy?.close();
    await server?.close();
    await peers?.stop();
  });

  const join = async () => {
    const client = await SshRoomClient.join(`http://127.0.0.1:${proxy.port}`, token);
    open.push(client);
    await client.next('welcome');
    Object.assign(client.room.reconnection, { minUptime: 0, minDelay: 20, delay: 20, maxDelay: 100, maxRetries: 1000 });
    return client;
  };

  /**
   * Starts a command that prints `start`, waits for a flag file, then prints `script`'s output. The
   * connection is cut (reconnects hang) and, once the server has seen the drop, the flag lets the
   * command print into the outage; the test waits until the command has finished on the server.
   */
  async function printWhileDisconnected(client: SshRoomClient, script: string) {
    const flag = path.join(peers.dir, `flag-${Date.now()}-${Math.random()}`);
    await client.request('start_session', {}, ['session_started', 'error']);
    const from = client.messages.length;
    client.send('ssh_command', {
      server_name: 'alpha',
      command: `echo start; while [ ! -f ${flag} ]; do sleep 0.05; done; ${script}`,
    });
    const first = await client.next('output', (o) => o.data.includes('start'), from);
    const commandId: string = first.command_id;
    const seenBeforeCut = numbered(client, commandId).length;

    proxy.set('hang');
    proxy.cut();
    // The server saw the drop when it shortened the owner's session to the reconnect grace.
    await eventually(
      async () => {
        const lease = await server.services.ssh.control.leases.current();
        return lease !== null && lease.expiresAt.getTime() - Date.now() < 90_000;
      },
      'the server to notice the drop',
      30_000,
    );
    fs.writeFileSync(flag, '');
    await eventually(
      async () => {
        const audit = await server.http.get('/admin/ssh/audit?action=ssh.command&limit=5', rootToken);
        return audit.body.items.some((e: any) => e.detail.command?.includes(flag));
      },
      'the command to finish on the server',
      60_000,
    );
    const reconnected = new Promise<void>((resolve) => client.room.onReconnect(() => resolve()));
    proxy.set('pass');
    proxy.cut(); // ends the reconnect attempts that hung, so the SDK's next one gets through
    await reconnected;
    const end = await client.next('complete', (c) => c.command_id === commandId, from, 60_000);
    return { commandId, seenBeforeCut, end };
  }

  it('when the connection is cut while a command prints, then after the SDK reconnects the missed output arrives once, in order, numbered', async () => {
    const client = await join();
    const { commandId, seenBeforeCut, end } = await printWhileDisconnected(
      client,
      'for i in $(seq 1 300); do echo line$i; done; exit 3',
    );
    const messages = numbered(client, commandId);
    expect(messages.map((m) => m.payload.seq)).to.deep.equal(
      Array.from({ length: messages.length }, (_, i) => i + 1),
      'every seq once, in order',
    );
    expect(messages.length).to.be.above(seenBeforeCut);
    const stdout = messages
      .filter((m) => m.type === 'output')
      .map((m) => m.payload.data)
      .join('');
    expect(stdout).to.equal('start\n' + Array.from({ length: 300 }, (_, i) => `line${i + 1}\n`).join(''));
    expect(end).to.include({ exit_code: 3, reason: 'exit' });
    expect(client.of('output_gap')).to.deep.equal([]);
    await client.request('end_session', {}, ['session_ended', 'error']);
  });

  it('when more output than the replay buffer is printed during the outage, then a gap marker says how many bytes were dropped and the rest follows', async () => {
    const client = await join();
    const lines = 20_000;
    const { commandId, seenBeforeCut, end } = await printWhileDisconnected(client, `seq 1 ${lines}`);
    const gaps = client.of('output_gap');
    expect(gaps).to.have.length(1);
    const gap = gaps[0];
    expect(gap).to.include({ command_id: commandId, server_name: 'alpha', after_seq: seenBeforeCut });
    const expected = 'start\n' + Array.from({ length: lines }, (_, i) => `${i + 1}\n`).join('');
    const received = numbered(client, commandId)
      .filter((m) => m.type === 'output')
      .map((m) => m.payload.data)
      .join('');
    expect(gap.bytes_dropped).to.be.above(0);
    expect(Buffer.byteLength(received) + gap.bytes_dropped).to.equal(Buffer.byteLength(expected));
    expect(expected.endsWith(received.slice('start\n'.length))).to.equal(true);
    expect(Buffer.byteLength(received) - 'start\n'.length).to.be.at.most(REPLAY_BUFFER);
    expect(gap.next_seq).to.equal(
      numbered(client, commandId).find((m) => m.payload.seq > seenBeforeCut)?.payload.seq,
      'the replay resumes right after the gap',
    );
    expect(end).to.include({ reason: 'exit', exit_code: 0 });
    await client.request('end_session', {}, ['session_ended', 'error']);
  });

  it('when a command prints a large block at once, then no output message exceeds the cap and the pieces join in order', async () => {
    const client = await join();
    const size = 300_000;
    const { end, during } = await client.request('ssh_command', {
      server_name: 'alpha',
      command: `head -c ${size} /dev/zero | tr '\\0' 'a'; printf 'é%.0s' $(seq 1 3000)`,
    });
    expect(end.type).to.equal('complete');
    const outputs = during.filter((m) => m.type === 'output').map((m) => m.payload);
    for (const o of outputs) expect(Buffer.byteLength(o.data)).to.be.at.most(MESSAGE_MAX);
    expect(outputs.map((o) => o.data).join('')).to.equal('a'.repeat(size) + 'é'.repeat(3000));
    expect(outputs.map((o) => o.seq)).to.deep.equal(Array.from({ length: outputs.length }, (_, i) => i + 1));
  });

  it('when a client asks with output_sync, then it gets what it has not seen of its latest command; an unknown command is 22004', async () => {
    const client = await join();
    const { end } = await client.request('ssh_command', { server_name: 'alpha', command: 'echo one; echo two >&2' });
    const commandId = end.payload.command_id;
    const before = numbered(client, commandId);
    const from = client.messages.length;
    client.send('output_sync', { command_id: commandId, after_seq: 1 });
    await client.next('complete', (c) => c.command_id === commandId, from);
    expect(client.messages.slice(from).map((m) => m.payload)).to.deep.equal(before.slice(1).map((m) => m.payload));
    await client.expectError('output_sync', { command_id: 'not-mine', after_seq: 0 }, 22004);
  });
});

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import YAML from 'yaml';
import { sshSecretLookup } from '../../src/config.ts';
import { AppError } from '../../src/errors/index.ts';
import type { CommandRequest } from '../../src/domain/ssh/ports.ts';
import { connectFailure, execCollecting, testGateway, testHealthMonitor } from '../helpers/sshExec.ts';
import { loadServersFile, ServersFileError } from '../../src/infra/ssh/serversFile.ts';
import type { Ssh2Gateway } from '../../src/infra/ssh/Ssh2Gateway.ts';
import { startSshPeers, SSH_SECRETS, type SshPeers } from '../helpers/sshFixtures.ts';

describe('SSH infrastructure on ssh2 (in-process SSH peers)', () => {
  let peers: SshPeers;
  let gateway: Ssh2Gateway;

  before(async () => {
    peers = await startSshPeers();
    gateway = testGateway(peers.file);
  });
  after(async () => {
    await gateway.close();
    await peers.stop();
  });

  const run = (server: string, command: string, extra: Partial<CommandRequest> = {}) =>
    execCollecting(gateway, server, command, { timeoutMs: 10_000, ...extra });

  it('when a command writes to stdout and stderr, then both arrive in order and told apart, with the exit code', async () => {
    const { result, stdout, stderr } = await run(
      'alpha',
      'for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.05; done; exit 3',
    );
    expect(stdout).to.equal('out1\nout2\nout3\n');
    expect(stderr).to.equal('err1\nerr2\nerr3\n');
    expect(result).to.include({ exitCode: 3, signal: null, reason: 'exit', truncated: false });
  });

  it('when the target uses key auth with a passphrase, then the command runs there', async () => {
    const { result, stdout } = await run('beta', 'echo hello from beta');
    expect(stdout).to.equal('hello from beta\n');
    expect(result.exitCode).to.equal(0);
  });

  it('when the stop phrase appears, then the command counts as complete right after it', async () => {
    const { result, stdout } = await run('alpha', 'echo preparing; echo DATA_READY; sleep 5; echo never', {
      stopPhrase: 'DATA_READY',
    });
    expect(stdout).to.equal('preparing\nDATA_READY');
    expect(result.reason).to.equal('stop_phrase');
  });

  it('when the stop phrase is split across chunks, then it is still found', async () => {
    const { result, stdout } = await run('alpha', "printf 'wait..DO'; sleep 0.2; printf 'NE tail'; sleep 5", {
      stopPhrase: 'DONE',
    });
    expect(stdout).to.equal('wait..DONE');
    expect(result.reason).to.equal('stop_phrase');
  });

  it('when the caller aborts, then the command gets TERM and the result says cancelled', async () => {
    const abort = new AbortController();
    const { result } = await run('alpha', 'echo started; sleep 30', {
      signal: abort.signal,
      onOutput: () => abort.abort(),
    });
    expect(result.reason).to.equal('cancelled');
    expect(result.signal).to.equal('TERM');
    expect(peers.alpha.signals).to.include('TERM');
  });

  it('when the timeout passes, then the command is stopped and the result says timeout', async () => {
    const { result } = await run('alpha', 'sleep 30', { timeoutMs: 300 });
    expect(result).to.include({ reason: 'timeout', signal: 'TERM' });
  });

  it('when output exceeds the cap, then exactly the cap is delivered and the result says truncated', async () => {
    const { result, stdout } = await run('alpha', 'yes plaza', { outputCap: 50_000 });
    expect(result).to.include({ reason: 'output_cap', truncated: true, bytes: 50_000 });
    expect(stdout.length).to.equal(50_000);
  });

  it('when several commands run on one target, then they share one pooled connection', async () => {
    await Promise.all([run('alpha', 'true'), run('alpha', 'true'), run('beta', 'true')]);
    expect(gateway.pool.openCount()).to.equal(2);
  });

  it('when a pooled connection has nothing to run for the idle time, then it is closed', async () => {
    const idle = testGateway(peers.file, { idleMs: 200 });
    try {
      await idle.exec({
        server: 'alpha',
        command: 'true',
        timeoutMs: 5000,
        outputCap: 10,
        signal: new AbortController().signal,
        onOutput: () => {},
      });
      expect(idle.pool.openCount()).to.equal(1);
      await new Promise((r) => setTimeout(r, 500));
      expect(idle.pool.openCount()).to.equal(0);
    } finally {
      await idle.close();
    }
  });

  it('when a transfer runs, then the file arrives intact and both sha256 agree', async () => {
    const data = Buffer.alloc(3 * 1024 * 1024 + 123);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
    fs.writeFileSync(peers.source, data);
    const progress: number[] = [];
    const transfer = gateway.transfers()[0];
    const result = await gateway.transfer({
      transfer,
      signal: new AbortController().signal,
      onProgress: (bytes) => progress.push(bytes),
    });
    const expected = createHash('sha256').update(data).digest('hex');
    expect(result).to.include({ bytes: data.length, sha256: expected, destinationSha256: expected });
    expect(fs.readFileSync(peers.destination).equals(data)).to.equal(true);
    expect(progress.at(-1)).to.equal(data.length);
    expect(fs.existsSync(`${peers.destination}.plaza-part`)).to.equal(false);
  });

  it('when a transfer is cancelled, then it stops with 24002, leaves no partial file and keeps the old destination', async () => {
    fs.writeFileSync(peers.source, Buffer.alloc(16 * 1024 * 1024, 1));
    fs.writeFileSync(peers.destination, 'previous copy');
    const abort = new AbortController();
    const transfer = gateway.transfers()[0];
    const err = await gateway
      .transfer({ transfer, signal: abort.signal, onProgress: () => abort.abort() })
      .catch((e) => e);
    expect(err.code).to.equal(24002);
    expect(err.detail).to.include({ transfer: 'alpha_to_beta', reason: 'cancelled' });
    expect(fs.existsSync(`${peers.destination}.plaza-part`)).to.equal(false);
    expect(fs.readFileSync(peers.destination, 'utf8')).to.equal('previous copy');
  });

  it('when the source file is missing, then 24002 says so', async () => {
    fs.rmSync(peers.source, { force: true });
    const err = await gateway
      .transfer({ transfer: gateway.transfers()[0], signal: new AbortController().signal, onProgress: () => {} })
      .catch((e) => e);
    expect(err.code).to.equal(24002);
    expect(err.detail.reason).to.match(/^source .*source\.bin: .*no such file/i);
  });

  it('when the pinned fingerprint does not match, then the connection is refused with 20003', async () => {
    const servers = loadServersFile(peers.file, sshSecretLookup());
    servers.targets[0].hostKeyFingerprint = peers.beta.fingerprint;
    const before = peers.alpha.commands.length;
    const err = await connectFailure(servers, 'alpha');
    expect(err).to.be.instanceOf(AppError);
    expect(err.code).to.equal(20003);
    expect(err.detail).to.include({ expected: peers.beta.fingerprint, presented: peers.alpha.fingerprint });
    expect(peers.alpha.commands.length).to.equal(before);
  });

  it('when the password is wrong, then 21001 comes back without the password in it', async () => {
    const env: Record<string, string> = {
      PLAZA_TEST_SSH_PASSWORD: 'not-the-password',
      PLAZA_TEST_SSH_PASSPHRASE: SSH_SECRETS.passphrase,
    };
    const err = await connectFailure(peers.file, 'alpha', env);
    expect(err.code).to.equal(21001);
    expect(JSON.stringify(err.toRoomMessage())).to.not.include('not-the-password');
  });

  it('when a target stops and comes back, then its health flips to unhealthy and back', async () => {
    const servers = loadServersFile(peers.file, sshSecretLookup());
    const monitor = testHealthMonitor(servers.targets, { timeoutMs: 2000, failuresToUnhealthy: 1 });
    const alpha = servers.targets[0];
    expect((await monitor.check(alpha)).is_healthy).to.equal(true);
    await peers.alpha.stop();
    const down = await monitor.check(alpha);
    expect(down).to.include({ is_healthy: false, consecutive_failures: 1, consecutive_successes: 0 });
    expect(down.last_error?.error_code).to.equal(20001);
    await peers.alpha.start();
    const up = await monitor.check(alpha);
    expect(up).to.include({ is_healthy: true, consecutive_failures: 0, consecutive_successes: 1 });
  });

  it('when a target presents the wrong host key, then the health check fails at once with 20003', async () => {
    const servers = loadServersFile(peers.file, sshSecretLookup());
    servers.targets[1].hostKeyFingerprint = peers.alpha.fingerprint;
    const monitor = testHealthMonitor(servers.targets, { timeoutMs: 2000, failuresToUnhealthy: 3 });
    await monitor.check(servers.targets[1]);
    const health = await monitor.check(servers.targets[1]);
    expect(health.is_healthy).to.equal(false);
    expect(health.last_error?.error_code).to.equal(20003);
  });

  it('when the servers file names an unset variable or a bad fingerprint, then loading fails naming it, without secrets', () => {
    const bad = path.join(peers.dir, 'bad.json');
    /** A servers file with one server whose password comes from an unset variable. */
    const writeServer = (fingerprint: string) =>
      fs.writeFileSync(
        bad,
        JSON.stringify({
          servers: [
            {
              name: 'x',
              host: 'h',
              username: 'u',
              host_key_fingerprint: fingerprint,
              auth: { password_env: 'NOPE_NOT_SET' },
            },
          ],
        }),
      );
    writeServer('SHA256:short');
    expect(() => loadServersFile(bad, () => undefined)).to.throw(ServersFileError, /host_key_fingerprint/);
    writeServer(peers.alpha.fingerprint);
    expect(() => loadServersFile(bad, () => undefined)).to.throw(ServersFileError, /NOPE_NOT_SET is not set/);
    const keyed = YAML.parse(fs.readFileSync(peers.file, 'utf8'));
    fs.writeFileSync(bad, JSON.stringify({ servers: [keyed.servers[1]] }));
    const wrongPhrase = () =>
      loadServersFile(bad, (name) => (name === 'PLAZA_TEST_SSH_PASSPHRASE' ? 'wrong-phrase-123' : undefined));
    expect(wrongPhrase).to.throw(ServersFileError, /passphrase is wrong or missing/);
    expect(wrongPhrase).to.not.throw(/wrong-phrase-123/);
    const loaded = loadServersFile(peers.file, sshSecretLookup());
    const dump = JSON.stringify(loaded);
    expect(dump).to.not.include(SSH_SECRETS.password);
    expect(dump).to.not.include(SSH_SECRETS.passphrase);
    expect(dump).to.not.include('PRIVATE KEY');
  });
});

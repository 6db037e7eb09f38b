import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import { sshSecretLookup } from '../../src/config.ts';
import type { CommandRequest } from '../../src/domain/ssh/ports.ts';
import { connectFailure, execCollecting, testGateway, testHealthMonitor } from '../helpers/sshExec.ts';
import { loadServersFile } from '../../src/infra/ssh/serversFile.ts';
import type { Ssh2Gateway } from '../../src/infra/ssh/Ssh2Gateway.ts';
import { openSshUnavailable, startOpenSsh, type OpenSshPeers } from '../helpers/openssh.ts';

const unavailable = openSshUnavailable();

describe('SSH infrastructure against real OpenSSH sshd on 127.0.0.1', () => {
  if (unavailable) {
    it(`is skipped: ${unavailable}`, function () {
      this.skip();
    });
    return;
  }

  let sshd: OpenSshPeers;
  let gateway: Ssh2Gateway;

  before(function () {
    this.timeout(60_000);
    sshd = startOpenSsh();
    gateway = testGateway(sshd.serversFile);
  });
  after(async () => {
    await gateway?.close();
    sshd?.release();
  });

  const run = (server: string, command: string, extra: Partial<CommandRequest> = {}) =>
    execCollecting(gateway, server, command, { timeoutMs: 15_000, ...extra });

  it('when a command writes to both streams over password auth, then they arrive in order, told apart, with the exit code', async () => {
    const { result, stdout, stderr } = await run(
      'sshd-a',
      'for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 4',
    );
    expect(stdout).to.equal('out1\nout2\nout3\n');
    expect(stderr).to.equal('err1\nerr2\nerr3\n');
    expect(result).to.include({ exitCode: 4, reason: 'exit' });
  });

  it('when the target uses key auth, then the command runs there', async () => {
    const { stdout } = await run('sshd-b', 'whoami');
    expect(stdout.trim()).to.equal('plaza-ssh-test');
  });

  it('when a command is cancelled, then sshd delivers TERM and the process is gone', async () => {
    const marker = `sleep ${3000 + Math.floor(Math.random() * 1000)}`;
    const abort = new AbortController();
    const { result } = await run('sshd-a', `echo started; ${marker}`, {
      signal: abort.signal,
      onOutput: () => abort.abort(),
    });
    expect(result.reason).to.equal('cancelled');
    expect(result.signal).to.equal('TERM');
    const check = await run('sshd-a', `pgrep -f '^${marker}$' || echo gone`);
    expect(check.stdout.trim()).to.equal('gone');
  });

  it('when the stop phrase appears or the timeout passes, then the command ends there', async () => {
    const phrase = await run('sshd-b', 'echo one; echo READY; sleep 20', { stopPhrase: 'READY' });
    expect(phrase.stdout).to.equal('one\nREADY');
    const slow = await run('sshd-b', 'sleep 20', { timeoutMs: 300 });
    expect(slow.result).to.include({ reason: 'timeout', signal: 'TERM' });
  });

  describe('when a command is stopped, nothing of it is left on the target', () => {
    let stopping: Ssh2Gateway;
    const tag = `plaza-left-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
    /** Matches the command's processes but not the shell that runs pgrep (its text has the brackets). */
    const pattern = (marker: string) => `${marker.slice(0, 5)}[${marker[5]}]${marker.slice(6)}`;
    /**
     * A command that survives TERM: the shell traps it and loops on, and a background subshell (a fork
     * carrying the same command line) ignores it; READY comes once the subshell ignores TERM.
     */
    const stubborn = (marker: string) =>
      `trap 'echo caught TERM' TERM; (trap '' TERM; echo READY; while :; do sleep 1; done; : ${marker}) & while :; do sleep 1; done; : ${marker}`;

    before(() => {
      stopping = testGateway(sshd.serversFile, { killGraceMs: 500 });
    });
    after(async () => {
      await run('sshd-a', `pkill -KILL -f '${pattern(tag)}' ; true`).catch(() => {});
      await stopping?.close();
    });

    async function stop(marker: string, extra: Partial<CommandRequest>) {
      const output: string[] = [];
      const result = await stopping.exec({
        server: 'sshd-a',
        command: stubborn(marker),
        timeoutMs: 15_000,
        outputCap: 1024 * 1024,
        signal: new AbortController().signal,
        ...extra,
        onOutput: (_stream, chunk) => {
          output.push(chunk.toString());
          extra.onOutput?.(_stream, chunk);
        },
      });
      const left = await run('sshd-a', `pgrep -f '${pattern(marker)}' || echo none`);
      return { result, left: left.stdout.trim(), output: output.join('') };
    }

    it('when its stop phrase appears, then TERM, then KILL after the grace: no process of it is left', async () => {
      const { result, left } = await stop(`${tag}-phrase`, { stopPhrase: 'READY' });
      expect(left).to.equal('none');
      expect(result).to.include({ reason: 'stop_phrase', signal: 'KILL', stopConfirmed: true });
    });

    it('when it is cancelled, then TERM, then KILL after the grace: no process of it is left', async () => {
      const abort = new AbortController();
      const { result, left } = await stop(`${tag}-cancel`, { signal: abort.signal, onOutput: () => abort.abort() });
      expect(left).to.equal('none');
      expect(result).to.include({ reason: 'cancelled', signal: 'KILL', stopConfirmed: true });
    });

    it('when it times out, then TERM, then KILL after the grace: no process of it is left', async () => {
      const { result, left, output } = await stop(`${tag}-timeout`, { timeoutMs: 1500 });
      expect(left).to.equal('none');
      expect(output).to.include('READY');
      expect(result).to.include({ reason: 'timeout', signal: 'KILL', stopConfirmed: true });
    });

    it('when it ends on TERM, then no KILL is needed and nothing is left', async () => {
      const marker = `${tag}-plain`;
      const abort = new AbortController();
      const result = await stopping.exec({
        server: 'sshd-a',
        command: `echo READY; (sleep 600; : ${marker}) & sleep 600; : ${marker}`,
        timeoutMs: 15_000,
        outputCap: 1024,
        signal: abort.signal,
        onOutput: () => abort.abort(),
      });
      expect(result).to.include({ reason: 'cancelled', signal: 'TERM', stopConfirmed: true });
      expect((await run('sshd-a', `pgrep -f '${pattern(marker)}' || echo none`)).stdout.trim()).to.equal('none');
    });
  });

  it('when a transfer relays a file from one sshd to the other, then the sha256 matches on both ends', async function () {
    this.timeout(60_000);
    const transfer = gateway.transfers()[0];
    const data = randomBytes(8 * 1024 * 1024 + 5);
    fs.writeFileSync(transfer.source.path, data);
    const result = await gateway.transfer({ transfer, signal: new AbortController().signal, onProgress: () => {} });
    const expected = createHash('sha256').update(data).digest('hex');
    expect(result).to.include({ bytes: data.length, sha256: expected, destinationSha256: expected });
    expect(fs.readFileSync(transfer.destination.path).equals(data)).to.equal(true);
  });

  it('when the pinned fingerprint is the other server’s, then the connection is refused with 20003', async () => {
    const servers = loadServersFile(sshd.serversFile, sshSecretLookup());
    servers.targets[0].hostKeyFingerprint = servers.targets[1].hostKeyFingerprint;
    const err = await connectFailure(servers, 'sshd-a');
    expect(err.code).to.equal(20003);
  });

  it('when sshd stops and starts again, then the health check flips to unhealthy and back', async function () {
    this.timeout(60_000);
    const servers = loadServersFile(sshd.serversFile, sshSecretLookup());
    const monitor = testHealthMonitor(servers.targets, { timeoutMs: 3000, failuresToUnhealthy: 1 });
    const b = servers.targets[1];
    expect((await monitor.check(b)).is_healthy).to.equal(true);
    sshd.control('stop', 'b');
    try {
      const down = await monitor.check(b);
      expect(down.is_healthy).to.equal(false);
      expect(down.last_error?.error_code).to.equal(20001);
    } finally {
      sshd.control('start', 'b');
    }
    expect((await monitor.check(b)).is_healthy).to.equal(true);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import ssh2, { type Connection, type SFTPWrapper } from 'ssh2';
import { fingerprintOf } from '../../src/infra/ssh/connect.ts';
import { generateSshKey } from './sshKeys.ts';

const { Server, utils } = ssh2;
const { STATUS_CODE, flagsToString } = utils.sftp;

export interface PeerUser {
  username: string;
  password?: string;
  /** An OpenSSH public key (`ssh-ed25519 AAAA...`) allowed to log in. */
  publicKey?: string;
}

/**
 * A real SSH server inside the test process (ssh2's Server): password and public-key auth, exec of
 * real `sh -c` commands on this machine (so signals and exit codes are genuine), and SFTP on the
 * local filesystem. `stop()` and `start()` bring it down and back on the same port.
 */
export class SshTestPeer {
  readonly hostKey = generateSshKey();
  readonly fingerprint: string;
  port = 0;
  /** Commands the peer was asked to run, in order. */
  readonly commands: string[] = [];
  /** Signals received for running commands. */
  readonly signals: string[] = [];
  private server?: InstanceType<typeof Server>;
  private readonly connections = new Set<{ end(): void }>();
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly users: PeerUser[]) {
    const parsed = utils.parseKey(this.hostKey.publicKey);
    if (parsed instanceof Error) throw parsed;
    this.fingerprint = fingerprintOf(parsed.getPublicSSH());
  }

  async start(port = this.port): Promise<this> {
    const server = new Server({ hostKeys: [this.hostKey.privateKey] }, (conn) => this.onConnection(conn));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening, drops every connection and kills what it was running. */
  async stop(): Promise<void> {
    for (const child of this.children) if (child.pid) killGroup(child.pid, 'SIGKILL');
    for (const conn of this.connections) conn.end();
    this.connections.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onConnection(conn: Connection): void {
    this.connections.add(conn);
    (conn as unknown as { setNoDelay(on: boolean): void }).setNoDelay(true);
    conn.on('error', () => {});
    conn.on('close', () => this.connections.delete(conn));
    conn.on('authentication', (ctx) => {
      const user = this.users.find((u) => u.username === ctx.username);
      if (!user) return ctx.reject();
      if (ctx.method === 'password' && user.password !== undefined && safeEqual(ctx.password, user.password))
        return ctx.accept();
      if (ctx.method === 'publickey' && user.publicKey) {
        const allowed = utils.parseKey(user.publicKey);
        if (allowed instanceof Error) return ctx.reject();
        if (ctx.key.algo !== allowed.type || !safeEqual(ctx.key.data, allowed.getPublicSSH())) return ctx.reject();
        if (!ctx.signature) return ctx.accept();
        if (allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(['password', 'publickey']);
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        let child: ChildProcess | undefined;
        session.on('signal', (accept, _reject, info) => {
          accept?.();
          this.signals.push(info.name);
          // As sshd does: the signal goes to the command's whole process group.
          if (child?.pid) killGroup(child.pid, `SIG${info.name}` as NodeJS.Signals);
        });
        session.on('exec', (accept, _reject, info) => {
          const channel = accept();
          this.commands.push(info.command);
          // Its own session and process group, as sshd gives a command without a pty.
          const proc = spawn('sh', ['-c', info.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
          child = proc;
          this.children.add(proc);
          proc.stdout.on('data', (d: Buffer) => channel.writable && channel.write(d));
          proc.stderr.on('data', (d: Buffer) => channel.writable && channel.stderr.write(d));
          channel.on('data', (d: Buffer) => proc.stdin.write(d));
          channel.on('error', () => {});
          // As sshd does without a pty: closing the channel closes the command's pipes, nothing more.
          channel.on('close', () => {
            proc.stdout.destroy();
            proc.stderr.destroy();
          });
          // sshd reports the exit when the command's shell exits, and closes once its pipes are drained.
          proc.on('exit', (code, signal) => {
            if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
            else channel.exit(code ?? 0);
          });
          proc.on('close', () => {
            this.children.delete(proc);
            channel.end();
          });
        });
        session.on('sftp', (accept) => serveSftp(accept()));
      });
    });
  }
}

function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Just enough SFTP for reads, writes, stat, rename and remove on the local filesystem. */
function serveSftp(sftp: SFTPWrapper): void {
  const handles = new Map<number, number>();
  let next = 0;
  const fail = (reqid: number, err: NodeJS.ErrnoException) =>
    sftp.status(
      reqid,
      err.code === 'ENOENT'
        ? STATUS_CODE.NO_SUCH_FILE
        : err.code === 'EACCES'
          ? STATUS_CODE.PERMISSION_DENIED
          : STATUS_CODE.FAILURE,
      err.message,
    );
  const fdOf = (handle: Buffer) => (handle.length === 4 ? handles.get(handle.readUInt32BE(0)) : undefined);
  const attrsOf = (st: fs.Stats) => ({
    mode: st.mode,
    uid: st.uid,
    gid: st.gid,
    size: st.size,
    atime: Math.floor(st.atimeMs / 1000),
    mtime: Math.floor(st.mtimeMs / 1000),
  });
  sftp.on('OPEN', (reqid, filename, flags) => {
    fs.open(filename, flagsToString(flags) ?? 'r', (err, fd) => {
      if (err) return fail(reqid, err);
      const id = next++;
      handles.set(id, fd);
      const handle = Buffer.alloc(4);
      handle.writeUInt32BE(id, 0);
      sftp.handle(reqid, handle);
    });
  });
  sftp.on('READ', (reqid, handle, offset, length) => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    const buf = Buffer.alloc(length);
    fs.read(fd, buf, 0, length, offset, (err, n) => {
      if (err) return fail(reqid, err);
      if (n === 0) return sftp.status(reqid, STATUS_CODE.EOF);
      sftp.data(reqid, buf.subarray(0, n));
    });
  });
  sftp.on('WRITE', (reqid, handle, offset, data) => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    fs.write(fd, data, 0, data.length, offset, (err) => (err ? fail(reqid, err) : sftp.status(reqid, STATUS_CODE.OK)));
  });
  sftp.on('CLOSE', (reqid, handle) => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    handles.delete(handle.readUInt32BE(0));
    fs.close(fd, (err) => (err ? fail(reqid, err) : sftp.status(reqid, STATUS_CODE.OK)));
  });
  sftp.on('FSTAT', (reqid, handle) => {
    const fd = fdOf(handle);
    if (fd === undefined) return sftp.status(reqid, STATUS_CODE.FAILURE);
    fs.fstat(fd, (err, st) => (err ? fail(reqid, err) : sftp.attrs(reqid, attrsOf(st))));
  });
  const stat = (reqid: number, path: string) =>
    fs.stat(path, (err, st) => (err ? fail(reqid, err) : sftp.attrs(reqid, attrsOf(st))));
  sftp.on('STAT', stat);
  sftp.on('LSTAT', stat);
  sftp.on('FSETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
  sftp.on('SETSTAT', (reqid) => sftp.status(reqid, STATUS_CODE.OK));
  sftp.on('REMOVE', (reqid, path) =>
    fs.unlink(path, (err) => (err ? fail(reqid, err) : sftp.status(reqid, STATUS_CODE.OK))),
  );
  sftp.on('RENAME', (reqid, from, to) =>
    fs.rename(from, to, (err) => (err ? fail(reqid, err) : sftp.status(reqid, STATUS_CODE.OK))),
  );
  sftp.on('REALPATH', (reqid, path) => sftp.name(reqid, [{ filename: path, longname: path, attrs: {} as never }]));
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

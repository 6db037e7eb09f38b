import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { eventually } from '../helpers/eventually.ts';
import type { HttpResponse } from '../helpers/http.ts';

/** A small filesystem of its own for the data directory; undefined (with why) where none can be mounted. */
function mountSmallDisk(): { dir: string; unmount(): void } | string {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'mounting a small tmpfs needs root on Linux';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return `this machine refuses to mount a tmpfs (${String(err).split('\n')[0]})`;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes zeros until the filesystem is full, as a growing log file or upload would. */
function fillDisk(file: string): void {
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(1024 * 1024);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}

/** A request that must be answered (within 30 s: a hang fails the test) rather than wait on the database. */
async function answered(server: TestServer, method: string, url: string, body?: unknown): Promise<HttpResponse> {
  return await Promise.race([
    server.http.request(method, url, { body }),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${method} ${url} was not answered within 30 s`)), 30_000).unref(),
    ),
  ]);
}

const register = (name: string) => ({ username: name, email: `${name}@example.test`, password: `${name}-password` });

describe('the embedded database when its disk fills up (a server on a data directory on a small tmpfs)', function () {
  // PGlite initialises a new data directory (seconds), and the reopening waits for free space.
  this.timeout(120_000);
  let disk: ReturnType<typeof mountSmallDisk>;
  let server: TestServer | undefined;

  before(function () {
    disk = mountSmallDisk();
    if (typeof disk === 'string') {
      console.log(`      skipped: ${disk}`);
      this.skip();
    }
  });
  after(async () => {
    // A database that never answers again (the failure this test is about) must not keep the disk mounted.
    const stopped = server?.stop().catch(() => undefined);
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
    if (typeof disk !== 'string') disk?.unmount();
  });

  /**
   * Fills the disk and ends the current WAL segment (as it ends once full of writes): the next write
   * needs a new segment file, which the full disk refuses. PostgreSQL would PANIC and restart; PGlite
   * stays busy in its thread (at a COMMIT) or stops answering (outside a transaction) until its data
   * directory is opened again. `fault` makes that write; then space is freed and service must resume.
   */
  async function throughFullDisk(name: string, fault: (server: TestServer) => Promise<void>): Promise<void> {
    if (typeof disk === 'string') throw new Error(disk);
    // A new data directory for each: one already recovered has WAL segments to recycle, needing no space.
    const dataDir = path.join(disk.dir, name);
    server = await startTestServer(
      { EMAIL_VERIFICATION: 'off', DB_WATCH_INTERVAL: '0.5' },
      { database: { kind: 'pglite', dataDir } },
    );

    expect((await answered(server, 'POST', '/auth/register', register(`${name}-before`))).status).to.equal(201);

    const filler = path.join(disk.dir, 'filler');
    fillDisk(filler);
    await server.services.orm.em.getConnection().execute('select pg_switch_wal()');
    await fault(server);
    const failed = await answered(server, 'POST', '/auth/register', register(`${name}-while`));
    expect(failed.status, JSON.stringify(failed.body)).to.equal(503);
    expect(failed.body.error.code).to.equal(10006);
    // While the disk stays full the database cannot be opened again: requests still get an answer.
    for (const url of ['/boards', '/ready']) {
      const res = await answered(server, 'GET', url);
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(503);
    }
    expect((await answered(server, 'GET', '/health')).status).to.equal(200);

    fs.rmSync(filler);
    await eventually(
      async () => (await answered(server!, 'POST', '/auth/register', register(`${name}-after`))).status === 201,
      'a write succeeds once space is freed',
      60_000,
      250,
    );
    expect((await answered(server, 'GET', '/ready')).status).to.equal(200);
    expect((await server.http.signIn(`${name}-before`)).access_token).to.be.a('string');
    const taken = await answered(server, 'POST', '/auth/register', register(`${name}-before`));
    expect(taken.status, 'the account made before the fault is still there').to.equal(409);
    await server.stop();
    server = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }

  it('when a sign-up cannot write its WAL at COMMIT on the full disk, then it and later requests answer 503 10006 (no hang, /health 200), and once space is freed the database is opened again by itself with earlier data kept', () =>
    throughFullDisk('commit', async () => undefined));

  it('when a single statement outside a transaction cannot write its WAL on the full disk, then it fails, requests answer 503 10006, and once space is freed the database is opened again by itself with earlier data kept', () =>
    throughFullDisk('single', async (server) => {
      const outcome = await server.services.orm.em
        .getConnection()
        .execute(`update users set nickname = 'full' where username = 'single-before'`)
        .then(
          () => 'stored',
          (err: Error) => err.message,
        );
      expect(outcome).to.match(/No space left on device|Connection terminated|ENOENT|ECONNREFUSED/);
    }));
});

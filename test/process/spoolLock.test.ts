import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { HttpClient } from '../helpers/http.ts';
import { launchServer, type ServerProcess } from '../helpers/serverProcess.ts';

/** A spawned server's database: the test's PostgreSQL database, or an embedded one of its own in memory. */
function databaseEnv(db: TestDatabase): Record<string, string> {
  return db.target.kind === 'postgresql'
    ? { DATABASE_URL: db.target.url }
    : { DATABASE_URL: '', PGLITE_DIR: 'memory://' };
}

describe('one process per message spool: the spool directory is locked at start-up', function () {
  // Server processes start one after the other (an embedded database is created in each): slow on a busy machine.
  this.timeout(300_000);
  let db: TestDatabase;
  let dataDir: string;
  const spawned: ServerProcess[] = [];

  beforeEach(async () => {
    db = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-spool-lock-'));
  });
  afterEach(async () => {
    for (const p of spawned.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    }
    await db.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  function launch(): ServerProcess {
    const p = launchServer({ ...databaseEnv(db), DATA_DIR: dataDir, JWT_SECRET: 'spool-lock-secret-0123456789abcdef' });
    spawned.push(p);
    return p;
  }

  it('when a server runs on a DATA_DIR, then a second process on it is refused at once with a message naming the holder, and the first keeps serving', async () => {
    let running: TestServer | undefined;
    try {
      running = await startTestServer({ DATA_DIR: dataDir }, { database: db.target });
      const second = launch();
      expect(await second.exited).to.equal(1);
      expect(second.log()).to.include(
        `The message spool in ${path.join(dataDir, 'spool')} is held by process ${process.pid}`,
      );
      expect(second.log()).to.include('SPOOL_DIR');
      expect((await running.http.get('/health')).status).to.equal(200);
      expect(fs.readFileSync(path.join(dataDir, 'spool', 'plaza.lock'), 'utf8')).to.equal(String(process.pid));
    } finally {
      await running?.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'spool', 'plaza.lock')), 'a stopped server releases it').to.equal(false);
  });

  it('when the process holding the spool is killed with SIGKILL, then the next process takes the spool over and serves', async () => {
    const first = launch();
    await first.url;
    const lock = path.join(dataDir, 'spool', 'plaza.lock');
    expect(fs.readFileSync(lock, 'utf8')).to.equal(String(first.child.pid));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(fs.existsSync(lock), 'kill -9 leaves the lock behind').to.equal(true);

    const next = launch();
    const health = await new HttpClient(await next.url).get('/health');
    expect(health.status).to.equal(200);
    expect(fs.readFileSync(lock, 'utf8')).to.equal(String(next.child.pid));
  });
});

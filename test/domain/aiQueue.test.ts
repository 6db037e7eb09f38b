import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { openDatabase, type DatabaseTarget } from '../../src/db/openDatabase.ts';
import { AiJob } from '../../entities/AiJob.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import { adminSession, submitJob, waitForJob } from '../helpers/ai.ts';

const AI = {
  AI_TEST_MODELS: 'true',
  AI_POOL_SIZE: '1',
  AI_HEARTBEAT_INTERVAL: '200',
  AI_POLL_INTERVAL: '100',
  AI_MAX_ATTEMPTS: '2',
};

/** A database that outlives a server, so a second server can start on the same data. */
async function durableDatabase(): Promise<{ target: DatabaseTarget; dispose(): Promise<void> }> {
  if (usingPostgres) return createTestDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-ai-pglite-'));
  return {
    target: { kind: 'pglite', dataDir: dir },
    dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

describe('AI job queue across restarts', function () {
  this.timeout(90_000);

  it('when the server stops with a running job and a crashed run left others, then the next server finishes or fails each with a reason', async () => {
    const db = await durableDatabase();
    let second: TestServer | undefined;
    try {
      const first = await startTestServer(AI, { database: db.target });
      const alice = await first.http.signUp('alice');
      const job = await submitJob(first.http, alice.access_token, {
        model: 'test-spin',
        task: 'score',
        input: { ms: 1500 },
      });
      await waitForJob(first.http, alice.access_token, job.id, (j) => j.status === 'running');
      await first.stop();

      // A process that died mid-job leaves rows "running" with a stale heartbeat: one with an attempt
      // left, one that already used its attempts.
      const database = await openDatabase(db.target);
      const em = database.orm.em.fork();
      const stale = new Date(Date.now() - 3600_000);
      const orphan = (attempts: number) =>
        em.create(AiJob, {
          owner: alice.id,
          model: 'test-spin',
          modelVersion: '0.0.0',
          task: 'score',
          status: 'running',
          input: { ms: 10 },
          params: {},
          result: null,
          attempts,
          runnerId: 'crashed-process',
          heartbeatAt: stale,
          startedAt: stale,
        });
      const retried = orphan(1);
      const exhausted = orphan(2);
      await em.flush();
      await database.close();

      second = await startTestServer(AI, { database: db.target });
      const resumed = await waitForJob(second.http, alice.access_token, job.id);
      expect(resumed.status).to.equal('succeeded');
      expect(resumed.attempts, 'a clean shutdown does not use up an attempt').to.equal(1);
      expect(resumed.result.spun_ms).to.be.at.least(1500);

      const rerun = await waitForJob(second.http, alice.access_token, retried.id);
      expect(rerun.status).to.equal('succeeded');
      expect(rerun.attempts).to.equal(2);

      const failed = await waitForJob(second.http, alice.access_token, exhausted.id);
      expect(failed.status).to.equal('failed');
      expect(failed.error.code).to.equal(60105);
      expect(failed.error.message).to.equal(
        'The server stopped while this job ran, 2 time(s); it was not retried again',
      );
    } finally {
      await second?.stop();
      await db.dispose();
    }
  });

  describe('with a flood of submissions', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ ...AI, AI_MAX_ACTIVE_JOBS_PER_USER: '50' });
    });
    after(() => server?.close());

    it('when many jobs arrive at once, then the pool runs one at a time and the rest wait queued in the database', async () => {
      const admin = await adminSession(server, 'root');
      const bob = await server.http.signUp('bob');
      const ids: number[] = [];
      for (let i = 0; i < 8; i++)
        ids.push(
          (await submitJob(server.http, bob.access_token, { model: 'test-spin', task: 'score', input: { ms: 150 } }))
            .id,
        );
      let sawQueued = false;
      for (;;) {
        const running = await server.http.get('/ai/jobs?status=running&limit=100', admin.access_token);
        expect(running.body.items.length, 'running jobs never exceed the pool size').to.be.at.most(1);
        const queued = await server.http.get('/ai/jobs?status=queued&limit=100', admin.access_token);
        if (queued.body.items.length > 0) sawQueued = true;
        const done = await server.http.get('/ai/jobs?status=succeeded&limit=100', bob.access_token);
        if (done.body.items.length === ids.length) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(sawQueued).to.equal(true);
    });
  });
});

describe('AI job queue fairness', function () {
  this.timeout(90_000);

  it("when one user queues several jobs and another user one, then the other user's job runs next, not after all of the first's", async () => {
    const server = await startTestServer({ ...AI, AI_MAX_ACTIVE_JOBS_PER_USER: '5' });
    try {
      const alice = await server.http.signUp('alice');
      const bob = await server.http.signUp('bob');
      const spin = (ms: number) => ({ model: 'test-spin', task: 'score', input: { ms } });
      // Alice takes the only worker, then queues two more; Bob queues one after all of hers.
      const first = await submitJob(server.http, alice.access_token, spin(1500));
      await waitForJob(server.http, alice.access_token, first.id, (j) => j.status === 'running');
      const second = await submitJob(server.http, alice.access_token, spin(200));
      const third = await submitJob(server.http, alice.access_token, spin(200));
      const bobs = await submitJob(server.http, bob.access_token, spin(200));

      const done = await Promise.all([
        waitForJob(server.http, alice.access_token, first.id),
        waitForJob(server.http, alice.access_token, second.id),
        waitForJob(server.http, alice.access_token, third.id),
        waitForJob(server.http, bob.access_token, bobs.id),
      ]);
      for (const job of done) expect(job.status, JSON.stringify(job.error)).to.equal('succeeded');
      const startOrder = [...done].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at)).map((j) => j.id);
      expect(startOrder).to.deep.equal([first.id, bobs.id, second.id, third.id]);
    } finally {
      await server.close();
    }
  });
});

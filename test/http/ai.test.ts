import { expect } from 'chai';
import { Inbox, sdkClient } from '../helpers/realtime.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { adminSession, SEED_COEFFICIENTS, seedCsv, submitJob, waitForJob } from '../helpers/ai.ts';

describe('AI jobs over REST', function () {
  this.timeout(60_000);
  let server: TestServer;
  let alice: Session;
  let bob: Session;
  let admin: { access_token: string };

  before(async () => {
    server = await startTestServer({
      AI_TEST_MODELS: 'true',
      AI_POOL_SIZE: '1',
      AI_MAX_ACTIVE_JOBS_PER_USER: '3',
      AI_MAX_INPUT_BYTES: '300000',
    });
    alice = await server.http.signUp('alice');
    bob = await server.http.signUp('bob');
    admin = await adminSession(server, 'root');
  });
  after(() => server?.close());

  describe('models', () => {
    it('when a user lists models, then each built-in model shows its id, version, tasks and input schema', async () => {
      const res = await server.http.get('/ai/models', alice.access_token);
      expect(res.status).to.equal(200);
      const ids = res.body.items.map((m: any) => m.id);
      expect(ids).to.include.members(['linear-regression', 'random-forest', 'sentiment']);
      const lr = res.body.items.find((m: any) => m.id === 'linear-regression');
      expect(lr.version).to.match(/^\d+\.\d+\.\d+$/);
      expect(lr.enabled).to.equal(true);
      expect(lr.tasks.map((t: any) => t.task)).to.have.members(['train', 'predict']);
      const train = lr.tasks.find((t: any) => t.task === 'train');
      expect(train.input_schema.properties.params.properties).to.have.property('target');
    });

    it('when the API description is fetched, then every AI route is documented', async () => {
      const res = await server.http.get('/openapi.json');
      expect(res.status).to.equal(200);
      expect(res.body.paths).to.include.keys('/ai/models', '/ai/jobs', '/ai/jobs/{id}', '/admin/ai/models/{id}');
      expect(res.body.paths['/ai/jobs'].post.responses).to.include.keys('202', '413', '429');
    });

    it('when nobody signs in, then the models are not listed', async () => {
      expectError(await server.http.get('/ai/models'), 401, 11001);
    });

    it('when an admin disables a model, then new jobs for it are refused until it is enabled again', async () => {
      expectError(
        await server.http.patch('/admin/ai/models/sentiment', { enabled: false }, alice.access_token),
        403,
        11007,
      );
      const off = await server.http.patch('/admin/ai/models/sentiment', { enabled: false }, admin.access_token);
      expect(off.status).to.equal(200);
      expect(off.body.enabled).to.equal(false);
      expectError(
        await server.http.post(
          '/ai/jobs',
          { model: 'sentiment', task: 'score', input: { texts: ['hi'] } },
          alice.access_token,
        ),
        409,
        60002,
      );
      const on = await server.http.patch('/admin/ai/models/sentiment', { enabled: true }, admin.access_token);
      expect(on.body.enabled).to.equal(true);
      await submitJob(server.http, alice.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts: ['hi'] },
      }).then((job) => waitForJob(server.http, alice.access_token, job.id));
    });

    it('when an unknown model or an unsupported task is asked for, then the request is refused', async () => {
      expectError(
        await server.http.post('/ai/jobs', { model: 'gpt-9', task: 'score', input: {} }, alice.access_token),
        404,
        60001,
      );
      expectError(
        await server.http.post(
          '/ai/jobs',
          { model: 'sentiment', task: 'train', dataset: 'a,b\n1,2' },
          alice.access_token,
        ),
        422,
        60003,
      );
      expectError(
        await server.http.patch('/admin/ai/models/gpt-9', { enabled: false }, admin.access_token),
        404,
        60001,
      );
    });
  });

  describe('linear regression', () => {
    let trainedModelId: number;

    it('when it trains on the seed formula with noise, then it recovers every coefficient within 0.01', async () => {
      const job = await submitJob(server.http, alice.access_token, {
        model: 'linear-regression',
        task: 'train',
        dataset: seedCsv(2000),
        params: { target: 'y' },
      });
      const done = await waitForJob(server.http, alice.access_token, job.id);
      expect(done.status, JSON.stringify(done.error)).to.equal('succeeded');
      expect(done.progress).to.equal(100);
      const result = done.result;
      expect(result.rows).to.equal(2000);
      expect(result.features).to.deep.equal(SEED_COEFFICIENTS.map((_, i) => `x${i}`));
      SEED_COEFFICIENTS.forEach((expected, i) => expect(result.coefficients[`x${i}`]).to.be.closeTo(expected, 0.01));
      expect(result.intercept).to.be.closeTo(0, 0.05);
      expect(result.r2).to.be.greaterThan(0.999);
      expect(result.rmse).to.be.closeTo(0.1, 0.02);
      expect(result.trained_model_id).to.be.a('number');
      expect(done.started_at).to.be.a('string');
      expect(done.finished_at).to.be.a('string');
      trainedModelId = result.trained_model_id;
    });

    it('when it predicts with the stored model, then the predictions follow the formula', async () => {
      const rows = [[1, 1, 1, 1, 1, 1, 1, 1], { x0: 2, x1: 0, x2: 0, x3: 0, x4: 10, x5: 1, x6: 0, x7: 3 }];
      const job = await submitJob(server.http, alice.access_token, {
        model: 'linear-regression',
        task: 'predict',
        trained_model_id: trainedModelId,
        input: { rows },
      });
      const done = await waitForJob(server.http, alice.access_token, job.id);
      expect(done.status, JSON.stringify(done.error)).to.equal('succeeded');
      expect(done.trained_model_id).to.equal(trainedModelId);
      expect(done.result.predictions[0]).to.be.closeTo(34.15, 0.05);
      expect(done.result.predictions[1]).to.be.closeTo(8 + 1 + 15 + 3, 0.05);
    });

    it('when another user predicts with my trained model, then it is not found', async () => {
      expectError(
        await server.http.post(
          '/ai/jobs',
          {
            model: 'linear-regression',
            task: 'predict',
            trained_model_id: trainedModelId,
            input: { rows: [[1, 1, 1, 1, 1, 1, 1, 1]] },
          },
          bob.access_token,
        ),
        404,
        60008,
      );
    });

    it('when predict has no trained model id, then the request is refused', async () => {
      const res = await server.http.post(
        '/ai/jobs',
        { model: 'linear-regression', task: 'predict', input: { rows: [[1]] } },
        alice.access_token,
      );
      expectError(res, 422, 10001);
      expect(res.body.error.detail[0].path).to.equal('body.trained_model_id');
    });
  });

  describe('bad datasets', () => {
    const train = async (dataset: string, target = 'y') => {
      const job = await submitJob(server.http, alice.access_token, {
        model: 'linear-regression',
        task: 'train',
        dataset,
        params: { target },
      });
      const done = await waitForJob(server.http, alice.access_token, job.id);
      expect(done.status).to.equal('failed');
      expect(done.error.code).to.equal(60101);
      return done.error.message as string;
    };

    it('when the target column is missing, then the job fails naming the column and the header', async () => {
      expect(await train('a,b\n1,2\n3,4\n5,7', 'y')).to.equal('Column "y" is not in the header (columns: a, b)');
    });

    it('when a value is not a number, then the job fails naming the line and column', async () => {
      expect(await train('x,y\n1,2\n2,abc\n3,6')).to.equal('Line 3, column "y": "abc" is not a number');
    });

    it('when a row lacks a column, then the job fails as invalid CSV', async () => {
      expect(await train('x0,x1,y\n1,2,3\n4,5\n7,8,9')).to.match(/^The dataset is not valid CSV: .*record length/i);
    });

    it('when the dataset has only a header, then the job fails saying rows are needed', async () => {
      expect(await train('x,y\n')).to.equal('The dataset has 0 data row(s); at least 2 are needed');
    });

    it('when the dataset is empty, then the submission itself is refused', async () => {
      const res = await server.http.post(
        '/ai/jobs',
        { model: 'linear-regression', task: 'train', dataset: '', params: { target: 'y' } },
        alice.access_token,
      );
      expectError(res, 422, 10001);
      expect(res.body.error.detail[0]).to.deep.include({ path: 'body.dataset' });
    });

    it('when the dataset is over the input cap, then it is refused with 413', async () => {
      const res = await server.http.post(
        '/ai/jobs',
        { model: 'linear-regression', task: 'train', dataset: seedCsv(6000), params: { target: 'y' } },
        alice.access_token,
      );
      expectError(res, 413, 60006);
      expect(res.body.error.detail.max_bytes).to.equal(300000);
    });

    it('when a random forest is asked deeper than its cap, then it is refused with a clear message', async () => {
      const res = await server.http.post(
        '/ai/jobs',
        { model: 'random-forest', task: 'train', dataset: 'x,y\n1,2\n2,3', params: { target: 'y', max_depth: 40 } },
        alice.access_token,
      );
      expectError(res, 422, 10001);
      expect(res.body.error.detail[0].message).to.match(/max_depth is capped at 12/);
    });
  });

  describe('random forest and sentiment', () => {
    it('when a forest classifies a separable dataset, then it predicts the labels of new rows', async () => {
      const lines = ['a,b,kind'];
      for (let i = 0; i < 200; i++) lines.push(`${i % 20},${(i * 7) % 13},${i % 20 < 10 ? 'low' : 'high'}`);
      const job = await submitJob(server.http, alice.access_token, {
        model: 'random-forest',
        task: 'train',
        dataset: lines.join('\n'),
        params: { target: 'kind', mode: 'classification', n_estimators: 10, max_depth: 4 },
      });
      const done = await waitForJob(server.http, alice.access_token, job.id);
      expect(done.status, JSON.stringify(done.error)).to.equal('succeeded');
      expect(done.result.classes).to.deep.equal(['high', 'low']);
      expect(done.result.train_accuracy).to.be.greaterThan(0.95);
      const predict = await submitJob(server.http, alice.access_token, {
        model: 'random-forest',
        task: 'predict',
        trained_model_id: done.result.trained_model_id,
        input: { rows: [[2, 5], { a: 17, b: 1 }] },
      });
      const predicted = await waitForJob(server.http, alice.access_token, predict.id);
      expect(predicted.status, JSON.stringify(predicted.error)).to.equal('succeeded');
      expect(predicted.result.predictions).to.deep.equal(['low', 'high']);
    });

    it('when a forest gets more rows than its cap, then the submission is refused saying so', async () => {
      const lines = ['x,y'];
      for (let i = 0; i < 5001; i++) lines.push(`${i},${i}`);
      const res = await server.http.post(
        '/ai/jobs',
        { model: 'random-forest', task: 'train', dataset: lines.join('\n'), params: { target: 'y' } },
        alice.access_token,
      );
      expectError(res, 422, 10001);
      expect(res.body.error.detail).to.deep.equal([
        { path: 'body.dataset', message: 'The dataset has 5001 rows; this model accepts at most 5000' },
      ]);
    });

    it('when a forest within every cap would still outrun the time limit, then it is refused at submission with the estimate and what to change', async () => {
      const lines = [[...Array.from({ length: 10 }, (_, i) => `x${i}`), 'y'].join(',')];
      for (let r = 0; r < 3000; r++)
        lines.push(Array.from({ length: 11 }, (_, i) => ((r * 7 + i * 13) % 1000) / 10).join(','));
      const body = {
        model: 'random-forest',
        task: 'train',
        dataset: lines.join('\n'),
        params: { target: 'y', n_estimators: 100, max_depth: 12 },
      };
      const res = await server.http.post('/ai/jobs', body, alice.access_token);
      expectError(res, 422, 60009);
      expect(res.body.error.message).to.match(
        /^This job would run about \d+ s, over the 120 s time limit of random-forest: train on fewer rows, features or trees/,
      );
      expect(res.body.error.detail).to.include({
        timeout_ms: 120_000,
        rows: 3000,
        features: 10,
        n_estimators: 100,
        max_depth: 12,
      });
      expect(res.body.error.detail.estimated_ms).to.be.greaterThan(120_000);
      expect(
        (await server.http.get('/ai/jobs?status=queued', alice.access_token)).body.items.map((j: any) => j.model),
      ).not.to.include('random-forest');
    });

    it('when it scores known texts, then praise is positive, complaints negative and plain facts neutral', async () => {
      const texts = ['I love this, it is wonderful!', 'This is terrible and awful.', 'The table is brown.'];
      const job = await submitJob(server.http, alice.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts },
      });
      const done = await waitForJob(server.http, alice.access_token, job.id);
      expect(done.status, JSON.stringify(done.error)).to.equal('succeeded');
      expect(done.result.results.map((r: any) => r.label)).to.deep.equal(['positive', 'negative', 'neutral']);
      expect(done.result.results[0].score).to.be.greaterThan(0.5);
      expect(done.result.results[1].score).to.be.lessThan(-0.5);
    });
  });

  describe('ownership', () => {
    it('when another user asks for my job, then it does not exist for them; an admin sees it', async () => {
      const job = await submitJob(server.http, alice.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts: ['private words'] },
      });
      expectError(await server.http.get(`/ai/jobs/${job.id}`, bob.access_token), 404, 60004);
      expectError(await server.http.delete(`/ai/jobs/${job.id}`, bob.access_token), 404, 60004);
      const bobs = await server.http.get('/ai/jobs', bob.access_token);
      expect(bobs.body.items.map((j: any) => j.id)).not.to.include(job.id);
      const mine = await server.http.get('/ai/jobs?limit=100', alice.access_token);
      expect(mine.body.items.map((j: any) => j.id)).to.include(job.id);
      const all = await server.http.get(`/ai/jobs?user_id=${alice.id}`, admin.access_token);
      expect(all.body.items.map((j: any) => j.id)).to.include(job.id);
      expect((await server.http.get(`/ai/jobs/${job.id}`, admin.access_token)).status).to.equal(200);
      await waitForJob(server.http, alice.access_token, job.id);
    });

    it('when a job id does not exist, then it is 404, never pending', async () => {
      expectError(await server.http.get('/ai/jobs/999999', alice.access_token), 404, 60004);
    });

    it('when jobs are listed by status page by page, then the cursor walks through them', async () => {
      const first = await server.http.get('/ai/jobs?status=succeeded&limit=2', alice.access_token);
      expect(first.status).to.equal(200);
      expect(first.body.items).to.have.length(2);
      expect(first.body.items.every((j: any) => j.status === 'succeeded')).to.equal(true);
      const second = await server.http.get(
        `/ai/jobs?status=succeeded&limit=2&cursor=${first.body.next_cursor}`,
        alice.access_token,
      );
      expect(second.body.items[0].id).to.be.lessThan(first.body.items[1].id);
    });
  });

  describe('limits, cancellation, timeouts and memory', () => {
    it('when a user has K jobs queued or running, then the next one is refused with 429 until one ends', async () => {
      const spin = { model: 'test-spin', task: 'score', input: { ms: 60_000 } };
      const jobs = [];
      for (let i = 0; i < 3; i++) jobs.push(await submitJob(server.http, bob.access_token, spin));
      const refused = await server.http.post('/ai/jobs', spin, bob.access_token);
      expectError(refused, 429, 60005);
      expect(refused.headers.get('retry-after')).to.equal('5');
      // Someone else is not affected by bob's limit.
      const other = await submitJob(server.http, alice.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts: ['fine'] },
      });
      for (const job of jobs)
        expect((await server.http.delete(`/ai/jobs/${job.id}`, bob.access_token)).body.status).to.equal('cancelled');
      await submitJob(server.http, bob.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts: ['room again'] },
      }).then((j) => waitForJob(server.http, bob.access_token, j.id));
      expect((await waitForJob(server.http, alice.access_token, other.id)).status).to.equal('succeeded');
    });

    it('when a running job is cancelled, then it ends cancelled and the pool goes on serving', async () => {
      const job = await submitJob(server.http, alice.access_token, {
        model: 'test-spin',
        task: 'score',
        input: { ms: 60_000 },
      });
      await waitForJob(server.http, alice.access_token, job.id, (j) => j.status === 'running' && j.progress > 0);
      const res = await server.http.delete(`/ai/jobs/${job.id}`, alice.access_token);
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('cancelled');
      expect(res.body.error.code).to.equal(60106);
      expectError(await server.http.delete(`/ai/jobs/${job.id}`, alice.access_token), 409, 60007);
      // The single worker was terminated: a new job only finishes if the pool replaced it.
      const next = await submitJob(server.http, alice.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts: ['after cancel'] },
      });
      expect((await waitForJob(server.http, alice.access_token, next.id)).status).to.equal('succeeded');
      expect((await server.http.get(`/ai/jobs/${job.id}`, alice.access_token)).body.status).to.equal('cancelled');
    });

    it('when a job runs past its model timeout, then it ends timed_out', async () => {
      await server.http.patch('/admin/ai/models/test-spin', { timeout_ms: 300 }, admin.access_token);
      try {
        const job = await submitJob(server.http, alice.access_token, {
          model: 'test-spin',
          task: 'score',
          input: { ms: 60_000 },
        });
        const done = await waitForJob(server.http, alice.access_token, job.id);
        expect(done.status).to.equal('timed_out');
        expect(done.error).to.deep.include({
          code: 60102,
          message: 'The job exceeded its time limit of 300 ms and was stopped',
        });
      } finally {
        await server.http.patch('/admin/ai/models/test-spin', { timeout_ms: null }, admin.access_token);
      }
    });

    it('when a job exhausts its worker memory, then it fails alone and the server keeps serving', async () => {
      const job = await submitJob(server.http, alice.access_token, {
        model: 'test-memory-hog',
        task: 'score',
        input: {},
      });
      const done = await waitForJob(server.http, alice.access_token, job.id, undefined, 40_000);
      expect(done.status).to.equal('failed');
      expect(done.error.code).to.equal(60103);
      expect((await server.http.get('/health')).status).to.equal(200);
      const next = await submitJob(server.http, alice.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts: ['still alive'] },
      });
      expect((await waitForJob(server.http, alice.access_token, next.id)).status).to.equal('succeeded');
    });
  });

  describe('push', () => {
    it('when my job progresses and finishes, then my home room receives ai_job messages without polling', async () => {
      const home = await sdkClient(server, alice).joinOrCreate('home');
      const inbox = new Inbox<any>(home, 'ai_job');
      try {
        const job = await submitJob(server.http, alice.access_token, {
          model: 'test-spin',
          task: 'score',
          input: { ms: 400 },
        });
        const done = await inbox.next(
          (m) => m.job.id === job.id && m.event === 'status' && m.job.status === 'succeeded',
          15_000,
        );
        expect(done.job.result.spun_ms).to.be.at.least(400);
        const mine = inbox.items.filter((m) => m.job.id === job.id);
        expect(mine.filter((m) => m.event === 'status').map((m) => m.job.status)).to.deep.equal([
          'queued',
          'running',
          'succeeded',
        ]);
        expect(mine.some((m) => m.event === 'progress' && m.job.progress > 0 && m.job.progress < 100)).to.equal(true);
      } finally {
        await home.leave();
      }
    });
  });
});

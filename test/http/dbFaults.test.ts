import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createProxiedTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import type { TcpProxy } from '../helpers/tcpProxy.ts';
import { expectError, type HttpResponse } from '../helpers/http.ts';
import { eventually } from '../helpers/realtime.ts';

const reason = ' (PostgreSQL run only: the embedded database has no network path to break)';

/**
 * Far above the pool limits the server runs with here (about 1-3 s), far below "minutes": an answer
 * that has not come by then means the server is wedged.
 */
const WEDGED_AFTER_MS = 20_000;

async function answered<T>(request: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const wedged = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${WEDGED_AFTER_MS} ms`)), WEDGED_AFTER_MS);
  });
  try {
    return await Promise.race([request, wedged]);
  } finally {
    clearTimeout(timer);
  }
}

function expectUnavailable(res: HttpResponse): void {
  expectError(res, 503, 10006);
  expect(res.headers.get('retry-after'), 'Retry-After').to.match(/^\d+$/);
}

describe('when the network path to PostgreSQL breaks (a TCP proxy between Plaza and the database)', function () {
  let db: Awaited<ReturnType<typeof createProxiedTestDatabase>>;
  let proxy: TcpProxy;
  let server: TestServer;
  let token: string;

  before(async function () {
    if (!usingPostgres) return;
    db = await createProxiedTestDatabase();
    proxy = db.proxy;
    server = await startTestServer(
      {
        DB_CONNECT_TIMEOUT_MS: '1000',
        DB_ACQUIRE_TIMEOUT_MS: '1500',
        DB_STATEMENT_TIMEOUT_MS: '1000',
        DB_STARTUP_WAIT: '0',
      },
      { database: db.target },
    );
    token = (await server.http.signUp('steadfast')).access_token;
  });

  after(async () => {
    if (!usingPostgres) return;
    proxy?.set('pass');
    await server?.close();
    await db?.dispose();
  });

  /** While the fault lasts, probes and requests answer (never hang) with what a client should see. */
  async function expectCleanRefusals(): Promise<void> {
    const health = await answered(server.http.get('/health', token), '/health with a token');
    expect(health.status, 'liveness does not depend on the database').to.equal(200);
    expectUnavailable(await answered(server.http.get('/ready'), '/ready'));
    expectUnavailable(await answered(server.http.get('/users/me', token), 'GET /users/me'));
    expectUnavailable(await answered(server.http.patch('/users/me', { bio: 'still here' }, token), 'PATCH /users/me'));
  }

  async function expectRecovery(): Promise<void> {
    await eventually(
      async () => (await server.http.get('/users/me', token)).status === 200,
      'requests succeed again',
      15_000,
    );
    expect((await server.http.get('/ready')).status).to.equal(200);
    expect((await server.http.patch('/users/me', { bio: 'back' }, token)).status).to.equal(200);
  }

  (usingPostgres ? it : it.skip)(
    'when the path freezes (nothing arrives, nobody is told), then requests answer 503 10006 with Retry-After and service resumes by itself once it thaws' +
      reason,
    async () => {
      proxy.set('freeze');
      await expectCleanRefusals();
      proxy.set('pass');
      await expectRecovery();
    },
  );

  (usingPostgres ? it : it.skip)(
    'when the path black-holes (bytes silently lost), then requests answer 503 10006 and service resumes by itself once it passes again' +
      reason,
    async () => {
      proxy.set('blackhole');
      await expectCleanRefusals();
      proxy.set('pass');
      await expectRecovery();
    },
  );

  (usingPostgres ? it : it.skip)(
    'when the database accepts connections but never answers, then requests answer 503 10006 and service resumes by itself' +
      reason,
    async () => {
      proxy.cut();
      proxy.set('hang');
      await expectCleanRefusals();
      proxy.set('pass');
      await expectRecovery();
    },
  );

  (usingPostgres ? it : it.skip)(
    'when every connection is cut under waiting requests, then they answer 503 10006 (never 500) and the next requests succeed' +
      reason,
    async () => {
      proxy.set('freeze');
      const waiting = [
        server.http.get('/users/me', token),
        server.http.patch('/users/me', { bio: 'cut short' }, token),
        server.http.get('/ready'),
      ];
      await new Promise((resolve) => setTimeout(resolve, 300));
      proxy.cut();
      proxy.set('pass');
      for (const res of await answered(Promise.all(waiting), 'requests under a cut')) {
        if (res.status !== 200) expectUnavailable(res);
      }
      await expectRecovery();
    },
  );
});

import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { adminQuery, baseUrl, usingPostgres } from '../helpers/testDatabase.ts';
import { expectError } from '../helpers/http.ts';

const reason = ' (PostgreSQL run only: an embedded database cannot go away under a live server)';

describe('when the database stops answering', () => {
  let server: TestServer;
  let token: string;
  let dbName: string;
  before(async function () {
    if (!usingPostgres) return;
    server = await startTestServer();
    token = (await server.http.signUp('patient')).access_token;
    dbName = new URL((server.database as { url: string }).url).pathname.slice(1);
    await adminQuery(baseUrl!, `alter database "${dbName}" allow_connections false`);
    await adminQuery(baseUrl!, `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${dbName}'`);
  });
  after(async () => {
    if (!usingPostgres) return;
    await adminQuery(baseUrl!, `alter database "${dbName}" allow_connections true`);
    await server.close();
  });

  (usingPostgres ? it : it.skip)(
    'then /health still answers 200, even with a token, but /ready answers 503 10006 with Retry-After' + reason,
    async () => {
      expect((await server.http.get('/health')).status).to.equal(200);
      expect((await server.http.get('/health', token)).status).to.equal(200);
      const ready = await server.http.get('/ready');
      expectError(ready, 503, 10006);
      expect(ready.headers.get('retry-after')).to.match(/^\d+$/);
    },
  );

  (usingPostgres ? it : it.skip)(
    'then a request that needs it gets 503 10006 marked retryable with Retry-After, not a 500' + reason,
    async () => {
      const res = await server.http.get('/users/me', token);
      expectError(res, 503, 10006);
      expect(res.body.error.detail).to.deep.equal({ retryable: true });
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
    },
  );

  (usingPostgres ? it : it.skip)('then, once it is back, requests succeed again' + reason, async () => {
    await adminQuery(baseUrl!, `alter database "${dbName}" allow_connections true`);
    expect((await server.http.get('/users/me', token)).status).to.equal(200);
    expect((await server.http.get('/ready')).status).to.equal(200);
  });
});

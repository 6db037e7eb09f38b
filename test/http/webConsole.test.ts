import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('the web console as served (no browser)', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('when a browser opens / or reloads any /console page, then it gets the console, whose only script is a same-origin module', async () => {
    for (const path of ['/', '/console/groups/5', '/console/reset?token=abc']) {
      const res = await server.http.request('GET', path, { headers: HTML });
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('content-type'), path).to.match(/^text\/html/);
      expect(res.body, path).to.include('<script type="module" src="/assets/main.js"></script>');
      expect(res.headers.get('content-security-policy'), path).to.include("script-src 'self'");
    }
    expect((await server.http.get('/assets/main.js')).status).to.equal(200);
  });

  it('when a client asks / for JSON, or GET /api, then it gets the welcome document; an unknown path asked for JSON stays a JSON 404', async () => {
    const root = await server.http.request('GET', '/', { headers: { accept: 'application/json' } });
    expect(root.body).to.include({ name: 'Plaza', console: '/', docs: '/docs' });
    expect((await server.http.get('/api')).body).to.deep.equal(root.body);
    const missing = await server.http.request('GET', '/no/such/route', { headers: { accept: 'application/json' } });
    expect(missing.status).to.equal(404);
    expect(missing.body.error.code).to.be.a('number');
  });
});

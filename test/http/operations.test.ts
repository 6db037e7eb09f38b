import http from 'node:http';
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError } from '../helpers/http.ts';
import { createAdmin, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

describe('operations endpoints and the error edge', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ JSON_BODY_LIMIT: '2kb' });
  });
  after(() => server.close());

  it('when /health is asked, then it answers 200 with status ok', async () => {
    const res = await server.http.get('/health');
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('ok');
  });

  it('when /ready is asked and the database answers, then it answers 200', async () => {
    const res = await server.http.get('/ready');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ready', database: 'ok' });
  });

  it('when a route does not exist, then it answers 404 with code 10004 in the error shape', async () => {
    const res = await server.http.get('/no/such/route');
    expectError(res, 404, 10004);
    expect(res.body.error.message).to.be.a('string');
  });

  it('when the body is malformed JSON, then it answers 400 with code 10002 and no stack trace', async () => {
    const res = await server.http.request('POST', '/auth/login', {
      raw: '{"login": ',
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 400, 10002);
    expect(JSON.stringify(res.body)).not.to.match(/at .*\.ts:\d+/);
  });

  it('when the body is larger than JSON_BODY_LIMIT, then it answers 413 with code 10003', async () => {
    const res = await server.http.post('/auth/login', { login: 'x', password: 'y'.repeat(5000) });
    expectError(res, 413, 10003);
  });

  it('when a request carries X-Request-Id, then the response echoes it in the header and in errors', async () => {
    const res = await server.http.request('GET', '/nope', { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).to.equal('trace-123');
    expect(res.body.error.request_id).to.equal('trace-123');
    const fresh = await server.http.get('/health');
    expect(fresh.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('when any response is sent, then security headers are set', async () => {
    const res = await server.http.get('/health');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-powered-by')).to.equal(null);
  });

  it('when /health is answered ahead of the middleware chain, then it carries the same security headers as a route behind it', async () => {
    const securityHeaders = (res: { headers: Headers }) =>
      [...res.headers].filter(
        ([name]) => !/^(date|etag|content-length|x-request-id|connection|keep-alive)$/.test(name),
      );
    const probe = await server.http.request('GET', '/health', { headers: { 'x-request-id': 'probe-1' } });
    const chained = await server.http.get('/ready');
    expect(probe.headers.get('x-request-id')).to.equal('probe-1');
    expect(securityHeaders(probe)).to.deep.equal(securityHeaders(chained));
    expect(probe.headers.get('content-security-policy')).to.include("default-src 'self'");
  });

  it('when CORS is not configured, then a foreign origin gets no allow-origin header', async () => {
    const res = await server.http.request('GET', '/health', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('when /openapi.json is fetched, then every REST route is documented with the error schema', async () => {
    const res = await server.http.get('/openapi.json');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.match(/^3\./);
    const paths = Object.keys(res.body.paths);
    for (const p of [
      '/',
      '/api',
      '/health',
      '/ready',
      '/auth/register',
      '/auth/login',
      '/auth/refresh',
      '/auth/logout',
      '/auth/password/forgot',
      '/auth/password/reset',
      '/users/me',
      '/users/me/password',
      '/users',
      '/users/{id}',
      '/admin/users',
      '/admin/users/{id}/ban',
      '/admin/users/{id}/unban',
      '/admin/audit',
    ]) {
      expect(paths, p).to.include(p);
    }
    expect(res.body.paths['/auth/register'].post.responses['409'].content['application/json'].schema.$ref).to.equal(
      '#/components/schemas/Error',
    );
  });

  it('when /docs or the monitor sign-in is opened over plain HTTP by a host name other than localhost, then the CSP does not upgrade to https and no HSTS is sent', async () => {
    for (const path of ['/docs/', '/admin/monitor/login']) {
      const res = await requestAs(server.url, path, { host: 'plaza.example:8080' });
      expect(res.status, path).to.equal(200);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, path).to.include("script-src 'self'");
      expect(csp, path).not.to.include('upgrade-insecure-requests');
      expect(res.headers['strict-transport-security'], path).to.equal(undefined);
    }
  });

  it('when the OpenAPI document is fetched, then its server is relative and public operations take an optional bearer token', async () => {
    const res = await server.http.get('/openapi.json');
    expect(res.body.servers.map((s: { url: string }) => s.url)).to.deep.equal(['/']);
    expect(res.body.paths['/boards'].get.security).to.deep.equal([{}, { bearer: [] }]);
    expect(res.body.paths['/posts/{id}'].get.security).to.deep.equal([{}, { bearer: [] }]);
    expect(res.body.paths['/users/me'].get.security).to.deep.equal([{ bearer: [] }]);
    expect(res.body.paths['/auth/login'].post.responses).to.include.keys('400', '413', '415', '422');
  });

  it('when /docs is opened, then the Swagger UI page is served', async () => {
    const res = await server.http.get('/docs/');
    expect(res.status).to.equal(200);
    expect(res.body).to.include('swagger-ui');
  });
});

describe('operations behind a TLS-terminating proxy (TRUST_PROXY)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
  });
  after(() => server.close());

  it('when the proxy says the client used https, then the CSP upgrades insecure requests and HSTS is sent; over http it is not', async () => {
    const secure = await requestAs(server.url, '/docs/', { host: 'plaza.example', 'x-forwarded-proto': 'https' });
    expect(String(secure.headers['content-security-policy'])).to.include('upgrade-insecure-requests');
    expect(secure.headers['strict-transport-security']).to.match(/max-age=\d+/);
    const plain = await requestAs(server.url, '/docs/', { host: 'plaza.example', 'x-forwarded-proto': 'http' });
    expect(String(plain.headers['content-security-policy'])).not.to.include('upgrade-insecure-requests');
  });

  it('when a probe comes through the proxy over https, then /health carries HSTS too; a direct probe does not', async () => {
    const proxied = await requestAs(server.url, '/health', { host: 'plaza.example', 'x-forwarded-proto': 'https' });
    expect(proxied.status).to.equal(200);
    expect(proxied.headers['strict-transport-security']).to.match(/max-age=\d+/);
    const direct = await requestAs(server.url, '/health', { host: 'plaza.example' });
    expect(direct.status).to.equal(200);
    expect(direct.headers['strict-transport-security']).to.equal(undefined);
  });

  it('when a realtime client comes through the proxy, then the admin clients list shows its forwarded address', async () => {
    const ann = await server.http.signUp('ann');
    const home = await sdkClient(server, ann, { 'x-forwarded-for': '203.0.113.9' }).joinOrCreate('home');
    try {
      const admin = await createAdmin(server, 'proxyroot');
      const clients = await server.http.get('/admin/realtime/clients', admin.access_token);
      const anns = clients.body.items.find((c: any) => c.user_id === ann.id && c.room === 'home');
      expect(anns, 'ann is listed').to.include({ address: '203.0.113.9' });
    } finally {
      await leaveQuietly(home);
    }
  });
});

/** A GET with headers fetch() will not send (Host), answering status and headers. */
function requestAs(
  baseUrl: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${baseUrl}${path}`, { headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode!, headers: res.headers });
      })
      .on('error', reject);
  });
}

describe('operations with CORS configured', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://app.example' });
  });
  after(() => server.close());

  it('when an allowed origin calls, then it is allowed, and another origin is not', async () => {
    const ok = await server.http.request('GET', '/health', { headers: { origin: 'https://app.example' } });
    expect(ok.headers.get('access-control-allow-origin')).to.equal('https://app.example');
    const preflight = await server.http.request('OPTIONS', '/auth/login', {
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).to.equal(204);
    expect(preflight.headers.get('access-control-allow-origin')).to.equal('https://app.example');
    const other = await server.http.request('GET', '/health', { headers: { origin: 'https://other.example' } });
    expect(other.headers.get('access-control-allow-origin')).to.equal(null);
  });

  it('when a matchmaking request (answered by Colyseus) comes from an allowed origin, then it gets the same CORS answer as REST', async () => {
    const headers = { origin: 'https://app.example', 'content-type': 'application/json' };
    const matchmaking = await server.http.request('POST', '/matchmake/joinOrCreate/home', { raw: '{}', headers });
    const rest = await server.http.request('POST', '/auth/login', { raw: '{}', headers });
    const cors = (res: { headers: Headers }) => [...res.headers].filter(([name]) => name.startsWith('access-control-'));
    // Colyseus' own answer (its error shape), not Express's.
    expect(matchmaking.status).to.equal(401);
    expect(matchmaking.body).to.include({ code: 401 });
    expect(cors(matchmaking)).to.deep.include(['access-control-allow-origin', 'https://app.example']);
    expect(cors(matchmaking)).to.deep.equal(cors(rest));
    const foreign = await server.http.request('POST', '/matchmake/joinOrCreate/home', {
      raw: '{}',
      headers: { ...headers, origin: 'https://other.example' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).to.equal(null);
  });
});

import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError } from '../helpers/http.ts';
import { ErrorCodes } from '../../src/errors/codes.ts';

const BROWSER = { 'x-plaza-refresh': 'cookie' };

/** The `plaza_refresh=...` pair of a Set-Cookie header, as a browser would send it back. */
function cookieOf(setCookie: string | null): string {
  const pair = (setCookie ?? '').split(';')[0];
  expect(pair).to.match(/^plaza_refresh=/);
  return pair;
}

describe('browser sign-in: the refresh token as an HttpOnly cookie', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
    await server.http.signUp('cookiejar');
  });
  after(() => server?.close());

  const login = (headers: Record<string, string> = {}) =>
    server.http.request('POST', '/auth/login', {
      body: { login: 'cookiejar', password: 'cookiejar-password' },
      headers,
    });

  it('when a client signs in without asking for the cookie, then the JSON pair is unchanged and no cookie is set', async () => {
    const res = await login();
    expect(res.status).to.equal(200);
    expect(res.body.refresh_token).to.be.a('string');
    expect(res.headers.get('set-cookie')).to.equal(null);
  });

  it('when the browser signs in, then the refresh token is only in an HttpOnly SameSite=Strict cookie scoped to /auth/refresh', async () => {
    const res = await login(BROWSER);
    expect(res.status).to.equal(200);
    expect(res.body.access_token).to.be.a('string');
    expect(res.body).to.not.have.property('refresh_token');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).to.include('HttpOnly').and.include('SameSite=Strict').and.include('Path=/auth/refresh');
  });

  it('when the browser refreshes with the cookie and the header, then it gets a new access token and a rotated cookie; the spent cookie is refused', async () => {
    const first = cookieOf((await login(BROWSER)).headers.get('set-cookie'));
    const res = await server.http.request('POST', '/auth/refresh', {
      body: {},
      headers: { ...BROWSER, cookie: first },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.access_token).to.be.a('string');
    expect(res.body).to.not.have.property('refresh_token');
    const second = cookieOf(res.headers.get('set-cookie'));
    expect(second).to.not.equal(first);
    expect((await server.http.get('/users/me', res.body.access_token)).body.username).to.equal('cookiejar');
    const again = await server.http.request('POST', '/auth/refresh', {
      body: {},
      headers: { ...BROWSER, cookie: first },
    });
    expect(again.status).to.equal(401);
  });

  it('when a request carries the cookie but not the header (a cross-site form), then the cookie is ignored', async () => {
    const cookie = cookieOf((await login(BROWSER)).headers.get('set-cookie'));
    const res = await server.http.request('POST', '/auth/refresh', { body: {}, headers: { cookie } });
    expectError(res, 401, ErrorCodes.REFRESH_TOKEN_INVALID.code);
  });

  it('when the browser signs out, then the cookie is cleared and no longer refreshes', async () => {
    const signedIn = await login(BROWSER);
    const cookie = cookieOf(signedIn.headers.get('set-cookie'));
    const out = await server.http.request('POST', '/auth/logout', {
      token: signedIn.body.access_token,
      headers: BROWSER,
    });
    expect(out.status).to.equal(204);
    expect(out.headers.get('set-cookie')).to.include('plaza_refresh=;').and.include('Max-Age=0');
    const res = await server.http.request('POST', '/auth/refresh', { body: {}, headers: { ...BROWSER, cookie } });
    expect(res.status).to.equal(401);
  });
});

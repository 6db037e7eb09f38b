import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin } from '../helpers/realtime.ts';

describe('admin monitor', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ AUTH_FAILURES_PER_ACCOUNT_IP: '5' });
  });
  after(async () => {
    await server.close();
  });

  const signIn = (login: string, password: string) =>
    fetch(`${server.url}/admin/monitor/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login, password }),
    });

  it('when nobody is signed in, then the monitor sends browsers to the login form and refuses API calls', async () => {
    const page = await fetch(`${server.url}/admin/monitor/`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(page.status).to.equal(303);
    expect(page.headers.get('location')).to.equal('/admin/monitor/login');
    const api = await server.http.get('/admin/monitor/api');
    expect(api.status).to.equal(401);
    expect(api.body.error.code).to.equal(11001);
    const form = await fetch(`${server.url}/admin/monitor/login`);
    expect(await form.text()).to.include('<form method="post"');
  });

  it('when a non-admin signs in, then no cookie is set and a forged or bogus cookie gets 403/401', async () => {
    const user = await server.http.signUp('plain');
    const res = await signIn('plain', 'plain-password');
    expect(res.status).to.equal(303);
    expect(res.headers.get('set-cookie')).to.equal(null);
    expect(decodeURIComponent(res.headers.get('location') ?? '')).to.include('[11007]');
    const forged = await server.http.request('GET', '/admin/monitor/api', {
      headers: { cookie: `plaza_monitor=${user.access_token}` },
    });
    expect(forged.status).to.equal(403);
    const garbage = await server.http.request('GET', '/admin/monitor/api', {
      headers: { cookie: 'plaza_monitor=nope' },
    });
    expect(garbage.status).to.equal(401);
  });

  it('when an admin signs in, then an HttpOnly SameSite=Strict cookie opens the monitor', async () => {
    await createAdmin(server, 'chief');
    const res = await signIn('chief', 'chief-password');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).to.match(/^plaza_monitor=[^;]+; Path=\/admin\/monitor; HttpOnly; SameSite=Strict; Max-Age=\d+/);
    const api = await fetch(`${server.url}/admin/monitor/api`, { headers: { cookie: cookie.split(';')[0] } });
    expect(api.status).to.equal(200);
    const page = await fetch(`${server.url}/admin/monitor/`, {
      headers: { cookie: cookie.split(';')[0], accept: 'text/html' },
    });
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.include('text/html');
    const wrong = await signIn('chief', 'wrong');
    expect(wrong.headers.get('set-cookie')).to.equal(null);
  });

  it('when someone guesses an admin password on the monitor form, then the login rate limit stops it like the API', async () => {
    await createAdmin(server, 'guarded');
    const answers: string[] = [];
    for (let i = 0; i < 6; i++)
      answers.push(decodeURIComponent((await signIn('guarded', `guess-${i}`)).headers.get('location') ?? ''));
    expect(answers.slice(0, 5).every((a) => a.includes('[11003]'))).to.equal(true);
    expect(answers[5]).to.include('[10005]');
    const api = await server.http.post('/auth/login', { login: 'guarded', password: 'guarded-password' });
    expect(api.status).to.equal(429);
  });

  it('when an admin signs out of the monitor, then the token in the cookie stops working', async () => {
    await createAdmin(server, 'leaving');
    const cookie = (await signIn('leaving', 'leaving-password')).headers.get('set-cookie')!.split(';')[0];
    const before = await server.http.request('GET', '/admin/monitor/api', { headers: { cookie } });
    expect(before.status).to.equal(200);
    const out = await fetch(`${server.url}/admin/monitor/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie },
    });
    expect(out.status).to.equal(303);
    const after = await server.http.request('GET', '/admin/monitor/api', { headers: { cookie } });
    expect(after.status).to.equal(401);
    expect(after.body.error.code).to.equal(11002);
  });

  it('when an admin signed in elsewhere asks for a monitor session, then the cookie opens the monitor until that login ends', async () => {
    const admin = await createAdmin(server, 'bridged');
    const res = await server.http.post('/admin/monitor-session', undefined, admin.access_token);
    expect(res.status).to.equal(204);
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).to.match(/^plaza_monitor=[^;]+; Path=\/admin\/monitor; HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    const cookie = setCookie.split(';')[0];
    expect((await server.http.request('GET', '/admin/monitor/api', { headers: { cookie } })).status).to.equal(200);

    await server.http.post('/auth/logout', {}, admin.access_token);
    const after = await server.http.request('GET', '/admin/monitor/api', { headers: { cookie } });
    expect(after.status).to.equal(401);
  });

  it('when a non-admin or nobody asks for a monitor session, then it is refused and no cookie is set', async () => {
    const user = await server.http.signUp('outsider');
    const refused = await server.http.post('/admin/monitor-session', undefined, user.access_token);
    expect(refused.status).to.equal(403);
    expect(refused.headers.get('set-cookie')).to.equal(null);
    const anonymous = await server.http.post('/admin/monitor-session');
    expect(anonymous.status).to.equal(401);
    expect(anonymous.headers.get('set-cookie')).to.equal(null);
  });
});

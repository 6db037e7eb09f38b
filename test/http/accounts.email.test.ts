import { expect } from 'chai';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { eventually } from '../helpers/realtime.ts';
import { mailDrop } from '../../src/services.ts';
import { configWith, emailVerificationMode } from '../../src/config.ts';
import type { DroppedMail } from '../../src/infra/mail/MailDrop.ts';

/** Mails to `email` waiting in the mail drop (where mail goes without SMTP), oldest first. */
function mailsTo(server: TestServer, email: string): DroppedMail[] {
  return mailDrop(server.config)
    .list()
    .filter((m) => m.to === email);
}

/** Waits for the `count`-th mail to `email` and returns the confirmation token it carries. */
async function tokenMailed(server: TestServer, email: string, count = 1): Promise<string> {
  await eventually(() => mailsTo(server, email).length >= count, `mail #${count} to ${email}`, 15_000);
  const match = /Confirmation token: (\S+)/.exec(mailsTo(server, email)[count - 1].text);
  expect(match, 'the mail carries a confirmation token').to.not.equal(null);
  return match![1];
}

async function register(server: TestServer, username: string) {
  const res = await server.http.post('/auth/register', {
    username,
    email: `${username}@example.test`,
    password: `${username}-password`,
  });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { id: number };
}

const login = (server: TestServer, name: string, password = `${name}-password`) =>
  server.http.post('/auth/login', { login: name, password });

describe('accounts: e-mail verification required at sign-in', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async function () {
    server = await startTestServer({ EMAIL_VERIFICATION: 'required' });
  });
  after(() => server.close());

  it('when a user signs up, then sign-in is refused with 11010 until the mailed token is confirmed, and the token works once', async () => {
    await register(server, 'verifier');
    const token = await tokenMailed(server, 'verifier@example.test');
    const refused = await login(server, 'verifier');
    expectError(refused, 403, 11010);
    expect(refused.body.error.detail).to.deep.equal({ email: 'verifier@example.test' });

    expect((await server.http.post('/auth/email/verify', { token })).status).to.equal(204);
    const ok = await login(server, 'verifier');
    expect(ok.status).to.equal(200);
    const me = await server.http.get('/users/me', ok.body.access_token);
    expect(me.body).to.include({ email: 'verifier@example.test', email_verified: true });
    expectError(await server.http.post('/auth/email/verify', { token }), 400, 11011);
    expectError(await server.http.post('/auth/email/verify', { token: 'made-up' }), 400, 11011);
  });

  it('when an unverified user gives a wrong password, then the answer is 11003 and tells nothing about verification', async () => {
    await register(server, 'quiet');
    expectError(await login(server, 'quiet', 'not-the-password'), 401, 11003);
  });

  it('when a user asks for a new token, then it is mailed, the earlier one stops working, and an unknown address gets the same 202', async () => {
    await register(server, 'resender');
    const first = await tokenMailed(server, 'resender@example.test');
    const res = await server.http.post('/auth/email/verify/resend', { email: 'Resender@example.test' });
    expect(res.status).to.equal(202);
    const second = await tokenMailed(server, 'resender@example.test', 2);
    expect(second).to.not.equal(first);
    expectError(await server.http.post('/auth/email/verify', { token: first }), 400, 11011);
    expect((await server.http.post('/auth/email/verify', { token: second })).status).to.equal(204);
    expect((await login(server, 'resender')).status).to.equal(200);

    expect((await server.http.post('/auth/email/verify/resend', { email: 'nobody@example.test' })).status).to.equal(
      202,
    );
    expectError(await server.http.post('/auth/email/verify/resend', { email: 'not-an-address' }), 422, 10001);
  });

  it('when an admin creates a user, then that user signs in without a verification mail', async () => {
    const admin = await signUpWithRole(server, 'verifyadmin', 'admin');
    const res = await server.http.post(
      '/admin/users',
      { username: 'madebyadmin', email: 'madebyadmin@example.test', password: 'madebyadmin-password' },
      admin.access_token,
    );
    expect(res.status).to.equal(201);
    expect((await login(server, 'madebyadmin')).status).to.equal(200);
    expect(mailsTo(server, 'madebyadmin@example.test')).to.deep.equal([]);
  });
});

describe('accounts: changing my e-mail address', function () {
  this.timeout(60_000);
  let server: TestServer;
  let me: Session;
  before(async function () {
    server = await startTestServer({ EMAIL_VERIFICATION: 'optional' });
    me = await server.http.signUp('mover');
  });
  after(() => server.close());
  const changeEmail = (who: Session, email: string, password: string) =>
    server.http.post('/users/me/email', { email, password }, who.access_token);

  it('when I ask to move to a new address, then the new address gets a token, the old one is told, and the account moves only when the token is confirmed', async () => {
    const res = await changeEmail(me, 'Mover.New@example.test', 'mover-password');
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    const token = await tokenMailed(server, 'mover.new@example.test');
    const notice = mailsTo(server, 'mover@example.test').find((m) => /about to change/.test(m.subject));
    expect(notice, 'the old address is told').to.not.equal(undefined);
    expect(notice!.text).to.include('mover.new@example.test').and.not.include(token);
    expect((await server.http.get('/users/me', me.access_token)).body.email).to.equal('mover@example.test');

    expect((await server.http.post('/auth/email/verify', { token })).status).to.equal(204);
    const after = await server.http.get('/users/me', me.access_token);
    expect(after.body).to.include({ email: 'mover.new@example.test', email_verified: true });
    expect((await login(server, 'mover.new@example.test', 'mover-password')).status).to.equal(200);
    expectError(await login(server, 'mover@example.test', 'mover-password'), 401, 11003);
  });

  it('when the password is wrong or the address is taken, then 403 11009 or 409 12002 and nothing is mailed', async () => {
    const other = await server.http.signUp('squatter');
    const before = mailDrop(server.config).list().length;
    expectError(await changeEmail(other, 'x@example.test', 'wrong-password'), 403, 11009);
    expectError(await changeEmail(other, 'mover.new@example.test', 'squatter-password'), 409, 12002);
    expect(mailDrop(server.config).list().length).to.equal(before);
  });

  it('when the new address is taken between the request and the confirmation, then confirming answers 409 12002 and the account keeps its address', async () => {
    const racer = await server.http.signUp('racer');
    await changeEmail(racer, 'contested@example.test', 'racer-password');
    const token = await tokenMailed(server, 'contested@example.test');
    const admin = await signUpWithRole(server, 'emailadmin', 'admin');
    await server.http.post(
      '/admin/users',
      { username: 'winner', email: 'contested@example.test', password: 'winner-password' },
      admin.access_token,
    );
    expectError(await server.http.post('/auth/email/verify', { token }), 409, 12002);
    expect((await server.http.get('/users/me', racer.access_token)).body.email).to.equal('racer@example.test');
  });

  it('when verification is optional, then a new account is mailed a token but signs in before confirming', async () => {
    await register(server, 'relaxed');
    await tokenMailed(server, 'relaxed@example.test');
    const ok = await login(server, 'relaxed');
    expect(ok.status).to.equal(200);
    expect((await server.http.get('/users/me', ok.body.access_token)).body.email_verified).to.equal(false);
  });
});

describe('accounts: e-mail verification off', function () {
  this.timeout(60_000);
  let server: TestServer;
  before(async function () {
    server = await startTestServer();
  });
  after(() => server.close());

  it('when no SMTP server is configured and EMAIL_VERIFICATION is unset, then sign-up mails nothing and sign-in works', async () => {
    await register(server, 'nomail');
    expect((await login(server, 'nomail')).status).to.equal(200);
    // Off means no mail is even queued: nothing can arrive later.
    expect(mailsTo(server, 'nomail@example.test')).to.deep.equal([]);
  });

  it('when SMTP is configured and EMAIL_VERIFICATION is unset, then verification is optional; set, it wins', () => {
    expect(emailVerificationMode(configWith({ SMTP_URL: 'smtp://mail.example.test' }))).to.equal('optional');
    expect(emailVerificationMode(configWith({}))).to.equal('off');
    expect(emailVerificationMode(configWith({ SMTP_URL: 'smtp://m', EMAIL_VERIFICATION: 'required' }))).to.equal(
      'required',
    );
    expect(() => configWith({ EMAIL_VERIFICATION: 'sometimes' })).to.throw(/EMAIL_VERIFICATION/);
  });
});

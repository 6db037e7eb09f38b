import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { eventually } from '../helpers/realtime.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtpCapture.ts';

describe('outgoing mail over SMTP', function () {
  this.timeout(300_000);
  let smtp: SmtpCapture;
  let server: TestServer;

  before(async () => {
    smtp = await startSmtpCapture();
    // PUBLIC_URL unset: links must carry the address the server really listens on (PORT=0 here).
    // Verification mail off: these tests count the reset and notice mails alone.
    server = await startTestServer({
      SMTP_URL: smtp.url,
      MAIL_RETRY_BASE: '1',
      MAIL_RETRY_ATTEMPTS: '5',
      EMAIL_VERIFICATION: 'off',
    });
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });

  const outbox = () =>
    server.services.orm.em
      .fork()
      .getConnection()
      .execute<{ subject: string; sent_at: Date | null; attempts: number; error: string | null }[]>(
        'select subject, sent_at, attempts, error from outbox_emails order by id',
      );
  const unfold = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');

  it('when the mail server refuses a reset mail and later accepts, then it is retried and arrives with a console link in text and HTML', async () => {
    await server.http.signUp('mailer');
    smtp.refuse(true);
    expect((await server.http.post('/auth/password/forgot', { email: 'mailer@example.test' })).status).to.equal(202);
    await eventually(async () => (await outbox())[0]?.attempts === 1, 'the first attempt failed', 15_000);
    const failed = (await outbox())[0];
    expect(failed.sent_at).to.equal(null);
    expect(failed.error).to.include('mail service unavailable');

    smtp.refuse(false);
    await eventually(() => smtp.mails.length === 1, 'the retried mail arrives', 30_000);
    // The server records the delivery once the mail server has said yes.
    await eventually(async () => (await outbox())[0].sent_at !== null, 'the delivery is recorded', 15_000);
    const delivered = (await outbox())[0];
    expect(delivered.attempts).to.equal(2);

    const raw = unfold(smtp.mails[0].raw);
    expect(raw).to.include('multipart/alternative');
    expect(raw).to.include('text/plain').and.include('text/html');
    const link = new RegExp(`${server.url.replace(/[.]/g, '\\.')}/console/reset\\?token=([A-Za-z0-9_-]+)`).exec(raw);
    expect(link, `a link to ${server.url}/console/reset in:\n${raw}`).to.not.equal(null);

    const reset = await server.http.post('/auth/password/reset', {
      token: link![1],
      password: 'a brand new passphrase',
    });
    expect(reset.status, JSON.stringify(reset.body)).to.equal(204);
    await eventually(() => smtp.mails.length === 2, 'the password-changed notice arrives', 15_000);
    expect(smtp.mails[1].raw).to.include('Subject: Your Plaza password was changed');
    expect(smtp.mails[1].to).to.deep.equal(['mailer@example.test']);
  });

  it('when a signed-in user changes the password, then the account address is told', async () => {
    const session = await server.http.signUp('changer');
    const before = smtp.mails.length;
    const changed = await server.http.post(
      '/users/me/password',
      { current: 'changer-password', new: 'another new passphrase' },
      session.access_token,
    );
    expect(changed.status, JSON.stringify(changed.body)).to.be.oneOf([200, 204]);
    await eventually(() => smtp.mails.length === before + 1, 'the notice arrives', 15_000);
    const notice = smtp.mails.at(-1)!;
    expect(notice.to).to.deep.equal(['changer@example.test']);
    expect(notice.raw).to.include('Subject: Your Plaza password was changed');
  });
});

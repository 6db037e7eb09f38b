import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { OUTAGE_SETTINGS, createProxiedTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import { expectError } from '../helpers/http.ts';
import { Inbox, createAdmin, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { metricValue, scrape } from '../helpers/metrics.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtpCapture.ts';

const reason = ' (PostgreSQL run only: the embedded database has no network path to break)';

describe('a database outage, as an operator sees it (a TCP proxy between Plaza and PostgreSQL)', function () {
  this.timeout(120_000);
  let db: Awaited<ReturnType<typeof createProxiedTestDatabase>>;
  let server: TestServer;
  let smtp: SmtpCapture;
  let home: Room;

  before(async function () {
    if (!usingPostgres) return;
    db = await createProxiedTestDatabase();
    smtp = await startSmtpCapture();
    server = await startTestServer(
      {
        ...OUTAGE_SETTINGS,
        SMTP_URL: smtp.url,
        ALERT_EMAIL: 'ops@example.test',
        EMAIL_VERIFICATION: 'off', // the alerts are the only mail this test counts
        METRICS_PORT: '0',
      },
      { database: db.target },
    );
  });

  after(async () => {
    if (!usingPostgres) return;
    db?.proxy.set('pass');
    if (home) await leaveQuietly(home);
    await server?.close();
    await db?.dispose();
    await smtp?.close();
  });

  (usingPostgres ? it : it.skip)(
    'when PostgreSQL becomes unreachable and returns, then admins, the log, the metrics and ALERT_EMAIL hear one database_unavailable and one database_recovered, signed-in sessions keep working and new sign-ins get 503 with Retry-After' +
      reason,
    async () => {
      const admin = await createAdmin(server, 'outage-admin');
      await server.http.signUp('outage-user');
      // Every check the database answers refreshes who the admins are: this one came after start-up.
      await server.services.databaseWatch.check();
      home = await sdkClient(server, admin).joinOrCreate('home');
      const notices = new Inbox(home, 'notification');
      const before = await scrape(server.metricsUrl!);

      db.proxy.set('blackhole');
      db.proxy.cut();
      const down = await notices.next((n) => n.text.startsWith('database_unavailable'), 20_000);
      expect(down).to.include({ id: 0, type: 'notice' });

      const login = await server.http.post('/auth/login', { login: 'outage-user', password: 'outage-user-password' });
      expectError(login, 503, 10006);
      expect(login.headers.get('retry-after')).to.match(/^\d+$/);
      // A signed-in admin's session needs no database: tokens are signatures, revocations are in memory.
      const clients = await server.http.get('/admin/realtime/clients', admin.access_token);
      expect(clients.status, JSON.stringify(clients.body)).to.equal(200);

      // Many failing checks and requests later, still one event.
      for (let i = 0; i < 4; i++) {
        expect((await server.http.get('/users/me', admin.access_token)).status).to.equal(503);
        await server.services.databaseWatch.check();
      }
      await eventually(() => smtp.mails.length >= 1, 'the alert e-mail arrives', 10_000);
      const during = await scrape(server.metricsUrl!);
      const events = (samples: typeof before, event: string) =>
        metricValue(samples, 'plaza_db_events_total', { event }) -
        metricValue(before, 'plaza_db_events_total', { event });
      expect(events(during, 'database_unavailable')).to.equal(1);
      expect(metricValue(during, 'plaza_db_available')).to.equal(0);

      db.proxy.set('pass');
      const up = await notices.next((n) => n.text.startsWith('database_recovered'), 30_000);
      expect(up.id, 'the recovery notice is stored').to.be.above(0);
      await eventually(() => smtp.mails.length >= 2, 'the recovery e-mail arrives', 10_000);
      await server.services.databaseWatch.check();

      const after = await scrape(server.metricsUrl!);
      expect(events(after, 'database_unavailable')).to.equal(1);
      expect(events(after, 'database_recovered')).to.equal(1);
      expect(metricValue(after, 'plaza_db_available')).to.equal(1);
      expect(notices.items.filter((n) => n.text.startsWith('database_unavailable'))).to.have.length(1);
      expect(notices.items.filter((n) => n.text.startsWith('database_recovered'))).to.have.length(1);
      expect(smtp.mails).to.have.length(2);
      expect(smtp.mails[0].to).to.deep.equal(['ops@example.test']);
      expect(smtp.mails[0].raw).to.include('Subject: Plaza: database unavailable');
      expect(smtp.mails[1].raw).to.include('Subject: Plaza: database recovered');
      const stored = await server.http.get('/notifications', admin.access_token);
      expect(stored.body.items.map((n: { text: string }) => n.text.split(':')[0])).to.include('database_recovered');
      expect(
        (await server.http.post('/auth/login', { login: 'outage-user', password: 'outage-user-password' })).status,
      ).to.equal(200);
    },
  );
});

import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { adminSession, submitJob, waitForJob } from '../helpers/ai.ts';
import { eventually } from '../helpers/realtime.ts';

describe('retention of stored records', function () {
  this.timeout(180_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({
      RETENTION_INTERVAL: '1',
      AI_RESULT_RETENTION_DAYS: '30',
      SSH_AUDIT_RETENTION_DAYS: '30',
      OUTBOX_RETENTION_DAYS: '30',
      TOKEN_RETENTION_DAYS: '7',
    });
  });
  after(() => server.close());

  const sql = <T = Record<string, unknown>>(query: string) =>
    server.services.orm.em.fork().getConnection().execute<T[]>(query);
  const count = async (query: string) => Number((await sql<{ n: number }>(query))[0].n);

  it('when records outlive their retention, then the periodic pass removes them and keeps everything younger or still needed', async () => {
    const admin = await adminSession(server, 'keeper-admin');
    for (const n of [1, 2]) {
      const job = await submitJob(server.http, admin.access_token, {
        model: 'sentiment',
        task: 'score',
        input: { texts: [`text ${n}`] },
      });
      expect((await waitForJob(server.http, admin.access_token, job.id)).status).to.equal('succeeded');
    }
    await server.http.signUp('aged');
    await server.http.post('/auth/password/forgot', { email: 'aged@example.test' });
    await eventually(async () => (await count('select count(*) as n from outbox_emails')) === 1, 'the reset mail');
    await sql(`insert into admin_audit_log (actor_name, action, target_type, target_id, created_at) values
      ('op', 'ssh.command', 'server', 'web-1', now() - interval '40 days'),
      ('op', 'ssh.command', 'server', 'web-1', now() - interval '1 day'),
      ('root', 'user.ban', 'user', '1', now() - interval '400 days')`);

    // Counted before anything is aged: a retention pass may run as soon as the first row is.
    const refreshBefore = await count('select count(*) as n from refresh_tokens');
    // Age half of everything past its retention, as time would.
    await sql(`update ai_jobs set finished_at = now() - interval '40 days'
                where id = (select min(id) from ai_jobs)`);
    await sql(`update outbox_emails set sent_at = now() - interval '40 days'`);
    await sql(`update refresh_tokens set expires_at = now() - interval '8 days'
                where id = (select id from refresh_tokens order by created_at limit 1)`);
    await sql(`update password_reset_tokens set expires_at = now() - interval '8 days'`);

    await eventually(
      async () => (await count('select count(*) as n from outbox_emails')) === 0,
      'a retention pass has run',
      60_000,
    );
    const jobs = await sql<{ dataset: unknown; result: unknown }>('select dataset, result from ai_jobs order by id');
    expect(jobs[0].result, 'the old result is gone').to.equal(null);
    expect(jobs[1].result, 'the recent result stays').to.not.equal(null);
    expect(await count("select count(*) as n from admin_audit_log where action = 'ssh.command'")).to.equal(1);
    expect(
      await count("select count(*) as n from admin_audit_log where action = 'user.ban'"),
      'not SSH: kept',
    ).to.equal(1);
    expect(await count('select count(*) as n from refresh_tokens')).to.equal(refreshBefore - 1);
    expect(await count('select count(*) as n from password_reset_tokens')).to.equal(0);
    // The job whose result went is still listed for its owner.
    const listed = await server.http.get('/ai/jobs', admin.access_token);
    expect(listed.body.items).to.have.length(2);
  });
});

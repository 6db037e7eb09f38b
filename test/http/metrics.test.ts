import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { Inbox, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { adminSession, submitJob, waitForJob } from '../helpers/ai.ts';
import { metricValue, scrape } from '../helpers/metrics.ts';
import { usingPostgres } from '../helpers/testDatabase.ts';

const TOKEN = 'metrics-token-for-prometheus-0123';

describe('Prometheus metrics', function () {
  this.timeout(180_000);
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ METRICS_PORT: '0', METRICS_TOKEN: TOKEN });
  });
  after(() => server.close());

  it('when Prometheus scrapes the metrics port, then it gets the process defaults and every plaza_ family, labelled with the process', async () => {
    expect(server.metricsUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(server.metricsUrl!);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.include('text/plain');
    const text = await res.text();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_gc_duration_seconds',
      'nodejs_active_handles_total',
      'plaza_http_requests_total',
      'plaza_http_request_duration_seconds',
      'plaza_room_sessions',
      'plaza_rooms',
      'plaza_ws_connections_opened_total',
      'plaza_ws_connections_closed_total',
      'plaza_room_messages_total',
      'plaza_chat_store_duration_seconds',
      'plaza_db_query_errors_total',
      'plaza_db_events_total',
      'plaza_db_available',
      'plaza_ai_jobs',
      'plaza_ai_job_run_seconds',
      'plaza_ssh_target_up',
      'plaza_ssh_commands_total',
      'plaza_ssh_transfers_total',
      'plaza_auth_failures_total',
      'plaza_rate_limited_total',
      'plaza_outbox_pending',
      ...(usingPostgres ? ['plaza_db_pool_connections'] : []),
    ]) {
      expect(text, name).to.match(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    expect(text).to.match(new RegExp(`process="[^"]+:${process.pid}"`));
  });

  it('when the public port is asked for /metrics, then only the METRICS_TOKEN bearer gets them', async () => {
    const anonymous = await fetch(`${server.url}/metrics`);
    expect(anonymous.status).to.equal(401);
    const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).to.equal(401);
    const samples = await scrape(`${server.url}/metrics`, TOKEN);
    expect(samples.some((s) => s.name === 'plaza_http_requests_total')).to.equal(true);
  });

  it('when users sign in, fail to, chat, send bad messages and run AI jobs, then the matching series move', async () => {
    const url = server.metricsUrl!;
    const before = await scrape(url);
    const alice = await server.http.signUp('metric-alice');
    const bob = await server.http.signUp('metric-bob');
    expect((await server.http.post('/auth/login', { login: 'metric-alice', password: 'wrong' })).status).to.equal(401);
    expect((await server.http.get('/users/me', alice.access_token)).status).to.equal(200);
    expect((await server.http.get('/users/me', 'not-a-token')).status).to.equal(401);

    const home = await sdkClient(server, alice).joinOrCreate('home');
    const sent = new Inbox(home, 'dm_sent');
    const errors = new Inbox(home, 'error');
    home.send('dm', { to: bob.id, text: 'counted' });
    await sent.next();
    home.send('no-such-type', {});
    await errors.next((e) => e.error_code === 30013);

    const during = await scrape(url);
    const delta = (name: string, labels: Record<string, string> = {}) =>
      metricValue(during, name, labels) - metricValue(before, name, labels);
    expect(delta('plaza_http_requests_total', { route: '/users/me', method: 'GET', status: '200' })).to.equal(1);
    expect(delta('plaza_http_requests_total', { route: '/auth/login', method: 'POST', status: '401' })).to.equal(1);
    expect(delta('plaza_http_request_duration_seconds_count', { route: '/users/me' })).to.equal(2);
    expect(delta('plaza_auth_failures_total', { edge: 'http' })).to.equal(2);
    expect(metricValue(during, 'plaza_room_sessions', { room: 'home' })).to.equal(1);
    expect(metricValue(during, 'plaza_rooms', { room: 'home' })).to.be.at.least(1);
    expect(delta('plaza_ws_connections_opened_total')).to.equal(1);
    expect(delta('plaza_room_messages_total', { room: 'home', type: 'dm', result: 'ok' })).to.equal(1);
    expect(delta('plaza_room_messages_total', { room: 'home', type: 'unknown', result: '30013' })).to.equal(1);
    expect(delta('plaza_chat_store_duration_seconds_count', { room: 'home', result: 'ok' })).to.equal(1);
    if (usingPostgres) {
      expect(metricValue(during, 'plaza_db_pool_connections', { state: 'idle' })).to.be.at.least(1);
    }

    await leaveQuietly(home);
    await eventually(
      async () =>
        metricValue(await scrape(url), 'plaza_ws_connections_closed_total') -
          metricValue(before, 'plaza_ws_connections_closed_total') ===
        1,
      'the closed connection is counted',
    );
    expect(metricValue(await scrape(url), 'plaza_room_sessions', { room: 'home' })).to.equal(0);

    const admin = await adminSession(server, 'metric-admin');
    const job = await submitJob(server.http, admin.access_token, {
      model: 'sentiment',
      task: 'score',
      input: { texts: ['a fine day'] },
    });
    expect((await waitForJob(server.http, admin.access_token, job.id)).status).to.equal('succeeded');
    const after = await scrape(url);
    expect(metricValue(after, 'plaza_ai_job_run_seconds_count', { model: 'sentiment', result: 'succeeded' })).to.equal(
      1,
    );
    expect(metricValue(after, 'plaza_ai_jobs', { status: 'succeeded' })).to.be.at.least(1);
  });
});

// Colyseus' matchmaker is one per process: a second server runs only once the first has stopped.
describe('Prometheus metrics, not configured', function () {
  this.timeout(180_000);

  it('when no METRICS_TOKEN is set, then the public port has no /metrics at all', async () => {
    const plain = await startTestServer();
    try {
      expect(plain.metricsUrl).to.equal(undefined);
      expect((await fetch(`${plain.url}/metrics`)).status).to.equal(404);
    } finally {
      await plain.close();
    }
  });
});

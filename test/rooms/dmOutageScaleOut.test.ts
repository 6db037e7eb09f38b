import { expect } from 'chai';
import { Client, type Room } from '@colyseus/sdk';
import { OUTAGE_SETTINGS, createProxiedTestDatabase } from '../helpers/testDatabase.ts';
import { HttpClient } from '../helpers/http.ts';
import { Inbox, eventually, leaveQuietly } from '../helpers/realtime.ts';
import { missingForCluster, startCluster, type Cluster } from '../scale/cluster.ts';

type Dm = { id: number | null; text: string; pending?: boolean; client_msg_id: string };
type RoomError = { error_code: number; detail?: { type?: string; retryable?: boolean; client_msg_id?: string } };

/**
 * With REDIS_URL a block made on another process is not known here, so a DM sent while the database is
 * away cannot be checked against blocks and must not be spooled: the sender is told 30014 (nothing
 * stored, retry later) at once, and nothing turns up when the database returns.
 */
describe('DMs during a database outage with several processes (PostgreSQL behind a TCP proxy + Redis)', function () {
  // Two server processes start on a shared, busy machine.
  this.timeout(300_000);
  const missing = missingForCluster();
  let db: Awaited<ReturnType<typeof createProxiedTestDatabase>>;
  let cluster: Cluster;
  const rooms: Room[] = [];

  before(async function () {
    if (missing) return;
    db = await createProxiedTestDatabase();
    // Every process reaches the database through the proxy (the cluster's own database stays unused).
    cluster = await startCluster(2, {
      DATABASE_URL: db.target.url,
      ...OUTAGE_SETTINGS,
      // Start-up on a busy machine may take longer than the outage bounds above allow.
      DB_STARTUP_WAIT: '120',
      EMAIL_VERIFICATION: 'off',
    });
  });
  after(async () => {
    if (missing) return;
    db?.proxy.set('pass');
    await Promise.all(rooms.map(leaveQuietly));
    await cluster?.stop();
    await db?.dispose();
  });

  (missing ? it.skip : it)(
    'when the database is cut and a user DMs someone on another process, then the sender gets 30014 with retryable true at once, the recipient sees nothing, and nothing is stored when the database returns' +
      (missing ? ` (skipped: ${missing})` : ''),
    async () => {
      const [p1, p2] = cluster.processes;
      const [http1, http2] = [new HttpClient(p1.endpoint), new HttpClient(p2.endpoint)];
      const [ana, bo] = [await http1.signUp('scale-dm-ana'), await http2.signUp('scale-dm-bo')];
      const home = async (endpoint: string, token: string) => {
        const client = new Client(endpoint.replace('http', 'ws'));
        client.auth.token = token;
        const room = await client.joinOrCreate('home');
        rooms.push(room);
        room.onMessage('dm', () => undefined);
        return room;
      };
      const [anaHome, boHome] = [await home(p1.endpoint, ana.access_token), await home(p2.endpoint, bo.access_token)];
      const [anaSent, anaErrors, boDms] = [
        new Inbox<Dm>(anaHome, 'dm_sent'),
        new Inbox<RoomError>(anaHome, 'error'),
        new Inbox<Dm>(boHome, 'dm'),
      ];
      anaHome.send('dm', { to: bo.id, text: 'before the outage' });
      await boDms.next((m) => m.text === 'before the outage' && m.id !== null, 20_000);

      db.proxy.set('blackhole');
      db.proxy.cut();
      await eventually(async () => (await http1.get('/ready')).status === 503, 'p1 sees the outage', 30_000);

      const id = crypto.randomUUID();
      anaHome.send('dm', { to: bo.id, text: 'into the dark', client_msg_id: id });
      const refused = await anaErrors.next((e) => e.detail?.type === 'dm', 20_000);
      expect(refused.error_code, JSON.stringify(refused)).to.equal(30014);
      expect(refused.detail).to.include({ retryable: true, client_msg_id: id });
      expect(anaSent.items.filter((m) => m.client_msg_id === id)).to.deep.equal([]);

      db.proxy.set('pass');
      await eventually(
        async () => (await http1.get('/ready')).status === 200 && (await http2.get('/ready')).status === 200,
        'both processes see the database again',
        30_000,
      );
      // A later DM is stored and delivered once the process's own watch sees the database again (until
      // then it answers 30014 as well, and a client retries): the one refused during the outage never is.
      await eventually(
        async () => {
          const retry = crypto.randomUUID();
          anaHome.send('dm', { to: bo.id, text: 'after the outage', client_msg_id: retry });
          return await Promise.race([
            anaSent.next((m) => m.client_msg_id === retry, 20_000).then(() => true),
            anaErrors
              .next((e) => e.detail?.client_msg_id === retry && e.error_code === 30014, 20_000)
              .then(() => false),
          ]);
        },
        () => `a DM is stored after the outage; ana's errors: ${JSON.stringify(anaErrors.items)}`,
        30_000,
        250,
      );
      await boDms.next((m) => m.text === 'after the outage' && m.id !== null, 20_000);
      const history = await http2.get(`/chat/dms/${ana.id}/messages?after=0`, bo.access_token);
      expect(history.body.items.map((m: Dm) => m.text)).to.deep.equal(['before the outage', 'after the outage']);
      expect(boDms.items.filter((m) => m.client_msg_id === id)).to.deep.equal([]);
    },
  );
});

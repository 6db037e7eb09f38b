import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { OUTAGE_SETTINGS, createProxiedTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import { Inbox, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

const reason = ' (PostgreSQL run only: the embedded database has no network path to cut)';
const itOnPostgres = usingPostgres ? it : it.skip;

type Dm = { id: number | null; text: string; pending?: boolean; client_msg_id: string };
type RoomError = { error_code: number; detail?: { type?: string } };

/**
 * One process, no REDIS_URL: DMs sent while the database is away are checked against the blocks this
 * process holds in memory (BlockList). These tests make sure an unblock reaches that list, not only a block.
 */
describe('DMs during a database outage after a block and an unblock (one process, PostgreSQL behind a TCP proxy)', function () {
  this.timeout(180_000);
  let db: Awaited<ReturnType<typeof createProxiedTestDatabase>>;
  let server: TestServer;
  const rooms: Room[] = [];

  before(async function () {
    if (!usingPostgres) return;
    db = await createProxiedTestDatabase();
    server = await startTestServer({ ...OUTAGE_SETTINGS, EMAIL_VERIFICATION: 'off' }, { database: db.target });
  });
  afterEach(async () => {
    if (!usingPostgres) return;
    db.proxy.set('pass');
    await eventually(() => server.services.spool.size === 0, 'the spool drains', 30_000);
  });
  after(async () => {
    if (!usingPostgres) return;
    db?.proxy.set('pass');
    await Promise.all(rooms.map(leaveQuietly));
    await server?.close();
    await db?.dispose();
  });

  async function homes(names: [string, string]) {
    const [a, b] = [await server.http.signUp(names[0]), await server.http.signUp(names[1])];
    const [aHome, bHome] = [
      await sdkClient(server, a).joinOrCreate('home'),
      await sdkClient(server, b).joinOrCreate('home'),
    ];
    rooms.push(aHome, bHome);
    // Each home hears its own DMs too; these tests look at the recipient's.
    for (const home of [aHome, bHome]) home.onMessage('dm', () => undefined);
    return { a, b, aHome, bHome };
  }

  async function cutDatabase(): Promise<void> {
    db.proxy.set('blackhole');
    db.proxy.cut();
    await eventually(() => server.services.databaseWatch.unavailable, 'the watch sees the outage', 20_000);
  }

  itOnPostgres(
    'when A blocks B and then unblocks B, then a DM from B during an outage is accepted as pending, reaches A live, and is stored when the database returns' +
      reason,
    async () => {
      const { a, b, aHome, bHome } = await homes(['unblock-ada', 'unblock-ben']);
      expect((await server.http.post(`/users/${b.id}/block`, undefined, a.access_token)).status).to.equal(204);
      expect((await server.http.delete(`/users/${b.id}/block`, a.access_token)).status).to.equal(204);
      const [aDms, bSent, bErrors] = [
        new Inbox<Dm>(aHome, 'dm'),
        new Inbox<Dm>(bHome, 'dm_sent'),
        new Inbox<RoomError>(bHome, 'error'),
      ];
      const bStored = new Inbox<Dm>(bHome, 'stored');

      await cutDatabase();
      const id = crypto.randomUUID();
      bHome.send('dm', { to: a.id, text: 'friends again?', client_msg_id: id });
      const sent = await Promise.race([
        bSent.next((m) => m.client_msg_id === id, 20_000),
        bErrors
          .next((e) => e.detail?.type === 'dm', 20_000)
          .then((e) => {
            throw new Error(`the DM was refused: ${JSON.stringify(e)}`);
          }),
      ]);
      expect(sent).to.include({ pending: true, id: null });
      expect(await aDms.next((m) => m.client_msg_id === id, 20_000)).to.include({ pending: true, id: null });

      db.proxy.set('pass');
      const stored = await bStored.next((m) => m.client_msg_id === id, 30_000);
      expect(stored.id).to.be.a('number');
      await aDms.next((m) => m.client_msg_id === id && m.id !== null, 30_000);
      const history = await server.http.get(`/chat/dms/${b.id}/messages?after=0`, a.access_token);
      expect(history.body.items.map((m: Dm) => [m.text, m.client_msg_id])).to.deep.equal([['friends again?', id]]);
    },
  );

  itOnPostgres(
    'when A blocks B and keeps the block, then a DM from B during an outage is refused at once with 30006, A sees nothing and nothing is stored later' +
      reason,
    async () => {
      const { a, b, aHome, bHome } = await homes(['block-ada', 'block-ben']);
      expect((await server.http.post(`/users/${b.id}/block`, undefined, a.access_token)).status).to.equal(204);
      const [aDms, bSent, bErrors] = [
        new Inbox<Dm>(aHome, 'dm'),
        new Inbox<Dm>(bHome, 'dm_sent'),
        new Inbox<RoomError>(bHome, 'error'),
      ];

      await cutDatabase();
      const before = server.services.spool.size;
      bHome.send('dm', { to: a.id, text: 'let me in' });
      const refused = await bErrors.next((e) => e.detail?.type === 'dm', 20_000);
      expect(refused.error_code, JSON.stringify(refused)).to.equal(30006);
      expect(server.services.spool.size).to.equal(before);

      db.proxy.set('pass');
      await eventually(() => !server.services.databaseWatch.unavailable, 'the database is back', 30_000);
      const history = await server.http.get(`/chat/dms/${b.id}/messages?after=0`, a.access_token);
      expect(history.body.items).to.deep.equal([]);
      expect(aDms.items).to.deep.equal([]);
      expect(bSent.items).to.deep.equal([]);
    },
  );
});

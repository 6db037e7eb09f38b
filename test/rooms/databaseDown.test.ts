import { expect } from 'chai';
import pg from 'pg';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { usingPostgres } from '../helpers/testDatabase.ts';
import { Inbox, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

/** Takes a PostgreSQL database away (no new connections, existing ones killed) and gives it back. */
async function setReachable(url: string, reachable: boolean): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`alter database "${name}" allow_connections ${reachable}`);
    if (!reachable)
      await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
  } finally {
    await client.end();
  }
}

describe('chat room while the database is down (PostgreSQL only: an embedded PGlite cannot be taken away from the running server)', function () {
  let server: TestServer;
  before(async function () {
    // PGlite lives inside the server process and cannot be taken away from it while it runs.
    if (!usingPostgres) this.skip();
    server = await startTestServer({ CHAT_STORE_TIMEOUT_MS: '2000' });
  });
  after(async () => {
    if (server) {
      const db = server.database;
      if (db.kind === 'postgresql') await setReachable(db.url, true);
      await server.close();
    }
  });

  it('when the database is unreachable, then a message is delivered as pending, and once the database is back it is stored in order and announced as stored', async () => {
    const db = server.database;
    if (db.kind !== 'postgresql') throw new Error('needs PostgreSQL');
    const [ada, boris] = [await server.http.signUp('ada'), await server.http.signUp('boris')];
    const group = await server.http.post('/chat/groups', { name: 'fragile' }, ada.access_token);
    await server.http.post(`/chat/groups/${group.body.id}/invite`, { user_id: boris.id }, ada.access_token);
    const a = await sdkClient(server, ada).joinOrCreate('chat', { groupId: group.body.id });
    const b = await sdkClient(server, boris).joinOrCreate('chat', { groupId: group.body.id });
    const [bobMessages, bobStored] = [new Inbox(b, 'message'), new Inbox(b, 'stored')];
    await setReachable(db.url, false);
    a.send('msg', { text: 'into the void' });
    const pending = await bobMessages.next((m) => m.text === 'into the void', 10000);
    expect(pending).to.include({ pending: true, id: null, seq: null });
    await setReachable(db.url, true);
    a.send('msg', { text: 'back again' });
    const stored = await bobStored.next((m) => m.text === 'into the void', 20000);
    expect(stored.id).to.be.a('number');
    // Sent while the spool may still hold a message, it waits its turn (then comes as stored): order is kept.
    await eventually(
      () => [...bobStored.items, ...bobMessages.items].some((m) => m.text === 'back again' && m.id !== null),
      'the second message is stored',
      20000,
    );
    const history = await server.http.get(`/chat/groups/${group.body.id}/messages?after=0`, boris.access_token);
    const texts = history.body.items.map((m: any) => m.text);
    expect(texts.slice(-2)).to.deep.equal(['into the void', 'back again']);
    await Promise.all([leaveQuietly(a), leaveQuietly(b)]);
  });
});

import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Client, type Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { OUTAGE_SETTINGS, createProxiedTestDatabase, usingPostgres } from '../helpers/testDatabase.ts';
import { HttpClient, type Session } from '../helpers/http.ts';
import { Inbox, eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { launchServer, type ServerProcess } from '../helpers/serverProcess.ts';

const reason = ' (PostgreSQL run only: the embedded database has no network path to cut)';
const itOnPostgres = usingPostgres ? it : it.skip;

/** Bounds that make a cut proxy show within a second or two. */
const outageSettings = { ...OUTAGE_SETTINGS, EMAIL_VERIFICATION: 'off' };

type Message = {
  kind: string;
  id: number | null;
  seq: number | null;
  text: string;
  pending?: boolean;
  client_msg_id: string;
  created_at: string;
};

async function groupOf(http: HttpClient, owner: Session, member: Session, name: string): Promise<number> {
  const group = await http.post('/chat/groups', { name }, owner.access_token);
  await http.post(`/chat/groups/${group.body.id}/invite`, { user_id: member.id }, owner.access_token);
  return group.body.id as number;
}

describe('chat while the database is away: the message spool (PostgreSQL behind a TCP proxy)', function () {
  this.timeout(180_000);
  let db: Awaited<ReturnType<typeof createProxiedTestDatabase>>;
  let server: TestServer;
  const rooms: Room[] = [];

  before(async function () {
    if (!usingPostgres) return;
    db = await createProxiedTestDatabase();
    server = await startTestServer(outageSettings, { database: db.target });
  });
  after(async () => {
    if (!usingPostgres) return;
    db?.proxy.set('pass');
    await Promise.all(rooms.map(leaveQuietly));
    await server?.close();
    await db?.dispose();
  });

  itOnPostgres(
    'when PostgreSQL is cut, then members keep chatting and DMing with pending:true, and when it returns the spool is stored in order, stored arrives and the history is complete' +
      reason,
    async () => {
      const [ada, boris] = [await server.http.signUp('spool-ada'), await server.http.signUp('spool-boris')];
      const groupId = await groupOf(server.http, ada, boris, 'through the outage');
      const a = await sdkClient(server, ada).joinOrCreate('chat', { groupId });
      const b = await sdkClient(server, boris).joinOrCreate('chat', { groupId });
      const aHome = await sdkClient(server, ada).joinOrCreate('home');
      const bHome = await sdkClient(server, boris).joinOrCreate('home');
      rooms.push(a, b, aHome, bHome);
      const [aSent, aStored, bMessages, bStored] = [
        new Inbox<Message>(a, 'message_sent'),
        new Inbox<Message>(a, 'stored'),
        new Inbox<Message>(b, 'message'),
        new Inbox<Message>(b, 'stored'),
      ];
      const [aDmStored, bDms] = [new Inbox<Message>(aHome, 'stored'), new Inbox<Message>(bHome, 'dm')];
      a.send('msg', { text: 'before the outage' });
      await bMessages.next((m) => m.text === 'before the outage' && m.id !== null, 20_000);

      db.proxy.set('blackhole');
      db.proxy.cut();
      await eventually(() => server.services.databaseWatch.unavailable, 'the watch sees the outage', 20_000);

      const ids = [crypto.randomUUID(), crypto.randomUUID()];
      a.send('msg', { text: '첫 번째 during', client_msg_id: ids[0] });
      const pendingAck = await aSent.next((m) => m.client_msg_id === ids[0], 20_000);
      expect(pendingAck).to.include({ pending: true, id: null, seq: null });
      b.send('msg', { text: 'second during', client_msg_id: ids[1] });
      a.send('msg', { text: 'third during, without a client_msg_id' });
      const live = await bMessages.next((m) => m.text === 'third during, without a client_msg_id', 20_000);
      expect(live.pending).to.equal(true);
      expect(bMessages.items.filter((m) => m.pending).map((m) => m.text)).to.deep.equal([
        '첫 번째 during',
        'second during',
        'third during, without a client_msg_id',
      ]);
      const dmId = crypto.randomUUID();
      aHome.send('dm', { to: boris.id, text: 'a DM in the dark', client_msg_id: dmId });
      expect(await bDms.next((m) => m.client_msg_id === dmId, 20_000)).to.include({ pending: true, id: null });
      const spoolFile = path.join(server.config.DATA_DIR, 'spool', 'messages.jsonl');
      expect(fs.readFileSync(spoolFile, 'utf8').trim().split('\n')).to.have.length(4);

      db.proxy.set('pass');
      await eventually(() => aStored.items.length === 3 && bStored.items.length === 3, 'stored for each', 30_000);
      expect(aStored.items.map((m) => [m.text, m.pending])).to.deep.equal([
        ['첫 번째 during', undefined],
        ['second during', undefined],
        ['third during, without a client_msg_id', undefined],
      ]);
      const storedDm = await aDmStored.next((m) => m.client_msg_id === dmId, 30_000);
      expect(storedDm.id).to.be.a('number');
      // The recipient's home hears the stored DM with its id (and marks it delivered).
      await bDms.next((m) => m.client_msg_id === dmId && m.id !== null, 30_000);

      const history = await server.http.get(`/chat/groups/${groupId}/messages?after=0`, boris.access_token);
      const texts = (history.body.items as Message[]).filter((m) => m.kind === 'msg');
      expect(texts.map((m) => m.text)).to.deep.equal([
        'before the outage',
        '첫 번째 during',
        'second during',
        'third during, without a client_msg_id',
      ]);
      // seq stays contiguous: the spooled messages drew theirs when they were stored.
      const seqs = (history.body.items as Message[]).map((m) => m.seq);
      expect(seqs).to.deep.equal(seqs.map((_, i) => i + 1));
      expect(aStored.items.map((m) => m.seq)).to.deep.equal(texts.slice(1).map((m) => m.seq));
      const dms = await server.http.get(`/chat/dms/${ada.id}/messages?after=0`, boris.access_token);
      expect(dms.body.items.map((m: Message) => m.text)).to.deep.equal(['a DM in the dark']);
      // Stored messages keep the time the server accepted them, not the time the spool drained.
      const pendingTimes = bMessages.items.filter((m) => m.pending).map((m) => m.created_at);
      expect(aStored.items.map((m) => m.created_at)).to.deep.equal(pendingTimes);
      expect(texts.slice(1).map((m) => m.created_at)).to.deep.equal(pendingTimes);
      const pendingDm = bDms.items.find((m) => m.client_msg_id === dmId && m.pending)!;
      expect(storedDm.created_at).to.equal(pendingDm.created_at);
      expect(dms.body.items[0].created_at).to.equal(pendingDm.created_at);
      await eventually(() => fs.readFileSync(spoolFile, 'utf8') === '', 'the spool file is emptied', 10_000);
    },
  );

  itOnPostgres(
    'when a user who is blocked sends a DM during an outage, then it is refused at once with 30006 and not spooled; an unblocked DM is spooled' +
      reason,
    async () => {
      await eventually(() => !server.services.databaseWatch.unavailable, 'the database is back', 30_000);
      const [gus, hana] = [await server.http.signUp('spool-gus'), await server.http.signUp('spool-hana')];
      expect((await server.http.post(`/users/${gus.id}/block`, undefined, hana.access_token)).status).to.equal(204);
      const gHome = await sdkClient(server, gus).joinOrCreate('home');
      const hHome = await sdkClient(server, hana).joinOrCreate('home');
      rooms.push(gHome, hHome);
      const [gErrors, gSent] = [new Inbox(gHome, 'error'), new Inbox<Message>(gHome, 'dm_sent')];
      const hSent = new Inbox<Message>(hHome, 'dm_sent');
      db.proxy.set('blackhole');
      db.proxy.cut();
      await eventually(() => server.services.databaseWatch.unavailable, 'the watch sees the outage', 20_000);
      const before = server.services.spool.size;
      gHome.send('dm', { to: hana.id, text: 'you blocked me' });
      const refused = await gErrors.next((e) => e.detail?.type === 'dm', 20_000);
      expect(refused.error_code, JSON.stringify(refused)).to.equal(30006);
      expect(server.services.spool.size).to.equal(before);
      // The other way round nobody blocks: it is spooled and acknowledged as pending.
      hHome.send('dm', { to: gus.id, text: 'I may still write to you' });
      const sent = await hSent.next((m) => m.text === 'I may still write to you', 20_000);
      expect(sent.pending).to.equal(true);
      expect(gSent.items).to.have.length(0);
      db.proxy.set('pass');
      await eventually(() => server.services.spool.size === 0, 'the spool drains', 30_000);
    },
  );

  itOnPostgres(
    'when the spool is full during an outage, then a new message is refused with 30030 and nothing is delivered' +
      reason,
    async () => {
      const full = await startTestServer({ ...outageSettings, SPOOL_MAX_BYTES: '1' }, { database: db.target });
      try {
        const [cleo, dan] = [await full.http.signUp('spool-cleo'), await full.http.signUp('spool-dan')];
        const groupId = await groupOf(full.http, cleo, dan, 'small spool');
        const c = await sdkClient(full, cleo).joinOrCreate('chat', { groupId });
        rooms.push(c);
        const [errors, sent] = [new Inbox(c, 'error'), new Inbox<Message>(c, 'message_sent')];
        db.proxy.set('blackhole');
        db.proxy.cut();
        await eventually(() => full.services.databaseWatch.unavailable, 'the watch sees the outage', 20_000);
        c.send('msg', { text: 'fits' });
        await sent.next((m) => m.text === 'fits', 20_000);
        c.send('msg', { text: 'does not fit' });
        const refused = await errors.next((e) => e.detail?.type === 'msg', 20_000);
        expect(refused.error_code, JSON.stringify(refused)).to.equal(30030);
        expect(refused.detail).to.include({ retryable: true, type: 'msg' });
        db.proxy.set('pass');
        await eventually(() => full.services.spool.size === 0, 'the spool drains', 30_000);
      } finally {
        db.proxy.set('pass');
        await full.stop();
      }
    },
  );
});

describe('a process killed during an outage replays its spool at the next start (PostgreSQL behind a TCP proxy)', function () {
  // Two server processes start one after the other: slow on a busy machine.
  this.timeout(600_000);

  itOnPostgres(
    'when a process is killed with SIGKILL while messages wait in its spool, then the next process on its DATA_DIR stores them' +
      reason,
    async () => {
      const db = await createProxiedTestDatabase();
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-spool-'));
      const env = {
        ...outageSettings,
        DATABASE_URL: db.target.url,
        DATA_DIR: dataDir,
        JWT_SECRET: 'spool-test-secret-spool-test-secret-0123',
        // Start-up on a busy machine may take longer than the outage bounds above allow.
        DB_STARTUP_WAIT: '120',
      };
      const first = launchServer(env);
      let second: ServerProcess | undefined;
      let room: Room | undefined;
      try {
        const http = new HttpClient(await first.url);
        const [eve, finn] = [await http.signUp('spool-eve'), await http.signUp('spool-finn')];
        const groupId = await groupOf(http, eve, finn, 'killed mid-outage');
        const client = new Client((await first.url).replace('http', 'ws'));
        client.auth.token = eve.access_token;
        room = await client.joinOrCreate('chat', { groupId });
        const sent = new Inbox<Message>(room, 'message_sent');

        db.proxy.set('blackhole');
        db.proxy.cut();
        await eventually(async () => (await http.get('/ready')).status === 503, 'the process sees the outage', 30_000);
        const ids: string[] = [crypto.randomUUID(), crypto.randomUUID()];
        room.send('msg', { text: 'spooled one', client_msg_id: ids[0] });
        room.send('msg', { text: 'spooled two', client_msg_id: ids[1] });
        await eventually(
          () => sent.items.filter((m) => m.pending).length === 2,
          'both acknowledged as pending',
          30_000,
        );

        first.child.kill('SIGKILL');
        await once(first.child, 'exit');
        db.proxy.set('pass');

        second = launchServer(env);
        const again = new HttpClient(await second.url);
        const finnAgain = await again.signIn('spool-finn', 'spool-finn-password');
        const history = await eventually(
          async () => {
            const page = await again.get(`/chat/groups/${groupId}/messages?after=0`, finnAgain.access_token);
            const texts = (page.body.items as Message[]).map((m) => m.text);
            return texts.includes('spooled two') ? (page.body.items as Message[]) : null;
          },
          () => `the spool is replayed\n${second!.log()}`,
          60_000,
        );
        expect(history.filter((m) => m.kind === 'msg').map((m) => m.text)).to.deep.equal([
          'spooled one',
          'spooled two',
        ]);
        expect(history.map((m) => m.client_msg_id).filter((id) => ids.includes(id))).to.deep.equal(ids);
      } finally {
        db.proxy.set('pass');
        if (room) await leaveQuietly(room).catch(() => undefined);
        first.child.kill('SIGKILL');
        second?.child.kill('SIGKILL');
        if (second && second.child.exitCode === null) await once(second.child, 'exit');
        await db.dispose();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
});

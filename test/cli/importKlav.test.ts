import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { startTestServer } from '../helpers/testServer.ts';
import { cliEnv, runCli } from '../helpers/cli.ts';
import type { DatabaseTarget } from '../../src/db/openDatabase.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'klav');

describe('server CLI: import-klav', function () {
  // Each CLI call is a process of its own that opens the database; argon2id hashes each imported password.
  this.timeout(400_000);
  let db: TestDatabase;
  let env: Record<string, string>;
  let database: DatabaseTarget;
  let dataDir: string;

  before(async () => {
    db = await createTestDatabase({ persistent: true });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-klav-'));
    // On PGlite the CLI opens a directory of its own, which it initialises and migrates.
    database = db.target.kind === 'postgresql' ? db.target : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
    env = cliEnv(database, dataDir);
  });
  after(async () => {
    await db.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const importKlav = (...args: string[]) => runCli(env, ['import-klav', ...args]);

  it('when import-klav runs with --dry-run, then it reports the counts and the bad record with its place, and writes nothing', async () => {
    const dry = await importKlav('--dir', FIXTURES, '--dry-run');
    expect(dry.code, dry.stderr).to.equal(65);
    expect(dry.stdout).to.match(/Dry run: nothing was written/);
    expect(dry.stdout).to.match(/users: would create 3, already imported 0/);
    expect(dry.stdout).to.match(
      /groups: would create 2, already imported 0 \(would create 4 memberships, 6 messages\)/,
    );
    expect(dry.stdout).to.match(/follows: would create 3/);
    expect(dry.stderr).to.match(/skipped chat_state\.json: rooms\.r_def67890\.logs\[1\]: ts: a time is required/);

    const again = await importKlav('--dir', FIXTURES, '--dry-run');
    expect(again.stdout).to.match(/users: would create 3, already imported 0/);
  });

  it('when import-klav runs twice, then users sign in with their Klav passwords, groups hold the history in order, follows exist, and the second run changes nothing', async () => {
    const first = await importKlav('--dir', FIXTURES);
    expect(first.code, first.stderr).to.equal(65);
    expect(first.stdout).to.match(/users: created 3/);
    expect(first.stdout).to.match(/groups: created 2, already imported 0 \(created 4 memberships, 6 messages\)/);
    expect(first.stderr.trim().split('\n')).to.have.length(1);

    const second = await importKlav('--dir', FIXTURES);
    expect(second.stdout).to.match(/Nothing to do: everything was already imported/);
    expect(second.stdout).to.match(/users: created 0, already imported 3/);
    expect(second.stdout).to.match(/groups: created 0, already imported 2/);
    expect(second.stdout).to.match(/follows: created 0, already imported 3/);

    const server = await startTestServer({}, { database });
    try {
      const minsu = await server.http.signIn('minsu', 'minsu-pass-1');
      // Klav accepted a four-character password: it still works, stored only as an argon2id hash.
      const jiwoo = await server.http.signIn('jiwoo', '1234');
      const groups = await server.http.get('/chat/groups', minsu.access_token);
      const general = groups.body.items.find((g: { name: string }) => g.name === '일반 대화방');
      expect(general, JSON.stringify(groups.body)).to.exist;
      expect(groups.body.items).to.have.length(1);

      const history = await server.http.get(`/chat/groups/${general.id}/messages?after=0`, jiwoo.access_token);
      type Row = { kind: string; seq: number | null; author_name: string | null; text: string; created_at: string };
      const rows: Row[] = history.body.items;
      expect(rows.map((m) => [m.kind, m.seq, m.author_name, m.text])).to.deep.equal([
        ['system', 1, null, 'minsu님이 방을 만들었습니다'],
        ['msg', 2, 'minsu', '안녕하세요!'],
        ['msg', 3, 'jiwoo', '반가워요 😊'],
        ['room_dm', null, 'minsu', '비밀 메시지'],
        ['msg', 4, 'alice', 'hello from Alice'],
      ]);
      expect(rows[1].created_at).to.equal(new Date(1709341320 * 1000).toISOString());
      // A room_dm stays between its sender and its recipient.
      const alice = await server.http.signIn('alice', 'alice-secret');
      const seenByAlice = await server.http.get(`/chat/groups/${general.id}/messages?after=0`, alice.access_token);
      expect(seenByAlice.body.items.map((m: Row) => m.text)).not.to.include('비밀 메시지');

      const following = await server.http.get('/users/me/following', minsu.access_token);
      expect(following.body.items.map((u: { username: string }) => u.username).sort()).to.deep.equal([
        'alice',
        'jiwoo',
      ]);
    } finally {
      await server.stop();
    }
  });

  it('when the directory is missing or not given, then the CLI says so and exits 66 or 64', async () => {
    const missing = await importKlav('--dir', path.join(dataDir, 'no-such-dir'));
    expect(missing.code).to.equal(66);
    expect(missing.stderr).to.match(/is not a directory/);
    const empty = fs.mkdtempSync(path.join(dataDir, 'empty-'));
    expect((await importKlav('--dir', empty)).stderr).to.match(/holds none of users\.json/);
    const noDir = await importKlav();
    expect(noDir.code).to.equal(64);
    expect(noDir.stderr).to.match(/--dir is required/);
  });
});

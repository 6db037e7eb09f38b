import { expect } from 'chai';
import { PGlite } from '@electric-sql/pglite';
import { MikroORM } from '@mikro-orm/sql';
import { ormOptions, PGLITE_EXTENSIONS, type DatabaseTarget } from '../../src/db/ormOptions.ts';
import { adminQuery, baseUrl } from '../helpers/testDatabase.ts';

/** The last migration before board names became case-insensitive and avatars got their rule. */
const BEFORE = 'Migration20261123191802_boards';

/** A database migrated only up to BEFORE, on PGlite or (with DATABASE_URL) a fresh PostgreSQL database. */
async function oldDatabase(): Promise<{ orm: MikroORM; dispose(): Promise<void> }> {
  let target: DatabaseTarget;
  let drop = async () => {};
  if (baseUrl) {
    const name = `plaza_migration_${process.pid}_${Date.now()}`;
    await adminQuery(baseUrl, `create database "${name}"`);
    const url = new URL(baseUrl);
    url.pathname = `/${name}`;
    target = { kind: 'postgresql', url: url.toString() };
    drop = () => adminQuery(baseUrl!, `drop database if exists "${name}" with (force)`);
  } else {
    target = { kind: 'pglite', dataDir: 'memory://', instance: await PGlite.create({ extensions: PGLITE_EXTENSIONS }) };
  }
  const orm = await MikroORM.init(ormOptions(target));
  await orm.migrator.up({ to: BEFORE });
  return {
    orm,
    dispose: async () => {
      await orm.close(true);
      if (target.kind === 'pglite') await target.instance?.close();
      await drop();
    },
  };
}

describe('upgrading a database to case-insensitive board names and checked avatars', function () {
  // A fresh PGlite runs initdb and every migration, step by step: slower than the suite's template copies.
  this.timeout(120_000);
  let db: Awaited<ReturnType<typeof oldDatabase>>;
  const users: Record<string, number> = {};
  let alicePhoto: number;

  before(async () => {
    db = await oldDatabase();
    const em = db.orm.em.fork();
    for (const name of ['General', 'general', 'General (2)', 'GENERAL', 'Unique']) {
      await em.execute(`insert into boards (name, created_at, updated_at) values (?, now(), now())`, [name]);
    }
    for (const name of ['alice', 'mallory', 'carol', 'dave']) {
      const [row] = await em.execute<{ id: number }[]>(
        `insert into users (username, email, password_hash, nickname, created_at, updated_at) values (?, ?, 'x', ?, now(), now()) returning id`,
        [name, `${name}@example.test`, name],
      );
      users[name] = row.id;
    }
    const file = async (owner: number, mime: string, key: string) => {
      const [row] = await em.execute<{ id: number }[]>(
        `insert into files (owner_id, original_name, size, sha256, mime, category, storage_key, created_at)
         values (?, 'f', 1, 'x', ?, 'images', ?, now()) returning id`,
        [owner, mime, key],
      );
      return row.id;
    };
    alicePhoto = await file(users.alice, 'image/png', 'images/aaaaaaaaaaaaaaaaaaaa.png');
    const carolPdf = await file(users.carol, 'application/pdf', 'documents/bbbbbbbbbbbbbbbbbbbb.pdf');
    await em.execute('update users set avatar_file_id = ? where id in (?, ?)', [
      alicePhoto,
      users.alice,
      users.mallory,
    ]);
    await em.execute('update users set avatar_file_id = ? where id = ?', [carolPdf, users.carol]);
    await em.execute('update users set avatar_file_id = 424242 where id = ?', [users.dave]);
    await db.orm.migrator.up();
  });
  after(() => db?.dispose());

  it('when boards differ only in case, then the oldest keeps its name, later ones get a free suffix, each rename is audited', async () => {
    const em = db.orm.em.fork();
    const boards = await em.execute<{ id: number; name: string }[]>('select id, name from boards order by id');
    // "General (2)" was already taken by a board of its own, so "general" becomes "general (3)".
    expect(boards.map((b) => b.name)).to.deep.equal(['General', 'general (3)', 'General (2)', 'GENERAL (4)', 'Unique']);
    const audit = await em.execute<{ detail: unknown; actor_name: string }[]>(
      `select detail, actor_name from admin_audit_log where action = 'board.rename' order by id`,
    );
    expect(audit.map((a) => (typeof a.detail === 'string' ? JSON.parse(a.detail) : a.detail))).to.deep.equal([
      { from: 'general', to: 'general (3)' },
      { from: 'GENERAL', to: 'GENERAL (4)' },
    ]);
    expect(audit.map((a) => a.actor_name)).to.deep.equal(['migration', 'migration']);
    let refused: unknown;
    await em
      .execute(`insert into boards (name, created_at, updated_at) values ('UNIQUE', now(), now())`)
      .catch((err) => (refused = err));
    expect(String(refused)).to.match(/boards_name_lower_unique/);
  });

  it("when an avatar pointed at someone else's file, a non-image or no file, then the upgrade clears it and keeps valid ones", async () => {
    const avatars = await db.orm.em
      .fork()
      .execute<{ id: number; avatar_file_id: number | null }[]>('select id, avatar_file_id from users order by id');
    expect(avatars).to.deep.equal([
      { id: users.alice, avatar_file_id: alicePhoto },
      { id: users.mallory, avatar_file_id: null },
      { id: users.carol, avatar_file_id: null },
      { id: users.dave, avatar_file_id: null },
    ]);
  });
});

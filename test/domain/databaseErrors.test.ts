import { expect } from 'chai';
import { openDatabase, type Database, type OpenedDatabase } from '../../src/db/openDatabase.ts';
import { CONSOLE_TABLES } from '../../src/db/consoleRole.ts';
import { toAppError } from '../../src/errors/index.ts';
import { User } from '../../entities/User.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';

/** What the one translation makes of real failures of the real database (PGlite, or PostgreSQL with DATABASE_URL). */
describe('database failures, translated once', () => {
  let db: TestDatabase;
  let database: OpenedDatabase;
  let orm: Database;
  before(async () => {
    db = await createTestDatabase();
    database = await openDatabase(db.target);
    orm = database.orm;
  });
  after(async () => {
    await database?.close();
    await db?.dispose();
  });

  const failureOf = async (work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      return toAppError(err);
    }
    throw new Error('expected a failure');
  };
  const newUser = (username: string) =>
    orm.em.fork().create(User, { username, email: `${username}@example.test`, passwordHash: 'x', nickname: username });

  it('when an entity that must exist is missing, then 404 10009, not "No such route"', async () => {
    const { error, unexpected } = await failureOf(() => orm.em.fork().findOneOrFail(User, { id: 424242 }));
    expect([error.status, error.code, unexpected]).to.deep.equal([404, 10009, false]);
  });

  it('when a row collides with a unique one, then 409 10008 naming the constraint but not the values, not an accounts code', async () => {
    const em = orm.em.fork();
    await em.persist(newUser('twin')).flush();
    const { error, unexpected } = await failureOf(() => orm.em.fork().persist(newUser('twin')).flush());
    expect([error.status, error.code, unexpected]).to.deep.equal([409, 10008, false]);
    expect(JSON.stringify(error.detail)).to.include('username').and.not.include('twin');
  });

  it('when text holds a NUL character or a number exceeds its column, then 422 10001 and a room sees 30008', async () => {
    for (const work of [
      () => orm.em.fork().persist(newUser('nul\u0000byte')).flush(),
      () => orm.em.getConnection().execute('select ?::int as n', [3_000_000_000]),
    ]) {
      const { error, unexpected } = await failureOf(work);
      expect([error.status, error.code, unexpected]).to.deep.equal([422, 10001, false]);
      expect(error.headers?.['Retry-After']).to.equal(undefined);
      expect(error.toRoomMessage().error_code).to.equal(30008);
    }
  });

  it('when a table is added to the schema, then the console classification says what of it the console may read', async () => {
    const rows = await orm.em
      .getConnection()
      .execute<{ table_name: string }[]>(
        `select table_name from information_schema.tables where table_schema = current_schema() order by table_name`,
      );
    const unclassified = rows.map((r) => r.table_name).filter((t) => !(t in CONSOLE_TABLES));
    expect(unclassified, 'add these to CONSOLE_TABLES in src/db/consoleRole.ts').to.deep.equal([]);
  });
});

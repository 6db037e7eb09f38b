import { expect } from 'chai';
import { createAdmin, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';

interface Table {
  name: string;
  columns: { name: string }[];
  primary_key: string[];
  foreign_keys: { name: string; columns: string[]; references: { table: string; columns: string[] } }[];
  indexes: { name: string; columns: string[]; unique: boolean; primary: boolean; definition: string }[];
}

/** What the database explorer reads of the console: the tables' structure and a sample of each. */
describe('database console for the explorer', () => {
  let server: TestServer;
  let admin: Session;
  let tables: Map<string, Table>;
  before(async function () {
    // Several accounts (password hashing) on a shared machine.
    this.timeout(120_000);
    server = await startTestServer({ DB_CONSOLE_ENABLED: 'true', DB_CONSOLE_MAX_ROWS: '50' });
    admin = await createAdmin(server, 'explorer');
    for (const name of ['sample1', 'sample2', 'sample3']) await server.http.signUp(name);
    const res = await server.http.get('/admin/db/tables?limit=100', admin.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    tables = new Map(res.body.items.map((t: Table) => [t.name, t]));
  });
  after(() => server.close());

  it('when an admin lists tables, then each has its primary key, foreign keys and indexes', () => {
    const users = tables.get('users')!;
    expect(users.primary_key).to.deep.equal(['id']);
    const usernameIndex = users.indexes.find((i) => i.columns.join() === 'username');
    expect(usernameIndex, JSON.stringify(users.indexes)).to.include({ unique: true, primary: false });
    expect(usernameIndex!.definition).to.match(/^CREATE UNIQUE INDEX/);
    expect(users.indexes.find((i) => i.primary)?.columns).to.deep.equal(['id']);

    const grants = tables.get('board_grants')!;
    expect(grants.foreign_keys.map((f) => ({ columns: f.columns, references: f.references }))).to.deep.include({
      columns: ['user_id'],
      references: { table: 'users', columns: ['id'] },
    });
    const saved = tables.get('saved_queries')!;
    expect(saved.indexes.find((i) => i.unique && !i.primary)?.columns).to.deep.equal(['owner_id', 'name']);
  });

  it('when a key or index involves what the console may not read, then it is not described', () => {
    for (const table of tables.values()) {
      for (const key of table.foreign_keys) {
        expect(tables.has(key.references.table), `${table.name}.${key.name}`).to.equal(true);
      }
    }
    const hiddenTables = ['refresh_tokens', 'password_reset_tokens', 'token_revocations'];
    for (const hidden of hiddenTables) expect(tables.has(hidden)).to.equal(false);
    const emailTokens = tables.get('email_tokens')!;
    expect(emailTokens.indexes.flatMap((i) => i.columns)).to.not.include('token_hash');
  });

  it('when an admin samples a table, then its newest rows come back with the readable columns only, audited', async () => {
    const res = await server.http.get('/admin/db/tables/users/sample?limit=2', admin.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.columns).to.include.members(['id', 'username', 'email']).and.not.include('password_hash');
    const username = res.body.columns.indexOf('username');
    expect(res.body.rows.map((r: unknown[]) => r[username])).to.deep.equal(['sample3', 'sample2']);
    const audit = await server.http.get('/admin/audit?action=db.sample&limit=10', admin.access_token);
    expect(audit.body.items[0].target).to.deep.equal({ type: 'table', id: 'users' });
  });

  it('when an admin samples an empty table, then its column names come back over no rows', async () => {
    const res = await server.http.get('/admin/db/tables/saved_queries/sample', admin.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.rows).to.deep.equal([]);
    expect(res.body.columns).to.deep.equal(tables.get('saved_queries')!.columns.map((c) => c.name));
  });

  it('when an admin samples a hidden or unknown table, then 404 13005', async () => {
    for (const name of ['refresh_tokens', 'no_such_table', 'users"; drop table users; --']) {
      const res = await server.http.get(`/admin/db/tables/${encodeURIComponent(name)}/sample`, admin.access_token);
      expectError(res, 404, 13005);
    }
  });

  it('when a plain user samples a table, then 403', async () => {
    const user = await server.http.signUp('nosy');
    expectError(await server.http.get('/admin/db/tables/users/sample', user.access_token), 403, 11007);
  });
});

import { expect } from 'chai';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';

describe('admin database console', () => {
  let server: TestServer;
  let admin: Session;
  before(async () => {
    server = await startTestServer({ DB_CONSOLE_ENABLED: 'true', DB_CONSOLE_MAX_ROWS: '2' });
    admin = await signUpWithRole(server, 'dba', 'admin');
    for (const name of ['row1', 'row2', 'row3']) await server.http.signUp(name);
  });
  after(() => server.close());

  const query = (sql: string, token = admin.access_token, format = 'json') =>
    server.http.request('POST', `/admin/db/query?format=${format}`, { body: { sql }, token });

  it('when an admin lists tables, then Plaza tables and their columns are shown', async () => {
    const res = await server.http.get('/admin/db/tables', admin.access_token);
    expect(res.status).to.equal(200);
    const users = res.body.find((t: { name: string }) => t.name === 'users');
    expect(users.columns.map((c: { name: string }) => c.name)).to.include.members(['id', 'username', 'password_hash']);
  });

  it('when an admin runs a SELECT, then rows come back capped and marked truncated', async () => {
    const res = await query('select username from users order by id;');
    expect(res.status).to.equal(200);
    expect(res.body.columns).to.deep.equal(['username']);
    expect(res.body.rows).to.deep.equal([['dba'], ['row1']]);
    expect(res.body.truncated).to.equal(true);
  });

  it('when CSV is asked, then a CSV attachment with a header row is returned', async () => {
    const res = await query("select username, 'a,b' as pair from users where username = 'row1'", admin.access_token, 'csv');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.include('text/csv');
    expect(res.headers.get('content-disposition')).to.include('attachment');
    expect(res.body).to.equal('username,pair\r\nrow1,"a,b"\r\n');
  });

  it('when a statement would write, chain or reach outside the database, then it is refused and nothing changes', async () => {
    expectError(await query("update users set role = 'admin'"), 422, 13002);
    expectError(await query('select 1; drop table users'), 422, 13002);
    expectError(await query("select pg_read_file('/etc/passwd')"), 422, 13002);
    expectError(await query("with x as (delete from users returning *) select * from x"), 400, 13003);
    expectError(await query('select * from no_such_table'), 400, 13003);
    const count = await query('select count(*)::int as n from users');
    expect(count.body.rows[0][0]).to.equal(4);
  });

  it('when a non-admin calls the console, then 403; and every query is in the audit log', async () => {
    const user = await server.http.signUp('curious');
    expectError(await query('select 1', user.access_token), 403, 11007);
    const audit = await server.http.get('/admin/audit?action=db.query', admin.access_token);
    expect(audit.body.items.map((e: { detail: { sql: string } }) => e.detail.sql)).to.include('select username from users order by id');
  });
});

describe('admin database console when disabled (the default)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('when an admin calls it, then 403 13001 says how to enable it', async () => {
    const admin = await signUpWithRole(server, 'dba2', 'admin');
    const res = await server.http.post('/admin/db/query', { sql: 'select 1' }, admin.access_token);
    expectError(res, 403, 13001);
    expect(res.body.error.message).to.include('DB_CONSOLE_ENABLED');
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { startTestServer, signUpWithRole, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';

/** Hides a statement from anything that reads the text: the database decodes and runs it. */
const viaXml = (sql: string) =>
  `select query_to_xml(convert_from(decode('${Buffer.from(sql).toString('base64')}','base64'),'utf8'),true,true,'')`;

describe('admin database console', () => {
  let server: TestServer;
  let admin: Session;
  before(async function () {
    // A database on disk opens in its own thread: slower than the in-memory copies of other suites.
    this.timeout(240_000);
    server = await startTestServer(
      {
        DB_CONSOLE_ENABLED: 'true',
        DB_CONSOLE_MAX_ROWS: '2',
        DB_CONSOLE_TIMEOUT_MS: '1000',
        // On disk, so the embedded database runs in its own thread, where a statement can be cut.
      },
      { persistent: true },
    );
    admin = await signUpWithRole(server, 'dba', 'admin');
    for (const name of ['row1', 'row2', 'row3']) await server.http.signUp(name);
  });
  after(() => server.close());

  const query = (sql: string, token = admin.access_token, format = 'json') =>
    server.http.request('POST', `/admin/db/query?format=${format}`, { body: { sql }, token });

  it('when an admin lists tables, then Plaza tables are shown without credential tables or columns', async () => {
    const res = await server.http.get('/admin/db/tables?limit=100', admin.access_token);
    expect(res.status).to.equal(200);
    expect(res.body.next_cursor).to.equal(null);
    const byName = new Map(
      res.body.items.map((t: { name: string; columns: { name: string }[] }) => [t.name, t.columns.map((c) => c.name)]),
    );
    expect(byName.get('users')).to.include.members(['id', 'username', 'email']).and.not.include('password_hash');
    expect(byName.get('outbox_emails')).to.include('subject').and.not.include('body');
    expect([...byName.keys()])
      .to.include('chat_messages')
      .and.not.include.members(['refresh_tokens', 'password_reset_tokens', 'revoked_access_tokens']);
  });

  it('when an admin runs a SELECT, then rows come back capped and marked truncated', async () => {
    const res = await query('select username from users order by id;');
    expect(res.status).to.equal(200);
    expect(res.body.columns).to.deep.equal(['username']);
    expect(res.body.rows).to.deep.equal([['dba'], ['row1']]);
    expect(res.body.truncated).to.equal(true);
  });

  it('when the statement hides its size from the row cap, then the cap still holds', async () => {
    const res = await query('select g from generate_series(1, 1000) as g --');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.rows).to.deep.equal([[1], [2]]);
    expect(res.body.truncated).to.equal(true);
  });

  it('when CSV is asked, then a CSV attachment with a header row is returned', async () => {
    const res = await query(
      "select username, 'a,b' as pair from users where username = 'row1'",
      admin.access_token,
      'csv',
    );
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.include('text/csv');
    expect(res.headers.get('content-disposition')).to.include('attachment');
    expect(res.body).to.equal('username,pair\r\nrow1,"a,b"\r\n');
  });

  it('when a statement would write or chain, then it is refused and nothing changes', async () => {
    expectError(await query("update users set role = 'admin'"), 422, 13002);
    expectError(await query('select 1; drop table users'), 422, 13002);
    expectError(await query('with x as (delete from users returning *) select * from x'), 400, 13003);
    expectError(await query('select * from no_such_table'), 400, 13003);
    const count = await query('select count(*)::int as n from users');
    expect(count.body.rows[0][0]).to.equal(4);
  });

  it('when a statement reads credentials, then the console role is refused (403 13004) and says what it may read', async () => {
    for (const sql of [
      'select password_hash from users',
      'select * from users',
      'select * from refresh_tokens',
      'select body from outbox_emails',
      'select * from pg_authid',
      'select * from pg_shadow',
      'select * from pg_hba_file_rules',
      viaXml('select password_hash from users'),
    ]) {
      const res = await query(sql);
      expectError(res, 403, 13004);
      expect(res.body.error.detail.hint, sql).to.include('/admin/db/tables');
    }
  });

  it('when a statement builds SQL that reaches outside the database, then it is refused whatever its text', async () => {
    const marker = path.join(os.tmpdir(), `plaza-console-escape-${process.pid}`);
    const refusedByRole = [
      viaXml("select pg_read_file('/etc/hostname')"),
      `select U&"pg\\005fread\\005ffile"('/etc/hostname')`,
      `select lo_export(lo_from_bytea(0, 'owned'::bytea), '${marker}')`,
      viaXml(`select lo_export(lo_from_bytea(0, 'owned'::bytea), '${marker}')`),
      "select lo_import('/etc/hostname')",
      "select pg_ls_dir('.')",
      viaXml("select set_config('role', 'none', true), (select password_hash from users limit 1)"),
      "select set_config('session_authorization', 'postgres', true)",
      viaXml('select pg_terminate_backend(pg_backend_pid())'),
      'select pg_reload_conf()',
    ];
    for (const sql of refusedByRole) expectError(await query(sql), 403, 13004);
    for (const sql of ["copy users to program 'id'", 'set role postgres']) expectError(await query(sql), 422, 13002);
    const res = await query(viaXml("copy (select 1) to program 'id'"));
    expect(res.status, JSON.stringify(res.body)).to.be.within(400, 499);
    expect(fs.existsSync(marker), 'no file written on the database host').to.equal(false);
    expect((await server.http.get('/users/me', admin.access_token)).status).to.equal(200);
  });

  it('when a statement runs longer than DB_CONSOLE_TIMEOUT_MS, then it is cut with 400 13003, /health answers meanwhile and the data is intact', async function () {
    // Cutting the embedded database's statement reopens its data directory.
    this.timeout(120_000);
    // Long on any database: minutes on the embedded one, seconds on PostgreSQL; cut at 1 s either way.
    let consoleAnswered = false;
    const long = query('select count(*) from generate_series(1, 300000000)').then((res) => {
      consoleAnswered = true;
      return res;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const health = await server.http.get('/health');
    expect(health.status).to.equal(200);
    expect(consoleAnswered, 'the console answered before /health').to.equal(false);
    const res = await long;
    expectError(res, 400, 13003);
    expect(res.body.error.detail.reason).to.include('statement timeout');
    // The database answers again (the embedded one once reopened), with everything committed before the cut.
    while ((await server.http.get('/ready')).status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    const users = await query("select username from users where username = 'dba'");
    expect(users.status, JSON.stringify(users.body)).to.equal(200);
    expect(users.body.rows).to.deep.equal([['dba']]);
  });

  it('when a non-admin calls the console, then 403; and every query is in the audit log', async () => {
    const user = await server.http.signUp('curious');
    expectError(await query('select 1', user.access_token), 403, 11007);
    const audit = await server.http.get('/admin/audit?action=db.query&limit=100', admin.access_token);
    expect(audit.body.items.map((e: { detail: { sql: string } }) => e.detail.sql)).to.include(
      'select username from users order by id',
    );
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

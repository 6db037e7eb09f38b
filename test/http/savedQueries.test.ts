import { expect } from 'chai';
import { createAdmin, signUpWithRole, startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';

describe('saved database queries', () => {
  let server: TestServer;
  let admin: Session;
  let otherAdmin: Session;
  before(async function () {
    // Several accounts (password hashing) on a shared machine.
    this.timeout(120_000);
    server = await startTestServer({ DB_CONSOLE_ENABLED: 'true' });
    admin = await createAdmin(server, 'explorer');
    otherAdmin = await createAdmin(server, 'explorer2');
  });
  after(() => server.close());

  const save = (body: unknown, token = admin.access_token) => server.http.post('/admin/db/saved-queries', body, token);
  const list = (token = admin.access_token, query = 'limit=100') =>
    server.http.get(`/admin/db/saved-queries?${query}`, token);

  it('when an admin saves a query with a chart, then it is listed, read back and runs in the console', async () => {
    const created = await save({
      name: 'Users by role',
      sql: 'select role, count(*)::int as n from users group by role order by role;',
      chart: { kind: 'bar', label_column: 'role', value_column: 'n' },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.include({ name: 'Users by role' });
    expect(created.body.sql).to.equal('select role, count(*)::int as n from users group by role order by role');
    expect(created.body.chart).to.deep.equal({ kind: 'bar', label_column: 'role', value_column: 'n' });

    const page = await list();
    expect(page.status).to.equal(200);
    expect(page.body.next_cursor).to.equal(null);
    expect(page.body.items.map((q: { name: string }) => q.name)).to.include('Users by role');

    const one = await server.http.get(`/admin/db/saved-queries/${created.body.id}`, admin.access_token);
    expect(one.body).to.deep.equal(created.body);
    const ran = await server.http.post('/admin/db/query', { sql: one.body.sql }, admin.access_token);
    expect(ran.status, JSON.stringify(ran.body)).to.equal(200);
    expect(ran.body.columns).to.deep.equal(['role', 'n']);
    expect(ran.body.rows).to.deep.equal([['admin', 2]]);
  });

  it('when an admin updates and deletes a saved query, then the changes show and each is in the audit log', async () => {
    const created = await save({ name: 'draft', sql: 'select 1 as one' });
    expect(created.body.chart).to.equal(null);
    const renamed = await server.http.patch(
      `/admin/db/saved-queries/${created.body.id}`,
      { name: 'final', sql: 'select 2 as two', chart: { kind: 'pie', label_column: 'two', value_column: 'two' } },
      admin.access_token,
    );
    expect(renamed.status, JSON.stringify(renamed.body)).to.equal(200);
    expect(renamed.body).to.include({ name: 'final', sql: 'select 2 as two' });
    expect(renamed.body.chart.kind).to.equal('pie');
    const unchart = await server.http.patch(
      `/admin/db/saved-queries/${created.body.id}`,
      { chart: null },
      admin.access_token,
    );
    expect(unchart.body).to.include({ name: 'final', chart: null });

    const deleted = await server.http.delete(`/admin/db/saved-queries/${created.body.id}`, admin.access_token);
    expect(deleted.status).to.equal(204);
    expectError(await server.http.get(`/admin/db/saved-queries/${created.body.id}`, admin.access_token), 404, 13006);
    expect((await list()).body.items.map((q: { name: string }) => q.name)).to.not.include('final');

    const audit = await server.http.get(`/admin/audit?limit=100&actor_id=${admin.id}`, admin.access_token);
    const actions = audit.body.items
      .filter((e: { target: { type: string; id: string } }) => e.target.id === String(created.body.id))
      .map((e: { action: string }) => e.action);
    expect(actions).to.deep.equal([
      'db.saved_query.delete',
      'db.saved_query.update',
      'db.saved_query.update',
      'db.saved_query.create',
    ]);
  });

  it("when another admin asks for someone's saved query, then it is not found and not listed", async () => {
    const mine = await save({ name: 'mine only', sql: 'select 1' });
    const theirs = (token: string) => server.http.get(`/admin/db/saved-queries/${mine.body.id}`, token);
    expectError(await theirs(otherAdmin.access_token), 404, 13006);
    const patch = await server.http.patch(
      `/admin/db/saved-queries/${mine.body.id}`,
      { name: 'taken over' },
      otherAdmin.access_token,
    );
    expectError(patch, 404, 13006);
    expectError(
      await server.http.delete(`/admin/db/saved-queries/${mine.body.id}`, otherAdmin.access_token),
      404,
      13006,
    );
    expect((await list(otherAdmin.access_token)).body.items).to.deep.equal([]);
    // Names are per admin: the other admin may use the same one.
    expect((await save({ name: 'mine only', sql: 'select 2' }, otherAdmin.access_token)).status).to.equal(201);
    expect((await theirs(admin.access_token)).body.sql).to.equal('select 1');
  });

  it('when an admin reuses one of their names, then 409 13007; a statement the console would refuse is 422 13002', async () => {
    await save({ name: 'twice', sql: 'select 1' });
    expectError(await save({ name: 'twice', sql: 'select 2' }), 409, 13007);
    const other = await save({ name: 'not twice', sql: 'select 3' });
    expectError(
      await server.http.patch(`/admin/db/saved-queries/${other.body.id}`, { name: 'twice' }, admin.access_token),
      409,
      13007,
    );
    expectError(await save({ name: 'writer', sql: 'delete from users' }), 422, 13002);
    expectError(await save({ name: 'chained', sql: 'select 1; select 2' }), 422, 13002);
    expectError(await save({ name: 'bad chart', sql: 'select 1', chart: { kind: 'radar' } }), 422, 10001);
    expectError(await save({ name: '   ', sql: 'select 1' }), 422, 10001);
  });

  it('when an admin has more saved queries than a page, then the pages follow in name order without repeats', async () => {
    const pager = await createAdmin(server, 'pager');
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
    for (const name of names) await save({ name, sql: `select '${name}'` }, pager.access_token);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(pager.access_token, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      expect(page.body.items.length).to.be.at.most(2);
      seen.push(...page.body.items.map((q: { name: string }) => q.name));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).to.deep.equal([...names].sort());
  });

  it('when an operator or a plain user calls the saved-query routes, then 403', async () => {
    const operator = await signUpWithRole(server, 'saved-op', 'operator');
    const user = await server.http.signUp('saved-user');
    for (const token of [operator.access_token, user.access_token]) {
      expectError(await list(token), 403, 11007);
      expectError(await save({ name: 'x', sql: 'select 1' }, token), 403, 11007);
    }
    expectError(await server.http.get('/admin/db/saved-queries'), 401, 11001);
  });
});

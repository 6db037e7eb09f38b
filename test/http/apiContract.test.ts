import { expect } from 'chai';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { Api } from '../../src/http/route.ts';
import { createRegistry } from '../../src/http/openapi.ts';
import fs from 'node:fs';
import createClient from 'openapi-fetch';
import type { paths } from '../generated/plazaApi.ts';
import { API_TYPES_FILE, generateApiTypes } from '../helpers/apiTypes.ts';
import { createAdmin } from '../helpers/boards.ts';
import { expectError } from '../helpers/http.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

describe('the OpenAPI contract a client author relies on', function () {
  this.timeout(180_000);
  let server: TestServer;
  let document: any;
  before(async () => {
    server = await startTestServer();
    document = (await server.http.get('/openapi.json')).body;
  });
  after(() => server.close());

  const operations = () =>
    Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] })),
    );

  it('when the document is linted with Redocly’s recommended rules, then there is no error', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).to.deep.equal([]);
    // What remains are warnings about the probes and the welcome document (/, /api, /health, /ready), which have no 4xx answer to give.
    const warnings = problems.filter((p) => p.severity === 'warn').map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    expect(warnings).to.have.length.at.most(4);
    for (const warning of warnings)
      expect(warning).to.match(/^operation-4xx-response #\/paths\/~1(health|ready|api)?\//);
  });

  it('when operations are listed, then each has a unique verbNoun operationId and a tag', () => {
    const ids = operations().map(({ op }) => op.operationId);
    expect(ids.length).to.be.greaterThan(80);
    for (const { path, method, op } of operations()) {
      expect(op.operationId, `${method} ${path}`).to.match(/^[a-z]+(?:[A-Z][a-z0-9]*)+$/);
      expect(op.tags, `${method} ${path}`).to.have.length(1);
    }
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('when a route is declared with an operationId already taken or not camelCase, then declaring it throws', () => {
    const api = new Api(createRegistry(), server.services.tokens, { jsonLimit: '1kb' });
    const spec = { method: 'get', path: '/a', tag: 't', access: 'anonymous', summary: 's' } as const;
    api.route({ ...spec, operationId: 'getThing' }, () => 'ok');
    expect(() => api.route({ ...spec, path: '/b', operationId: 'getThing' }, () => 'ok')).to.throw(/already taken/);
    expect(() => api.route({ ...spec, path: '/c', operationId: 'Get_thing' }, () => 'ok')).to.throw(/camelCase/);
  });

  it('when a body is accepted, then 413 and 415 are declared, and no schema is nullable without a type', () => {
    for (const { path, method, op } of operations()) {
      if (!op.requestBody) continue;
      expect(op.responses, `${method} ${path}`).to.include.keys('413', '415');
    }
    const untyped: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (typeof schema.nullable === 'boolean' && !['type', '$ref', 'allOf', 'oneOf', 'anyOf'].some((k) => k in schema))
        untyped.push(at);
      for (const [key, value] of Object.entries(schema)) walk(value, `${at}/${key}`);
    };
    walk(document, '#');
    expect(untyped).to.deep.equal([]);
  });

  it('when a public route is documented, then its bearer token is optional; probes take none', () => {
    expect(document.paths['/boards'].get.security).to.deep.equal([{}, { bearer: [] }]);
    expect(document.paths['/health'].get.security).to.deep.equal([]);
    expect(document.paths['/boards'].post.security).to.deep.equal([{ bearer: [] }]);
  });

  it('when /redoc is fetched, then the page and its script come from this server', async () => {
    const page = await fetch(`${server.url}/redoc`);
    expect(page.status).to.equal(200);
    const html = await page.text();
    expect(html).to.include('<redoc spec-url="/openapi.json"');
    const src = /<script src="([^"]+)"/.exec(html)![1];
    expect(src.startsWith('/')).to.equal(true);
    const script = await fetch(`${server.url}${src}`);
    expect(script.status).to.equal(200);
    expect(script.headers.get('content-type')).to.match(/javascript/);
    expect(await script.text()).to.have.length.greaterThan(500_000);
    expect(page.headers.get('content-security-policy')).to.include("script-src 'self'");
  });

  it('when client types are generated from the served document, then they match the checked-in ones (npm run api:types)', async () => {
    expect(await generateApiTypes(document)).to.equal(fs.readFileSync(API_TYPES_FILE, 'utf8'));
  });

  it('when a generated client signs up, signs in, creates a board and lists posts, then every call works as typed', async () => {
    const client = createClient<paths>({ baseUrl: server.url });
    const registered = await client.POST('/auth/register', {
      body: { username: 'typed', email: 'typed@example.test', password: 'typed-password-1' },
    });
    expect(registered.response.status).to.equal(201);
    expect(registered.data!.username).to.equal('typed');
    const login = await client.POST('/auth/login', { body: { login: 'typed', password: 'typed-password-1' } });
    const user = { Authorization: `Bearer ${login.data!.access_token}` };
    const admin = { Authorization: `Bearer ${(await createAdmin(server, 'typedadmin')).access_token}` };

    const board = await client.POST('/boards', { headers: admin, body: { name: 'Typed board' } });
    expect(board.response.status).to.equal(201);
    const id = board.data!.id;
    for (const title of ['first', 'second', 'third']) {
      const post = await client.POST('/boards/{id}/posts', {
        headers: user,
        params: { path: { id } },
        body: { title, body: `${title} body` },
      });
      expect(post.response.status).to.equal(201);
    }
    const page = await client.GET('/boards/{id}/posts', {
      headers: user,
      params: { path: { id }, query: { limit: 2 } },
    });
    expect(page.data!.items.map((p) => p.title)).to.deep.equal(['third', 'second']);
    const rest = await client.GET('/boards/{id}/posts', {
      headers: user,
      params: { path: { id }, query: { limit: 2, cursor: page.data!.next_cursor! } },
    });
    expect(rest.data!.items.map((p) => p.title)).to.deep.equal(['first']);
    expect(rest.data!.next_cursor).to.equal(null);

    const boards = await client.GET('/boards', { headers: user, params: { query: { limit: 10 } } });
    expect(boards.data!.items.map((b) => b.name)).to.include('Typed board');
    const refused = await client.POST('/boards', { headers: user, body: { name: 'Not mine' } });
    expect(refused.response.status).to.equal(403);
    expect(refused.error!.error.code).to.equal(11007);
  });

  it('when a list is longer than the limit, then next_cursor pages through it once each and a tampered cursor is 422', async () => {
    const fan = await server.http.signUp('pagefan');
    const stars = [];
    for (const name of ['star1', 'star2', 'star3']) {
      const star = await server.http.signUp(name);
      expect((await server.http.post(`/users/${star.id}/follow`, undefined, fan.access_token)).status).to.equal(204);
      stars.push(star.id);
    }
    const first = await server.http.get('/users/me/following?limit=2', fan.access_token);
    expect(first.body.items.map((u: any) => u.user_id)).to.deep.equal(stars.slice(0, 2));
    // The first one followed is gone before the next page is read: the page goes on where it stopped.
    await server.http.delete(`/users/${stars[0]}/follow`, fan.access_token);
    const next = await server.http.get(
      `/users/me/following?limit=2&cursor=${first.body.next_cursor}`,
      fan.access_token,
    );
    expect(next.body).to.deep.include({ next_cursor: null });
    expect(next.body.items.map((u: any) => u.user_id)).to.deep.equal([stars[2]]);
    expectError(await server.http.get('/users/me/following?cursor=bm90IGEgY3Vyc29y', fan.access_token), 422, 10001);
    expectError(await server.http.get('/users/me/following?limit=101', fan.access_token), 422, 10001);
    expect(
      document.paths['/users/me/following'].get.parameters.find((p: any) => p.name === 'limit').schema.maximum,
    ).to.equal(100);
  });

  it('when a DM history is read from the latest, then next_cursor goes back and prev_cursor brings what came later', async () => {
    const [ann, ben] = [await server.http.signUp('histann'), await server.http.signUp('histben')];
    for (const text of ['m1', 'm2', 'm3']) await server.http.post(`/chat/dms/${ben.id}`, { text }, ann.access_token);
    const latest = await server.http.get(`/chat/dms/${ann.id}/messages?limit=2`, ben.access_token);
    expect(latest.body.items.map((m: any) => m.text)).to.deep.equal(['m3', 'm2']);
    const older = await server.http.get(
      `/chat/dms/${ann.id}/messages?limit=2&cursor=${latest.body.next_cursor}`,
      ben.access_token,
    );
    expect(older.body.items.map((m: any) => m.text)).to.deep.equal(['m1']);
    expect(older.body.next_cursor).to.equal(null);
    await server.http.post(`/chat/dms/${ben.id}`, { text: 'm4' }, ann.access_token);
    const later = await server.http.get(
      `/chat/dms/${ann.id}/messages?cursor=${latest.body.prev_cursor}`,
      ben.access_token,
    );
    expect(later.body.items.map((m: any) => m.text)).to.deep.equal(['m4']);
  });
});

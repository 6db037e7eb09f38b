import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin, createBoard, createPost, form, upload, PNG_1X1 } from '../helpers/boards.ts';
import type { Session } from '../helpers/http.ts';
import {
  FUZZ_SEED,
  HOSTILE_PATH_VALUES,
  hostileValues,
  pick,
  SchemaSampler,
  seededRng,
  toJsonText,
  type Rng,
  type SchemaNode,
} from '../helpers/fuzz.ts';

/** Mutated requests per operation of /openapi.json (about 10 s for the whole document). */
const REQUESTS_PER_OPERATION = 10;

interface Operation {
  method: string;
  path: string;
  parameters?: { name: string; in: 'path' | 'query' | 'header'; schema?: SchemaNode }[];
  requestBody?: { content?: Record<string, { schema?: SchemaNode }> };
}

interface Failure {
  request: string;
  status: number;
  body: string;
}

/**
 * A regression net under the whole REST surface: every operation the server documents gets mutated
 * bodies, queries and path parameters, signed in as a user, as an admin and anonymously, and must answer
 * each with a catalogue error or a success — never a 5xx, a non-JSON error, or a hang.
 */
describe('REST fuzz (seeded; FUZZ_SEED reproduces a run)', function () {
  // About 1,100 requests, some of them argon2 sign-ups and sign-ins: minutes on a busy machine.
  this.timeout(480_000);
  let server: TestServer;
  let document: { paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>; components?: any };
  const sessions: Record<'user' | 'admin', Session | undefined> = { user: undefined, admin: undefined };
  const knownIds: number[] = [1];
  let accounts = 0;

  /** A signed-in user and admin; fuzzed logouts, bans and deletions may end them, so they are renewed. */
  async function session(kind: 'user' | 'admin'): Promise<Session> {
    const current = sessions[kind];
    if (current && (await server.http.get('/users/me', current.access_token)).status === 200) return current;
    accounts += 1;
    const name = `fuzz${kind}${accounts}`;
    const fresh = kind === 'admin' ? await createAdmin(server, name) : await server.http.signUp(name);
    knownIds.push(fresh.id);
    return (sessions[kind] = fresh);
  }

  before(async () => {
    server = await startTestServer({ CHAT_RATE_PER_SECOND: '1000' });
    const admin = await session('admin');
    const user = await session('user');
    const board = await createBoard(server, admin, { name: 'fuzzing' });
    const post = await createPost(server, user, board.id);
    const comment = await server.http.post(`/posts/${post.id}/comments`, { body: 'first' }, user.access_token);
    const group = await server.http.post('/chat/groups', { name: 'fuzzers' }, user.access_token);
    const file = await upload(server, '/files', form('file', [{ name: 'a.png', bytes: PNG_1X1 }]), user.access_token);
    for (const res of [comment, group, file]) expect(res.status, JSON.stringify(res.body)).to.be.oneOf([200, 201]);
    const fileId = Array.isArray(file.body) ? file.body[0]?.id : (file.body.id ?? file.body.files?.[0]?.id);
    knownIds.push(board.id, post.id, comment.body.id, group.body.id, fileId);
    document = (await server.http.get('/openapi.json')).body;
  });

  after(() => server?.close());

  function operations(): Operation[] {
    const ops: Operation[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) ops.push({ ...op, method: method.toUpperCase(), path });
    }
    return ops;
  }

  function resolveRef(ref: string): SchemaNode {
    return (
      ref
        .split('/')
        .slice(1)
        .reduce((node: any, key) => node?.[key], document) ?? {}
    );
  }

  function buildRequest(op: Operation, rng: Rng, sampler: SchemaSampler) {
    const hostileQuery = hostileValues(3000).filter((v) => typeof v !== 'object' || v === null);
    const url = op.path.replace(/\{(\w+)\}/g, () =>
      rng() < 0.5 ? String(pick(rng, knownIds)) : pick(rng, HOSTILE_PATH_VALUES),
    );
    const query = new URLSearchParams();
    for (const param of op.parameters?.filter((p) => p.in === 'query') ?? []) {
      const roll = rng();
      if (roll < 0.3) continue;
      const value = roll < 0.6 ? sampler.sample(param.schema) : pick(rng, hostileQuery);
      query.append(param.name, String(value));
      if (rng() < 0.1) query.append(param.name, 'again');
    }
    if (rng() < 0.1) query.append('__proto__[role]', 'admin');
    const jsonSchema = op.requestBody?.content?.['application/json']?.schema;
    let body: string | undefined;
    if (jsonSchema || (op.requestBody && rng() < 0.3)) {
      const roll = rng();
      if (roll < 0.1) body = '{"unterminated": ';
      else
        body = toJsonText(roll < 0.2 ? sampler.sample(jsonSchema) : sampler.mutate(sampler.sample(jsonSchema), 70_000));
    }
    const search = query.toString();
    return { url: search ? `${url}?${search}` : url, body };
  }

  it('when every documented operation gets mutated input, then none answers 5xx and every error is a catalogue error', async () => {
    const rng = seededRng(FUZZ_SEED);
    const sampler = new SchemaSampler(rng, resolveRef);
    const failures: Failure[] = [];
    const ops = operations();
    expect(ops.length, 'operations in /openapi.json').to.be.greaterThan(40);
    let sent = 0;
    const statuses = new Map<number, number>();
    for (const op of ops) {
      for (let i = 0; i < REQUESTS_PER_OPERATION; i++) {
        const who = pick(rng, ['user', 'admin', 'anonymous'] as const);
        const token = who === 'anonymous' ? undefined : (await session(who)).access_token;
        const { url, body } = buildRequest(op, rng, sampler);
        const res = await server.http.request(op.method, url, {
          raw: body,
          token,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
        });
        sent += 1;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const catalogued = res.status < 400 || typeof res.body?.error?.code === 'number';
        if (res.status >= 500 || !catalogued) {
          failures.push({
            request: `${op.method} ${url.slice(0, 200)} as ${who} body=${(body ?? '').slice(0, 200)}`,
            status: res.status,
            body: JSON.stringify(res.body).slice(0, 300),
          });
        }
      }
    }
    expect(sent).to.equal(ops.length * REQUESTS_PER_OPERATION);
    if (process.env.FUZZ_REPORT)
      console.log(
        ops.length,
        [...statuses].sort((a, b) => a[0] - b[0]),
      );
    expect(failures, `seed ${FUZZ_SEED}: ${failures.length} of ${sent} requests failed`).to.deep.equal([]);
    // The server is still whole: a plain request still works.
    expect((await server.http.get('/health')).status).to.equal(200);
  });
});

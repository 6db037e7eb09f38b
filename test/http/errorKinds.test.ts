import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { expectError, type Session } from '../helpers/http.ts';
import { Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

const BEYOND_INT = 3_000_000_000;

describe("error kinds: a value the database cannot hold is the client's to fix, not a server failure (REST and rooms)", () => {
  let server: TestServer;
  let ada: Session;
  let groupId: number;

  before(async () => {
    server = await startTestServer();
    ada = await server.http.signUp('ada');
    groupId = (await server.http.post('/chat/groups', { name: 'kinds' }, ada.access_token)).body.id;
  });
  after(() => server.close());

  it('when profile text holds a NUL character, then 422 10001 (not a retryable 503) and the profile is unchanged', async () => {
    const res = await server.http.patch('/users/me', { bio: 'before\u0000after' }, ada.access_token);
    expectError(res, 422, 10001);
    expect(res.headers.get('retry-after')).to.equal(null);
    expect((await server.http.get('/users/me', ada.access_token)).body.bio).to.equal('');
  });

  it('when an id is beyond the database integer range, then 422 10001 names the field, in paths, queries and bodies', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', `/users/${BEYOND_INT}`, undefined, 'params.id'],
      ['GET', `/chat/groups/${groupId}/messages?after=${BEYOND_INT}`, undefined, 'query.after'],
      ['PATCH', '/users/me', { avatar_file_id: BEYOND_INT }, 'body.avatar_file_id'],
      ['POST', `/chat/groups/${groupId}/invite`, { user_id: BEYOND_INT }, 'body.user_id'],
    ];
    for (const [method, path, body, field] of cases) {
      const res = await server.http.request(method, path, { body, token: ada.access_token });
      expectError(res, 422, 10001);
      expect(
        res.body.error.detail.map((d: { path: string }) => d.path),
        `${method} ${path}`,
      ).to.include(field);
    }
  });

  it('when a JSON body nests deeper than the 32 levels allowed, then 422 10001 on any route, never a 500', async () => {
    const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    for (const [method, path, raw] of [
      ['POST', '/ai/jobs', `{"model":"sentiment","task":"score","input":${nested(5000)}}`],
      ['POST', '/ai/jobs', `{"model":"sentiment","task":"score","input":{"texts":["fine"]},"params":${nested(5000)}}`],
      ['PATCH', '/users/me', `{"bio":${nested(100)}}`],
    ]) {
      const res = await server.http.request(method, path, {
        raw,
        token: ada.access_token,
        headers: { 'content-type': 'application/json' },
      });
      expectError(res, 422, 10001);
    }
    const strings = await server.http.request('PATCH', '/users/me', {
      raw: `{"bio":"${'[{'.repeat(100)}"}`,
      token: ada.access_token,
      headers: { 'content-type': 'application/json' },
    });
    expect(strings.status, 'brackets inside strings are text').to.equal(200);
  });

  it('when /health or /ready is called with any Authorization header, then the header is ignored', async () => {
    for (const authorization of ['Bearer not-a-token', 'Basic Zm9vOmJhcg==', `Bearer ${ada.access_token}`]) {
      expect(
        (await server.http.request('GET', '/health', { headers: { authorization } })).status,
        authorization,
      ).to.equal(200);
      expect(
        (await server.http.request('GET', '/ready', { headers: { authorization } })).status,
        authorization,
      ).to.equal(200);
    }
  });
  it('in a chat room, when an edit holds a NUL character or a message id beyond the range, then the sender gets 30008 and stays connected', async () => {
    const room = await sdkClient(server, ada).joinOrCreate('chat', { groupId });
    try {
      const [messages, errors] = [new Inbox(room, 'message'), new Inbox(room, 'error')];
      room.send('msg', { text: 'editable' });
      const sent = await messages.next((m) => m.text === 'editable');
      room.send('edit', { message_id: sent.id, text: 'bad\u0000text' });
      expect((await errors.next()).error_code).to.equal(30008);
      room.send('read', { message_id: BEYOND_INT });
      expect((await errors.next((e) => errors.items.indexOf(e) === 1)).error_code).to.equal(30008);
      room.send('msg', { text: 'still here' });
      await messages.next((m) => m.text === 'still here');
    } finally {
      await leaveQuietly(room);
    }
  });
});

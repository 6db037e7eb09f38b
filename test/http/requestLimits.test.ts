import net from 'node:net';
import http from 'node:http';
import { expect } from 'chai';
import { expectError, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { PDF_BYTES, PNG_1X1, form, storedFiles, upload } from '../helpers/boards.ts';
import { eventually, Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';

/** `[[[…0…]]]`, `depth` arrays deep: small on the wire, deadly for recursive code. */
function deeplyNested(depth: number): string {
  return `${'['.repeat(depth)}0${']'.repeat(depth)}`;
}

describe('request bodies are read after the access check, within per-route limits', () => {
  let server: TestServer;
  let alice: Session;
  before(async () => {
    server = await startTestServer();
    alice = await server.http.signUp('alice');
  });
  after(() => server?.close());

  it('when an anonymous caller sends a big body to a route that needs sign-in, then 401 without parsing it', async () => {
    // Malformed on purpose: parsing it would answer 400; only an answer given before reading says 401.
    const big = `{"model":"sentiment","task":"score","input":"${'x'.repeat(1_500_000)}`;
    const res = await server.http.request('POST', '/ai/jobs', {
      raw: big,
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 401, 11001);
  });

  it('when an anonymous caller sends more than 16 KB to a public route, then 413; a signed-in caller may send more', async () => {
    expectError(await server.http.post('/auth/login', { login: 'alice', password: 'p'.repeat(20_000) }), 413, 10003);
    const signedIn = await server.http.patch(
      '/users/me',
      { nickname: 'Alice', bio: 'b'.repeat(20_000) },
      alice.access_token,
    );
    expect(signedIn.status, 'a signed-in body over 16 KB is read (and judged by the route schema)').to.be.oneOf([
      200, 422,
    ]);
  });

  it('when a signed-in user submits an AI job bigger than JSON_BODY_LIMIT, then the AI route reads it', async () => {
    const texts = Array.from({ length: 200 }, (_, i) => `text ${i} ${'good '.repeat(150)}`);
    const res = await server.http.post(
      '/ai/jobs',
      { model: 'sentiment', task: 'score', input: { texts } },
      alice.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
  });

  it('when a body is not JSON, then 415 in the error form', async () => {
    const res = await server.http.request('POST', '/auth/login', {
      raw: 'login=alice',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectError(res, 415, 10007);
  });

  it('when JSON nests deeper than 32 levels, then 422, also in AI job input and params', async () => {
    const raw = (json: string, token: string) =>
      server.http.request('POST', '/ai/jobs', { raw: json, token, headers: { 'content-type': 'application/json' } });
    expectError(
      await raw(`{"model":"sentiment","task":"score","input":${deeplyNested(100_000)}}`, alice.access_token),
      422,
      10001,
    );
    expectError(
      await raw(
        `{"model":"sentiment","task":"score","input":{},"params":{"a":${deeplyNested(100_000)}}}`,
        alice.access_token,
      ),
      422,
      10001,
    );
    const anonymous = await server.http.request('POST', '/auth/login', {
      raw: `{"login":${deeplyNested(3000)},"password":"x"}`,
      headers: { 'content-type': 'application/json' },
    });
    expectError(anonymous, 422, 10001);
    expectError(
      await raw(
        `{"model":"sentiment","task":"score","input":{"texts":["ok"],"x":${deeplyNested(40)}}}`,
        alice.access_token,
      ),
      422,
      10001,
    );
  });
});

describe('HTTP request and header timeouts', function () {
  this.timeout(60_000);
  let server: TestServer;
  let alice: Session;
  before(async () => {
    server = await startTestServer({ HTTP_REQUEST_TIMEOUT: '2', HTTP_HEADERS_TIMEOUT: '1' });
    alice = await server.http.signUp('alice');
  });
  after(() => server?.close());

  it('when an upload stalls, then the server cuts it in bounded time and keeps no file, while a WebSocket and a slow download live on', async () => {
    // A big file to download slowly, and a room connection, both opened before the stalled upload.
    const big = await upload(
      server,
      '/files',
      form('file', [{ name: 'big.pdf', bytes: Buffer.concat([PDF_BYTES, Buffer.alloc(4 * 1024 * 1024)]) }]),
      alice.access_token,
    );
    expect(big.status, JSON.stringify(big.body)).to.equal(201);
    const download = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get(
          `${server.url}/files/${big.body.id}`,
          { headers: { authorization: `Bearer ${alice.access_token}` } },
          resolve,
        )
        .on('error', reject),
    );
    expect(download.statusCode).to.equal(200);
    download.pause();
    const home = await sdkClient(server, alice).joinOrCreate('home');
    const before = storedFiles(server);

    const boundary = 'plazaboundary';
    const stalled = http.request(`${server.url}/files`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${alice.access_token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': '100000',
      },
    });
    const answered = new Promise<number | 'cut'>((resolve) => {
      stalled.on('response', (res) => resolve(res.statusCode!));
      stalled.on('error', () => resolve('cut'));
    });
    stalled.write(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="stall.png"\r\nContent-Type: image/png\r\n\r\n`,
    );
    stalled.write(PNG_1X1);
    await eventually(() => storedFiles(server).some((f) => f.startsWith('.staging/')), 'the upload being staged');
    // Nothing more is sent: the request timeout must end it.
    expect(await answered).to.be.oneOf([408, 'cut']);
    await eventually(() => storedFiles(server).join() === before.join(), 'the partial upload removed', 10_000);

    const replies = new Inbox(home, 'my_groups');
    home.send('my_groups', {});
    await replies.next();
    await leaveQuietly(home);

    download.resume();
    let received = 0;
    for await (const chunk of download) received += (chunk as Buffer).length;
    expect(received).to.equal(PDF_BYTES.length + 4 * 1024 * 1024);
  });

  it('when a client sends headers slower than the headers timeout, then the connection is closed', async () => {
    const socket = net.connect(new URL(server.url).port as unknown as number, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(answer).to.match(/^HTTP\/1\.1 408|^$/);
  });
});

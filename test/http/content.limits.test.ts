import http from 'node:http';
import { expect } from 'chai';
import { expectError, type HttpResponse, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import {
  createAdmin,
  createBoard,
  createPost,
  form,
  PDF_BYTES,
  PNG_1X1,
  startBoardWorld,
  storedFiles,
  upload,
} from '../helpers/boards.ts';

function expectRateLimited(res: HttpResponse, action: string): void {
  expectError(res, 429, 10005);
  expect(res.body.error.detail.action).to.equal(action);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).to.be.within(1, 60);
  expect(res.body.error.detail.retry_after).to.equal(retryAfter);
}

describe('content limits: per-user rates', () => {
  let server: TestServer;
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let board: { id: number };

  before(async () => {
    ({ server, admin, alice, bob, board } = await startBoardWorld(
      { POST_RATE_PER_USER: '3', COMMENT_RATE_PER_USER: '2', UPLOAD_RATE_PER_USER: '2', CONTENT_RATE_WINDOW: '60' },
      'limitadmin',
      'Busy',
    ));
  });
  after(() => server?.close());

  it('when a user posts faster than POST_RATE_PER_USER, then the extra post gets 429 with Retry-After and is not stored; others are unaffected', async () => {
    for (let i = 0; i < 3; i++) await createPost(server, alice, board.id, `burst ${i}`);
    expectRateLimited(
      await server.http.post(`/boards/${board.id}/posts`, { title: 'one too many', body: 'x' }, alice.access_token),
      'post',
    );
    const list = await server.http.get(`/boards/${board.id}/posts?limit=100`, bob.access_token);
    expect(list.body.items.map((p: any) => p.title)).not.to.include('one too many');
    await createPost(server, bob, board.id, 'bob is fine');
    for (let i = 0; i < 5; i++) await createPost(server, admin, board.id, `admin ${i}`);
  });

  it('when a refused write is retried, then it does not spend the budget', async () => {
    const carol = await server.http.signUp('carol');
    const closed = await createBoard(server, admin, { name: 'Closed for limits', available: false });
    for (let i = 0; i < 5; i++)
      expectError(
        await server.http.post(`/boards/${closed.id}/posts`, { title: 't', body: 'b' }, carol.access_token),
        403,
        40003,
      );
    await createPost(server, carol, board.id, 'still allowed');
  });

  it('when a user comments faster than COMMENT_RATE_PER_USER, then 429 and the comment count stays', async () => {
    const post = await createPost(server, bob, board.id, 'Discuss');
    for (let i = 0; i < 2; i++)
      expect(
        (await server.http.post(`/posts/${post.id}/comments`, { body: `c${i}` }, bob.access_token)).status,
      ).to.equal(201);
    expectRateLimited(
      await server.http.post(`/posts/${post.id}/comments`, { body: 'c3' }, bob.access_token),
      'comment',
    );
    expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).body.comment_count).to.equal(2);
  });

  it('when a user uploads faster than UPLOAD_RATE_PER_USER, then 429 before the body is read and nothing is stored', async () => {
    const dave = await server.http.signUp('dave');
    for (let i = 0; i < 2; i++)
      expect(
        (await upload(server, '/files', form('file', [{ name: `${i}.png`, bytes: PNG_1X1 }]), dave.access_token))
          .status,
      ).to.equal(201);
    const before = storedFiles(server);
    expectRateLimited(
      await upload(server, '/files/batch', form('files', [{ name: 'x.png', bytes: PNG_1X1 }]), dave.access_token),
      'upload',
    );
    const post = await createPost(server, dave, board.id, 'with files');
    expectRateLimited(
      await upload(
        server,
        `/posts/${post.id}/attachments`,
        form('files', [{ name: 'y.png', bytes: PNG_1X1 }]),
        dave.access_token,
      ),
      'upload',
    );
    expect(storedFiles(server)).to.deep.equal(before);
  });
});

describe('content limits: upload quota and empty files', () => {
  let server: TestServer;
  let admin: Session;
  const quota = PNG_1X1.length * 2 + 10;

  before(async () => {
    server = await startTestServer({ UPLOAD_QUOTA_BYTES: String(quota) });
    admin = await createAdmin(server, 'quotaadmin');
  });
  after(() => server?.close());

  it('when an upload would take a user past UPLOAD_QUOTA_BYTES, then 413 42010, nothing is kept, and deleting a file makes room', async () => {
    const alice = await server.http.signUp('alice');
    const first = await upload(server, '/files', form('file', [{ name: 'a.png', bytes: PNG_1X1 }]), alice.access_token);
    expect(first.status).to.equal(201);
    const before = storedFiles(server);
    const res = await upload(
      server,
      '/files/batch',
      form('files', [
        { name: 'b.png', bytes: PNG_1X1 },
        { name: 'c.png', bytes: PNG_1X1 },
      ]),
      alice.access_token,
    );
    expectError(res, 413, 42010);
    expect(res.body.error.detail).to.deep.equal({
      quota_bytes: quota,
      used_bytes: PNG_1X1.length,
      upload_bytes: PNG_1X1.length * 2,
    });
    expect(storedFiles(server)).to.deep.equal(before);
    expect(
      (await upload(server, '/files', form('file', [{ name: 'b.png', bytes: PNG_1X1 }]), alice.access_token)).status,
    ).to.equal(201);
    expectError(
      await upload(server, '/files', form('file', [{ name: 'c.pdf', bytes: PDF_BYTES }]), alice.access_token),
      413,
      42010,
    );
    expect((await server.http.delete(`/files/${first.body.id}`, alice.access_token)).status).to.equal(204);
    expect(
      (await upload(server, '/files', form('file', [{ name: 'c.pdf', bytes: PDF_BYTES }]), alice.access_token)).status,
    ).to.equal(201);
  });

  it('when attachments count against the quota, then an attachment beyond it is refused too; admins are exempt', async () => {
    const bob = await server.http.signUp('bob');
    const board = await createBoard(server, admin, { name: 'Quota board' });
    const post = await createPost(server, bob, board.id);
    const three = form(
      'files',
      [1, 2, 3].map((i) => ({ name: `${i}.png`, bytes: PNG_1X1 })),
    );
    expectError(await upload(server, `/posts/${post.id}/attachments`, three, bob.access_token), 413, 42010);
    const many = form(
      'files',
      [1, 2, 3, 4].map((i) => ({ name: `${i}.png`, bytes: PNG_1X1 })),
    );
    expect((await upload(server, '/files/batch', many, admin.access_token)).status).to.equal(201);
  });

  it('when the quota is already used up, then the next upload is refused before its body is sent', async () => {
    const carol = await server.http.signUp('carol');
    const full = form('files', [
      { name: '1.png', bytes: PNG_1X1 },
      { name: '2.png', bytes: PNG_1X1 },
    ]);
    expect((await upload(server, '/files/batch', full, carol.access_token)).status).to.equal(201);
    // The last 10 bytes of room fit exactly; after that the quota is used up.
    expect(
      (await upload(server, '/files', form('file', [{ name: 'ten.txt', bytes: 'ten bytes!' }]), carol.access_token))
        .status,
    ).to.equal(201);
    expectError(
      await upload(server, '/files', form('file', [{ name: 'tiny.txt', bytes: 'hi' }]), carol.access_token),
      413,
      42010,
    );
    // Headers and the start of a large body, then nothing: the answer must come without the rest.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${server.url}/files`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${carol.access_token}`,
          'content-type': 'multipart/form-data; boundary=b',
          'content-length': String(5_000_000),
        },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, body });
          req.destroy();
        });
      });
      req.on('error', (err) => reject(err));
      req.write('--b\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n');
    });
    expect(answer.status).to.equal(413);
    expect(JSON.parse(answer.body).error.code).to.equal(42010);
  });

  it('when two uploads race for the last room, then exactly one is kept', async () => {
    const dave = await server.http.signUp('dave');
    expect(
      (await upload(server, '/files', form('file', [{ name: 'first.png', bytes: PNG_1X1 }]), dave.access_token)).status,
    ).to.equal(201);
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        upload(server, '/files', form('file', [{ name: `race${i}.png`, bytes: PNG_1X1 }]), dave.access_token),
      ),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 413, 413, 413]);
    const mine = await server.http.get('/files?limit=100', dave.access_token);
    expect(mine.body.items).to.have.length(2);
  });

  it('when a 0-byte file is uploaded, then 422 42009 and nothing is kept, alone or in a batch', async () => {
    const erin = await server.http.signUp('erin');
    const before = storedFiles(server);
    const res = await upload(
      server,
      '/files',
      form('file', [{ name: 'empty.png', bytes: new Uint8Array(0) }]),
      erin.access_token,
    );
    expectError(res, 422, 42009);
    expect(res.body.error.detail).to.deep.equal({ file: 'empty.png' });
    const batch = form('files', [
      { name: 'ok.png', bytes: PNG_1X1 },
      { name: 'empty.txt', bytes: '' },
    ]);
    expectError(await upload(server, '/files/batch', batch, erin.access_token), 422, 42009);
    expect(storedFiles(server)).to.deep.equal(before);
    expect((await server.http.get('/files', erin.access_token)).body.items).to.deep.equal([]);
  });
});

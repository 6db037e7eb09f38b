import crypto from 'node:crypto';
import { expect } from 'chai';
import { expectError, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { form, PDF_BYTES, PNG_1X1, upload } from '../helpers/boards.ts';

describe('file downloads: caching and byte ranges', () => {
  let server: TestServer;
  let alice: Session;
  let bob: Session;
  let pdf: { id: number; sha256: string };

  const get = (id: number, headers: Record<string, string> = {}, who: Session = alice) =>
    fetch(`${server.url}/files/${id}`, { headers: { authorization: `Bearer ${who.access_token}`, ...headers } });
  const bytesOf = async (res: Response) => Buffer.from(await res.arrayBuffer());

  before(async () => {
    server = await startTestServer();
    alice = await server.http.signUp('alice');
    bob = await server.http.signUp('bob');
    const res = await upload(
      server,
      '/files',
      form('file', [{ name: 'report.pdf', bytes: PDF_BYTES }]),
      alice.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    pdf = res.body;
  });
  after(() => server?.close());

  it('when a client revalidates with the ETag it has, then 304 with no body; a different tag gets the file', async () => {
    const first = await get(pdf.id);
    const etag = first.headers.get('etag')!;
    expect(etag).to.equal(`"${crypto.createHash('sha256').update(PDF_BYTES).digest('hex')}"`);
    expect(first.headers.get('accept-ranges')).to.equal('bytes');
    const again = await get(pdf.id, { 'if-none-match': etag });
    expect(again.status).to.equal(304);
    expect((await bytesOf(again)).length).to.equal(0);
    expect(again.headers.get('etag')).to.equal(etag);
    expect((await get(pdf.id, { 'if-none-match': `W/${etag}` })).status, 'weak comparison').to.equal(304);
    expect((await get(pdf.id, { 'if-none-match': `"other", ${etag}` })).status, 'one of a list').to.equal(304);
    const changed = await get(pdf.id, { 'if-none-match': '"something-else"' });
    expect(changed.status).to.equal(200);
    expect((await bytesOf(changed)).equals(PDF_BYTES)).to.equal(true);
  });

  it('when a client asks for a byte range, then 206 with exactly those bytes and Content-Range', async () => {
    const size = PDF_BYTES.length;
    for (const [header, start, end] of [
      ['bytes=0-3', 0, 3],
      ['bytes=5-', 5, size - 1],
      ['bytes=-6', size - 6, size - 1],
      [`bytes=10-${size + 100}`, 10, size - 1],
    ] as const) {
      const res = await get(pdf.id, { range: header });
      expect(res.status, header).to.equal(206);
      expect(res.headers.get('content-range'), header).to.equal(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length'), header).to.equal(String(end - start + 1));
      expect((await bytesOf(res)).equals(PDF_BYTES.subarray(start, end + 1)), header).to.equal(true);
    }
  });

  it('when the range lies outside the file, then 416 with the catalogue code and Content-Range */size', async () => {
    const res = await server.http.request('GET', `/files/${pdf.id}`, {
      token: alice.access_token,
      headers: { range: `bytes=${PDF_BYTES.length}-` },
    });
    expectError(res, 416, 42011);
    expect(res.headers.get('content-range')).to.equal(`bytes */${PDF_BYTES.length}`);
  });

  it('when If-Range is stale, several ranges are asked or the header is malformed, then the whole file comes back', async () => {
    for (const headers of <Record<string, string>[]>[
      { range: 'bytes=0-3', 'if-range': '"stale"' },
      { range: 'bytes=0-1,10-12' },
      { range: 'bytes=abc' },
      { range: 'pages=1-2' },
    ]) {
      const res = await get(pdf.id, headers);
      expect(res.status, JSON.stringify(headers)).to.equal(200);
      expect((await bytesOf(res)).equals(PDF_BYTES)).to.equal(true);
    }
    const current = await get(pdf.id, { range: 'bytes=0-3', 'if-range': `"${pdf.sha256}"` });
    expect(current.status).to.equal(206);
  });

  it('when someone who may not read the file asks for a range or revalidates, then 404 and nothing leaks', async () => {
    expect((await get(pdf.id, { range: 'bytes=0-3' }, bob)).status).to.equal(404);
    expect((await get(pdf.id, { 'if-none-match': `"${pdf.sha256}"` }, bob)).status).to.equal(404);
  });

  it('when files are listed by category, then only that folder comes back; an unknown category is 422', async () => {
    await upload(server, '/files', form('file', [{ name: 'pic.png', bytes: PNG_1X1 }]), alice.access_token);
    const docs = await server.http.get('/files?category=documents', alice.access_token);
    expect(docs.body.items.map((f: any) => f.category)).to.deep.equal(['documents']);
    const images = await server.http.get('/files?category=images', alice.access_token);
    expect(images.body.items.map((f: any) => f.original_name)).to.deep.equal(['pic.png']);
    expect((await server.http.get('/files?category=files', alice.access_token)).body.items).to.deep.equal([]);
    expectError(await server.http.get('/files?category=videos', alice.access_token), 422, 10001);
  });
});

import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { PNG_1X1, createAdmin, createBoard, createPost, form, upload } from '../helpers/boards.ts';
import type { Session } from '../helpers/http.ts';

/** GET a path with no Authorization header, as an `<img src>` would. */
const fetchPlain = (server: TestServer, path: string) => fetch(server.url + path);

describe('signed file links (images in the browser)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let admin: Session;
  let owner: Session;
  let stranger: Session;
  let postId: number;
  let imageId: number;

  before(async () => {
    server = await startTestServer();
    admin = await createAdmin(server, 'linkadmin');
    owner = await server.http.signUp('linkowner');
    stranger = await server.http.signUp('linkstranger');
    const board = await createBoard(server, admin, { name: 'Links', access: 'public' });
    postId = (await createPost(server, owner, board.id)).id;
    const res = await upload(
      server,
      `/posts/${postId}/attachments`,
      form('files', [{ name: 'a.png', bytes: PNG_1X1, type: 'image/png' }]),
      owner.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    imageId = res.body.items[0].id;
  });
  after(() => server?.close());

  it('when a reader asks for a link to an attachment, then the link opens the image without a token', async () => {
    const link = await server.http.post(`/files/${imageId}/link`, undefined, stranger.access_token);
    expect(link.status, JSON.stringify(link.body)).to.equal(200);
    expect(link.body.url).to.match(new RegExp(`^/files/${imageId}\\?exp=\\d+&uid=\\d+&role=user&sig=`));
    expect(Date.parse(link.body.expires_at)).to.be.greaterThan(Date.now());
    const res = await fetchPlain(server, link.body.url);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/png');
    expect(Buffer.from(await res.arrayBuffer())).to.deep.equal(PNG_1X1);
  });

  it('when a link is altered (another file, another user, another role, a later expiry), then it opens nothing', async () => {
    const { url } = (await server.http.post(`/files/${imageId}/link`, undefined, stranger.access_token)).body;
    const query = Object.fromEntries(new URL(url, server.url).searchParams);
    const changed = (changes: Record<string, string>, id = imageId) =>
      `/files/${id}?${new URLSearchParams({ ...query, ...changes }).toString()}`;
    const tampered = [
      changed({}, imageId + 1),
      changed({ uid: String(admin.id) }),
      changed({ role: 'admin' }),
      changed({ exp: String(Number(query.exp) + 60) }),
      changed({ sig: '' }),
    ];
    for (const path of tampered) expect((await fetchPlain(server, path)).status, path).to.be.oneOf([404, 422]);
  });

  it('when a link lacks one of its parts, then it opens nothing and the answer is a catalogue 404, never a 500', async () => {
    const { url } = (await server.http.post(`/files/${imageId}/link`, undefined, stranger.access_token)).body;
    const query = Object.fromEntries(new URL(url, server.url).searchParams);
    for (const part of ['exp', 'uid', 'role', 'sig']) {
      const rest = Object.fromEntries(Object.entries(query).filter(([key]) => key !== part));
      const res = await server.http.get(`/files/${imageId}?${new URLSearchParams(rest).toString()}`);
      expect(res.status, `without ${part}`).to.equal(404);
      expect(res.body.error.code, `without ${part}`).to.equal(42001);
    }
  });

  it('when someone asks for a link to a file they may not read, then there is no link', async () => {
    const own = await upload(
      server,
      '/files',
      form('file', [{ name: 'private.png', bytes: PNG_1X1, type: 'image/png' }]),
      owner.access_token,
    );
    expect(own.status).to.equal(201);
    const res = await server.http.post(`/files/${own.body.id}/link`, undefined, stranger.access_token);
    expect(res.status).to.equal(404);
  });

  it('when the post is deleted after a link was made, then the link stops working (the same access rule decides)', async () => {
    const { url } = (await server.http.post(`/files/${imageId}/link`, undefined, stranger.access_token)).body;
    expect((await fetchPlain(server, url)).status).to.equal(200);
    expect((await server.http.delete(`/posts/${postId}`, owner.access_token)).status).to.equal(204);
    expect((await fetchPlain(server, url)).status).to.equal(404);
  });
});

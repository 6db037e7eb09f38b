import { expect } from 'chai';
import type { Session } from '../helpers/http.ts';
import type { TestServer } from '../helpers/testServer.ts';
import { createBoard, createPost, form, PNG_1X1, startBoardWorld, upload } from '../helpers/boards.ts';

/**
 * Pages of posts are kept between reads (PostPageCache). Each test reads a page first (so it is kept),
 * changes something through the API, and reads again: what the page shows must have changed at once.
 */
describe('pages of posts kept between reads: every write shows on the next read', () => {
  let server: TestServer;
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let board: { id: number };

  before(async () => {
    ({ server, admin, alice, bob, board } = await startBoardWorld(
      { VIEW_FLUSH_INTERVAL: '3600' },
      'cacheadmin',
      'Kept pages',
    ));
  });
  after(() => server?.close());

  type Item = {
    id: number;
    title: string;
    like_count: number;
    liked_by_me: boolean;
    comment_count: number;
    view_count: number;
    author: { nickname: string; username: string };
    attachments: { original_name: string }[];
  };
  const page = async (boardId: number, who?: Session, query = 'limit=20') => {
    const res = await server.http.get(`/boards/${boardId}/posts?${query}`, who?.access_token);
    return { status: res.status, items: (res.body.items ?? []) as Item[] };
  };
  const readOk = async (boardId: number, who?: Session) => {
    const read = await page(boardId, who);
    expect(read.status).to.equal(200);
    return read.items;
  };
  const itemOf = async (postId: number, who: Session, boardId = board.id) =>
    (await readOk(boardId, who)).find((p) => p.id === postId);

  it('when someone posts after the page was read, then the next read shows the new post first', async () => {
    await createPost(server, alice, board.id, 'Older');
    await readOk(board.id, bob);
    const fresh = await createPost(server, alice, board.id, 'Newer');
    expect((await readOk(board.id, bob))[0]).to.include({ id: fresh.id, title: 'Newer' });
  });

  it('when a post is edited or deleted after the page was read, then the next read shows the new title, then no post', async () => {
    const post = await createPost(server, alice, board.id, 'Before edit');
    expect((await itemOf(post.id, bob))?.title).to.equal('Before edit');
    expect((await server.http.patch(`/posts/${post.id}`, { title: 'After edit' }, alice.access_token)).status).to.equal(
      200,
    );
    expect((await itemOf(post.id, bob))?.title).to.equal('After edit');
    expect((await server.http.delete(`/posts/${post.id}`, alice.access_token)).status).to.equal(204);
    expect(await itemOf(post.id, bob)).to.equal(undefined);
  });

  it('when bob likes a post both have read, then both see the count and only bob sees it as liked; unliking undoes both', async () => {
    const post = await createPost(server, alice, board.id, 'Likeable');
    expect(await itemOf(post.id, alice)).to.include({ like_count: 0, liked_by_me: false });
    expect(await itemOf(post.id, bob)).to.include({ like_count: 0, liked_by_me: false });
    expect((await server.http.put(`/posts/${post.id}/like`, undefined, bob.access_token)).status).to.equal(200);
    // Alice's read keeps the page again; Bob's then adds only his own part (his likes) to it.
    expect(await itemOf(post.id, alice)).to.include({ like_count: 1, liked_by_me: false });
    expect(await itemOf(post.id, bob)).to.include({ like_count: 1, liked_by_me: true });
    expect((await server.http.delete(`/posts/${post.id}/like`, bob.access_token)).status).to.equal(200);
    expect(await itemOf(post.id, bob)).to.include({ like_count: 0, liked_by_me: false });
  });

  it('when a comment is written or deleted, then the next read shows the comment count', async () => {
    const post = await createPost(server, alice, board.id, 'Discussed');
    expect((await itemOf(post.id, bob))?.comment_count).to.equal(0);
    const comment = await server.http.post(`/posts/${post.id}/comments`, { body: 'Hi' }, bob.access_token);
    expect(comment.status).to.equal(201);
    expect((await itemOf(post.id, bob))?.comment_count).to.equal(1);
    expect((await server.http.delete(`/comments/${comment.body.id}`, bob.access_token)).status).to.equal(204);
    expect((await itemOf(post.id, bob))?.comment_count).to.equal(0);
  });

  it('when views of a post are written, then the next read shows its view count', async () => {
    const post = await createPost(server, alice, board.id, 'Viewed');
    expect((await itemOf(post.id, bob))?.view_count).to.equal(0);
    expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).status).to.equal(200);
    await server.services.views.flush();
    expect((await itemOf(post.id, bob))?.view_count).to.equal(1);
  });

  it('when the author attaches a file, then the next read lists it on the post', async () => {
    const post = await createPost(server, alice, board.id, 'Illustrated');
    expect((await itemOf(post.id, bob))?.attachments).to.deep.equal([]);
    const res = await upload(
      server,
      `/posts/${post.id}/attachments`,
      form('files', [{ name: 'dot.png', bytes: PNG_1X1, type: 'image/png' }]),
      alice.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect((await itemOf(post.id, bob))?.attachments.map((f) => f.original_name)).to.deep.equal(['dot.png']);
  });

  it("when an author changes their nickname, then the next read of a page shows it on the author's posts", async () => {
    const carol = await server.http.signUp('carol', { nickname: 'Carol' });
    const post = await createPost(server, carol, board.id, 'By Carol');
    expect((await itemOf(post.id, bob))?.author.nickname).to.equal('Carol');
    expect((await server.http.patch('/users/me', { nickname: 'Caroline' }, carol.access_token)).status).to.equal(200);
    expect((await itemOf(post.id, bob))?.author.nickname).to.equal('Caroline');
  });

  it('when an author deletes their account, then the next read shows the post by "Deleted user"', async () => {
    const dave = await server.http.signUp('dave', { nickname: 'Dave' });
    const post = await createPost(server, dave, board.id, 'By Dave');
    expect((await itemOf(post.id, bob))?.author.nickname).to.equal('Dave');
    const gone = await server.http.post('/users/me/delete', { password: 'dave-password' }, dave.access_token);
    expect(gone.status, JSON.stringify(gone.body)).to.equal(204);
    expect((await itemOf(post.id, bob))?.author.nickname).to.equal('Deleted user');
  });

  it('when a grant on a restricted board is revoked after a read, then the next read is refused; a new grant lets in again', async () => {
    const restricted = await createBoard(server, admin, { name: 'Kept restricted', access: 'restricted' });
    const grant = { read: true, write: true, comment: true, upload: true };
    expect(
      (await server.http.put(`/boards/${restricted.id}/access/${alice.id}`, grant, admin.access_token)).status,
    ).to.equal(200);
    await createPost(server, alice, restricted.id, 'Members only');
    expect(await readOk(restricted.id, alice)).to.have.length(1);
    expect((await page(restricted.id, bob)).status).to.equal(404);
    expect(
      (await server.http.delete(`/boards/${restricted.id}/access/${alice.id}`, admin.access_token)).status,
    ).to.equal(204);
    expect((await page(restricted.id, alice)).status).to.equal(404);
    expect(
      (await server.http.put(`/boards/${restricted.id}/access/${bob.id}`, grant, admin.access_token)).status,
    ).to.equal(200);
    expect(await readOk(restricted.id, bob)).to.have.length(1);
  });

  it("when an admin changes a board's policy, hides or deletes it after a read, then the next read follows at once", async () => {
    const open = await createBoard(server, admin, { name: 'Kept readonly', access: 'readonly' });
    await createPost(server, admin, open.id, 'Announcement');
    expect(await readOk(open.id)).to.have.length(1);
    expect((await server.http.patch(`/boards/${open.id}`, { access: 'public' }, admin.access_token)).status).to.equal(
      200,
    );
    expect((await page(open.id)).status).to.equal(404);
    expect(await readOk(open.id, bob)).to.have.length(1);
    expect((await server.http.patch(`/boards/${open.id}`, { visible: false }, admin.access_token)).status).to.equal(
      200,
    );
    expect((await page(open.id, bob)).status).to.equal(404);
    expect((await server.http.patch(`/boards/${open.id}`, { visible: true }, admin.access_token)).status).to.equal(200);
    expect(await readOk(open.id, bob)).to.have.length(1);
    expect((await server.http.delete(`/boards/${open.id}`, admin.access_token)).status).to.equal(204);
    expect((await page(open.id, bob)).status).to.equal(404);
    expect((await server.http.post(`/boards/${open.id}/restore`, {}, admin.access_token)).status).to.equal(200);
    expect(await readOk(open.id, bob)).to.have.length(1);
  });

  it('when the same page is read again with nothing changed, then it is the same answer (other sorts, searches and cursors are their own pages)', async () => {
    const first = await page(board.id, bob);
    expect(await page(board.id, bob)).to.deep.equal(first);
    // Sent as JSON with the ETag Express gives every JSON answer; a changed page has another.
    const path = `/boards/${board.id}/posts?limit=20`;
    const again = await server.http.get(path, bob.access_token);
    expect(again.headers.get('content-type')).to.equal('application/json; charset=utf-8');
    expect(again.headers.get('etag')).to.match(/^W\/"/);
    expect((await server.http.get(path, bob.access_token)).headers.get('etag')).to.equal(again.headers.get('etag'));
    await createPost(server, alice, board.id, 'Changes the page');
    const changed = await server.http.get(path, bob.access_token);
    expect(changed.body.items[0].title).to.equal('Changes the page');
    expect(changed.headers.get('etag')).not.to.equal(again.headers.get('etag'));
    const top = await page(board.id, bob, 'sort=top&limit=2');
    expect(top.items).to.have.length(2);
    const searched = await page(board.id, bob, 'q=Illustrated');
    expect(searched.items.map((p) => p.title)).to.deep.equal(['Illustrated']);
  });
});

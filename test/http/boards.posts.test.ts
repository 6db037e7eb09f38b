import { expect } from 'chai';
import { RequestContext } from '@mikro-orm/core';
import { expectError, type Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin, createBoard, createPost, startBoardWorld } from '../helpers/boards.ts';
import { eventually } from '../helpers/eventually.ts';

describe('posts, comments and likes', () => {
  let server: TestServer;
  let admin: Session;
  let alice: Session;
  let bob: Session;
  let board: { id: number };

  before(async () => {
    ({ server, admin, alice, bob, board } = await startBoardWorld(
      { VIEW_FLUSH_INTERVAL: '3600' },
      'postadmin',
      'General',
    ));
  });
  after(() => server?.close());

  const flushViews = () => server.services.views.flush();

  describe('writing and reading posts', () => {
    it('when a user posts, then the post shows the author profile, zero counters and no attachments', async () => {
      const res = await server.http.post(
        `/boards/${board.id}/posts`,
        { title: 'Hello', body: 'First post' },
        alice.access_token,
      );
      expect(res.status).to.equal(201);
      expect(res.body).to.include({
        title: 'Hello',
        body: 'First post',
        board_id: board.id,
        comment_count: 0,
        like_count: 0,
        view_count: 0,
        liked_by_me: false,
      });
      expect(res.body.author).to.include({ id: alice.id, username: 'alice' });
      expect(res.body.author).not.to.have.property('email');
      expect(res.body.attachments).to.deep.equal([]);
    });

    it('when the author edits, then the change shows; another user gets 403 and an admin may edit', async () => {
      const post = await createPost(server, alice, board.id, 'Draft');
      const edited = await server.http.patch(`/posts/${post.id}`, { title: 'Final' }, alice.access_token);
      expect(edited.body.title).to.equal('Final');
      expectError(await server.http.patch(`/posts/${post.id}`, { title: 'Hijack' }, bob.access_token), 403, 41003);
      expect(
        (await server.http.patch(`/posts/${post.id}`, { body: 'Moderated' }, admin.access_token)).body.body,
      ).to.equal('Moderated');
    });

    it('when a post is deleted, then it disappears from the board and reads 404, and a second delete is 404', async () => {
      const post = await createPost(server, alice, board.id, 'Short-lived');
      expectError(await server.http.delete(`/posts/${post.id}`, bob.access_token), 403, 41003);
      expect((await server.http.delete(`/posts/${post.id}`, alice.access_token)).status).to.equal(204);
      expectError(await server.http.get(`/posts/${post.id}`, alice.access_token), 404, 41001);
      expectError(await server.http.get(`/posts/${post.id}`, admin.access_token), 404, 41001);
      const list = await server.http.get(`/boards/${board.id}/posts?limit=100`, alice.access_token);
      expect(list.body.items.map((p: any) => p.id)).not.to.include(post.id);
      expectError(await server.http.delete(`/posts/${post.id}`, alice.access_token), 404, 41001);
    });

    it('when input is invalid, then 422 naming the field', async () => {
      const res = await server.http.post(`/boards/${board.id}/posts`, { title: '', body: 'x' }, alice.access_token);
      expectError(res, 422, 10001);
      expect(res.body.error.detail[0].path).to.equal('body.title');
    });
  });

  describe('listing: keyset pagination, sorts and search', () => {
    let pageBoard: { id: number };
    before(async () => {
      pageBoard = await createBoard(server, admin, { name: 'Paging' });
    });

    it('when posts are added between pages, then following the cursor never repeats or skips a post', async () => {
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await createPost(server, alice, pageBoard.id, `p${i}`)).id);
      const first = await server.http.get(`/boards/${pageBoard.id}/posts?limit=2`, bob.access_token);
      expect(first.body.items.map((p: any) => p.id)).to.deep.equal([ids[4], ids[3]]);
      await createPost(server, alice, pageBoard.id, 'inserted');
      await createPost(server, alice, pageBoard.id, 'inserted too');
      const seen = [...first.body.items.map((p: any) => p.id)];
      let cursor = first.body.next_cursor;
      while (cursor) {
        const page = await server.http.get(`/boards/${pageBoard.id}/posts?limit=2&cursor=${cursor}`, bob.access_token);
        expect(page.status).to.equal(200);
        seen.push(...page.body.items.map((p: any) => p.id));
        cursor = page.body.next_cursor;
      }
      expect(seen).to.deep.equal([...ids].reverse());
    });

    it('when sorted by top, then most liked first with ties newest first, across pages', async () => {
      const b = await createBoard(server, admin, { name: 'Top' });
      const p1 = await createPost(server, alice, b.id, 'one like');
      const p2 = await createPost(server, alice, b.id, 'two likes');
      const p3 = await createPost(server, alice, b.id, 'no likes');
      const p4 = await createPost(server, alice, b.id, 'one like too');
      await server.http.put(`/posts/${p1.id}/like`, undefined, bob.access_token);
      await server.http.put(`/posts/${p2.id}/like`, undefined, bob.access_token);
      await server.http.put(`/posts/${p2.id}/like`, undefined, alice.access_token);
      await server.http.put(`/posts/${p4.id}/like`, undefined, alice.access_token);
      const seen: number[] = [];
      let cursor = '';
      do {
        const page = await server.http.get(
          `/boards/${b.id}/posts?sort=top&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
          bob.access_token,
        );
        seen.push(...page.body.items.map((p: any) => p.id));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(seen).to.deep.equal([p2.id, p4.id, p1.id, p3.id]);
    });

    it('when sorted by views, then most viewed first', async () => {
      const b = await createBoard(server, admin, { name: 'Views' });
      const quiet = await createPost(server, alice, b.id, 'quiet');
      const popular = await createPost(server, alice, b.id, 'popular');
      await server.http.get(`/posts/${popular.id}`, bob.access_token);
      await server.http.get(`/posts/${popular.id}`, alice.access_token);
      await server.http.get(`/posts/${quiet.id}`, bob.access_token);
      const older = await createPost(server, alice, b.id, 'unseen');
      await flushViews();
      const res = await server.http.get(`/boards/${b.id}/posts?sort=views`, bob.access_token);
      expect(res.body.items.map((p: any) => [p.id, p.view_count])).to.deep.equal([
        [popular.id, 2],
        [quiet.id, 1],
        [older.id, 0],
      ]);
    });

    it('when a cursor from another sort or a forged cursor is sent, then 422', async () => {
      const b = await createBoard(server, admin, { name: 'Cursors' });
      await createPost(server, alice, b.id);
      await createPost(server, alice, b.id);
      const page = await server.http.get(`/boards/${b.id}/posts?limit=1`, bob.access_token);
      expectError(
        await server.http.get(`/boards/${b.id}/posts?sort=top&cursor=${page.body.next_cursor}`, bob.access_token),
        422,
        10001,
      );
      expectError(await server.http.get(`/boards/${b.id}/posts?cursor=not-a-cursor`, bob.access_token), 422, 10001);
    });

    it('when searching with q, then title and body words match (any language), combined with the sort', async () => {
      const b = await createBoard(server, admin, { name: 'Search' });
      const a = await createPost(server, alice, b.id, 'Colyseus rooms', 'how rooms scale');
      const k = await createPost(server, alice, b.id, '게시판 공지', '첨부 파일 안내');
      await createPost(server, alice, b.id, 'Unrelated', 'nothing here');
      const both = await createPost(server, alice, b.id, 'More about rooms', 'rooms again');
      await server.http.put(`/posts/${a.id}/like`, undefined, bob.access_token);
      const rooms = await server.http.get(`/boards/${b.id}/posts?q=rooms&sort=top`, bob.access_token);
      expect(rooms.body.items.map((p: any) => p.id)).to.deep.equal([a.id, both.id]);
      const korean = await server.http.get(`/boards/${b.id}/posts?q=${encodeURIComponent('공지')}`, bob.access_token);
      expect(korean.body.items.map((p: any) => p.id)).to.deep.equal([k.id]);
      const body = await server.http.get(
        `/boards/${b.id}/posts?q=${encodeURIComponent('"how rooms"')}`,
        bob.access_token,
      );
      expect(body.body.items.map((p: any) => p.id)).to.deep.equal([a.id]);
      const none = await server.http.get(
        `/boards/${b.id}/posts?q=${encodeURIComponent("'); drop table posts; --")}`,
        bob.access_token,
      );
      expect(none.status).to.equal(200);
      expect(none.body.items).to.deep.equal([]);
    });
  });

  describe('comments', () => {
    it('when users comment, edit and delete, then the list and comment_count follow', async () => {
      const post = await createPost(server, alice, board.id, 'Discuss');
      const c1 = await server.http.post(`/posts/${post.id}/comments`, { body: 'first' }, bob.access_token);
      expect(c1.status).to.equal(201);
      expect(c1.body.author).to.include({ id: bob.id, username: 'bob' });
      const c2 = await server.http.post(`/posts/${post.id}/comments`, { body: 'second' }, alice.access_token);
      expect(
        (await server.http.patch(`/comments/${c1.body.id}`, { body: 'first, edited' }, bob.access_token)).body.body,
      ).to.equal('first, edited');
      expectError(
        await server.http.patch(`/comments/${c1.body.id}`, { body: 'not mine' }, alice.access_token),
        403,
        41003,
      );
      expectError(await server.http.delete(`/comments/${c1.body.id}`, alice.access_token), 403, 41003);
      expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).body.comment_count).to.equal(2);
      expect((await server.http.delete(`/comments/${c2.body.id}`, alice.access_token)).status).to.equal(204);
      expectError(await server.http.delete(`/comments/${c2.body.id}`, alice.access_token), 404, 41002);
      const list = await server.http.get(`/posts/${post.id}/comments`, bob.access_token);
      expect(list.body.items.map((c: any) => c.body)).to.deep.equal(['first, edited']);
      expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).body.comment_count).to.equal(1);
    });

    it('when comments are paged, then the cursor walks them oldest first', async () => {
      const post = await createPost(server, alice, board.id, 'Many comments');
      for (let i = 0; i < 5; i++)
        await server.http.post(`/posts/${post.id}/comments`, { body: `c${i}` }, bob.access_token);
      const bodies: string[] = [];
      let cursor = '';
      do {
        const page = await server.http.get(
          `/posts/${post.id}/comments?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          bob.access_token,
        );
        bodies.push(...page.body.items.map((c: any) => c.body));
        cursor = page.body.next_cursor;
      } while (cursor);
      expect(bodies).to.deep.equal(['c0', 'c1', 'c2', 'c3', 'c4']);
    });

    it('when many comments are written and deleted concurrently, then comment_count stays exact', async () => {
      const post = await createPost(server, alice, board.id, 'Busy');
      const users = [alice, bob, admin];
      const created = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          server.http.post(`/posts/${post.id}/comments`, { body: `n${i}` }, users[i % 3].access_token),
        ),
      );
      expect(created.map((r) => r.status)).to.deep.equal(Array(24).fill(201));
      const toDelete = created.slice(0, 10).map((r) => r.body);
      const deletions = await Promise.all([
        ...toDelete.map((c) => server.http.delete(`/comments/${c.id}`, admin.access_token)),
        ...toDelete.map((c) => server.http.delete(`/comments/${c.id}`, admin.access_token)),
        ...Array.from({ length: 6 }, (_, i) =>
          server.http.post(`/posts/${post.id}/comments`, { body: `late${i}` }, bob.access_token),
        ),
      ]);
      expect(deletions.filter((r) => r.status === 204)).to.have.length(10);
      const res = await server.http.get(`/posts/${post.id}`, alice.access_token);
      const all = await server.http.get(`/posts/${post.id}/comments?limit=100`, alice.access_token);
      expect(all.body.items).to.have.length(20);
      expect(res.body.comment_count).to.equal(20);
    });

    it('when commenting on a deleted post, then 404', async () => {
      const post = await createPost(server, alice, board.id, 'Gone');
      await server.http.delete(`/posts/${post.id}`, alice.access_token);
      expectError(await server.http.post(`/posts/${post.id}/comments`, { body: 'late' }, bob.access_token), 404, 41001);
    });
  });

  describe('likes', () => {
    it('when a user likes twice and unlikes twice, then the count moves once each way', async () => {
      const post = await createPost(server, alice, board.id, 'Likeable');
      const first = await server.http.put(`/posts/${post.id}/like`, undefined, bob.access_token);
      expect(first.body).to.deep.equal({ post_id: post.id, liked: true, like_count: 1 });
      expect((await server.http.put(`/posts/${post.id}/like`, undefined, bob.access_token)).body.like_count).to.equal(
        1,
      );
      const read = await server.http.get(`/posts/${post.id}`, bob.access_token);
      expect(read.body).to.include({ like_count: 1, liked_by_me: true });
      expect((await server.http.get(`/posts/${post.id}`, alice.access_token)).body.liked_by_me).to.equal(false);
      const likes = await server.http.get(`/posts/${post.id}/likes`, alice.access_token);
      expect(likes.body.items.map((l: any) => l.user.username)).to.deep.equal(['bob']);
      expect((await server.http.delete(`/posts/${post.id}/like`, bob.access_token)).body).to.deep.equal({
        post_id: post.id,
        liked: false,
        like_count: 0,
      });
      expect((await server.http.delete(`/posts/${post.id}/like`, bob.access_token)).body.like_count).to.equal(0);
    });

    it('when many users like at once, each several times, then like_count equals the number of users', async function () {
      // Eight sign-ups, each an argon2 hash: seconds apiece on a busy machine.
      this.timeout(120_000);
      const post = await createPost(server, alice, board.id, 'Viral');
      const fans: Session[] = [];
      for (let i = 0; i < 8; i++) fans.push(await server.http.signUp(`fan${i}`));
      const results = await Promise.all(
        fans.flatMap((f) => [1, 2, 3].map(() => server.http.put(`/posts/${post.id}/like`, undefined, f.access_token))),
      );
      expect(results.every((r) => r.status === 200)).to.equal(true);
      const unlikes = await Promise.all(
        fans.slice(0, 3).flatMap((f) => [1, 2].map(() => server.http.delete(`/posts/${post.id}/like`, f.access_token))),
      );
      expect(unlikes.every((r) => r.status === 200)).to.equal(true);
      expect((await server.http.get(`/posts/${post.id}`, alice.access_token)).body.like_count).to.equal(5);
      const likes = await server.http.get(`/posts/${post.id}/likes?limit=100`, alice.access_token);
      expect(likes.body.items).to.have.length(5);
    });
  });

  describe('views', () => {
    it('when the same users reload a post many times, then each counts once per day after the flush', async () => {
      const post = await createPost(server, alice, board.id, 'Read me');
      for (let i = 0; i < 3; i++) await server.http.get(`/posts/${post.id}`, bob.access_token);
      await Promise.all([1, 2, 3].map(() => server.http.get(`/posts/${post.id}`, alice.access_token)));
      expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).body.view_count).to.equal(0);
      await flushViews();
      expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).body.view_count).to.equal(2);
      await flushViews();
      expect((await server.http.get(`/posts/${post.id}`, bob.access_token)).body.view_count).to.equal(2);
    });

    it('when anonymous readers reload a readonly board post, then one IP counts once and no address is stored', async () => {
      const news = await createBoard(server, admin, { name: 'News', access: 'readonly' });
      const post = await createPost(server, admin, news.id, 'Public news');
      for (let i = 0; i < 3; i++) expect((await server.http.get(`/posts/${post.id}`)).status).to.equal(200);
      await flushViews();
      expect((await server.http.get(`/posts/${post.id}`)).body.view_count).to.equal(1);
      const rows = await RequestContext.create(server.services.orm.em, () =>
        server.services.orm.em.execute<{ viewer: string }[]>('select viewer from post_views where post_id = ?', [
          post.id,
        ]),
      );
      expect(rows).to.have.length(1);
      expect(rows[0].viewer).to.match(/^ip:[A-Za-z0-9_-]{32}$/);
      expect(rows[0].viewer).not.to.contain('127.0.0.1');
    });
  });
});

describe('view counts on an interval', () => {
  it('when the flush interval passes, then views appear without any other action', async () => {
    const server = await startTestServer({ VIEW_FLUSH_INTERVAL: '0.2' });
    try {
      const admin = await createAdmin(server, 'intervaladmin');
      const board = await createBoard(server, admin, { name: 'Interval' });
      const post = await createPost(server, admin, board.id);
      await server.http.get(`/posts/${post.id}`, admin.access_token);
      const count = await eventually(
        async () => (await server.http.get(`/posts/${post.id}`, admin.access_token)).body.view_count as number,
        'the view to be written by the flush interval',
        10_000,
        100,
      );
      expect(count).to.equal(1);
    } finally {
      await server.close();
    }
  });
});

describe('view counts on shutdown', () => {
  it('when the server stops gracefully, then pending views are written before the database closes', async () => {
    const { createTestDatabase } = await import('../helpers/testDatabase.ts');
    const { PGlite } = await import('@electric-sql/pglite');
    const { PGLITE_EXTENSIONS } = await import('../../src/db/ormOptions.ts');
    const db = await createTestDatabase();
    // An in-memory PGlite outlives the server only when we own the instance.
    const target =
      db.target.kind === 'pglite'
        ? {
            ...db.target,
            instance: await PGlite.create({ loadDataDir: db.target.loadDataDir, extensions: PGLITE_EXTENSIONS }),
          }
        : db.target;
    const first = await startTestServer({ VIEW_FLUSH_INTERVAL: '3600' }, { database: target });
    let second: TestServer | undefined;
    try {
      const admin = await createAdmin(first, 'shutdownadmin');
      const reader = await first.http.signUp('reader');
      const board = await createBoard(first, admin, { name: 'Shutdown' });
      const post = await createPost(first, admin, board.id);
      await first.http.get(`/posts/${post.id}`, reader.access_token);
      await first.http.get(`/posts/${post.id}`, admin.access_token);
      expect(first.services.views.pendingCount).to.equal(2);
      await first.stop();

      second = await startTestServer({}, { database: target });
      const res = await second.http.get(`/posts/${post.id}`, (await second.http.signIn('reader')).access_token);
      expect(res.body.view_count).to.equal(2);
    } finally {
      await first.stop();
      await second?.stop();
      if (target.kind === 'pglite') await target.instance?.close();
      await db.dispose();
    }
  });
});

import { expect } from 'chai';
import pg from 'pg';
import { HttpClient, type Session } from '../helpers/http.ts';
import { eventually } from '../helpers/eventually.ts';
import { missingForCluster, startCluster, type Cluster, type PlazaProcess } from './cluster.ts';

const unavailable = missingForCluster();

/**
 * Each process keeps pages of posts (PostPageCache); a write on one process must reach the pages the
 * others keep (over the Redis bus), or their readers would see the old page for as long as it is kept.
 */
describe('kept pages of posts across two Plaza processes on one Redis and one PostgreSQL', function () {
  this.timeout(120_000);
  if (unavailable) {
    it(`is skipped: ${unavailable}`, function () {
      this.skip();
    });
    return;
  }

  let cluster: Cluster;
  let a: PlazaProcess, b: PlazaProcess;
  let admin: Session;
  let writer: Session;
  let reader: Session;
  let boardId: number;
  const http = (p: PlazaProcess) => new HttpClient(p.endpoint);
  type Item = { id: number; title: string; like_count: number; liked_by_me: boolean; author: { nickname: string } };
  const pageOn = async (p: PlazaProcess, who: Session, board = boardId) => {
    const res = await http(p).get(`/boards/${board}/posts?limit=20`, who.access_token);
    return { status: res.status, items: (res.body.items ?? []) as Item[] };
  };

  before(async function () {
    this.timeout(300_000);
    cluster = await startCluster(2);
    [a, b] = cluster.processes;
    const session = await http(a).signUp(`pageadmin${process.pid}`);
    const db = new pg.Client({ connectionString: cluster.databaseUrl });
    await db.connect();
    await db.query(`update users set role = 'admin' where id = $1`, [session.id]);
    await db.end();
    admin = { ...session, ...(await http(a).signIn(session.username)) };
    writer = await http(a).signUp(`pagewriter${process.pid}`, { nickname: 'Writer' });
    reader = await http(b).signUp(`pagereader${process.pid}`);
    const board = await http(a).post('/boards', { name: `pages${process.pid}` }, admin.access_token);
    expect(board.status, JSON.stringify(board.body)).to.equal(201);
    boardId = board.body.id;
  });

  after(async function () {
    this.timeout(60_000);
    await cluster?.stop();
  });

  it("when a post is written, edited and liked through process A, then process B's next reads show each change", async () => {
    expect((await pageOn(b, reader)).items).to.deep.equal([]);
    const created = await http(a).post(`/boards/${boardId}/posts`, { title: 'From A', body: 'x' }, writer.access_token);
    expect(created.status).to.equal(201);
    await eventually(
      async () => (await pageOn(b, reader)).items[0]?.id === created.body.id,
      'the new post on process B',
    );
    expect(
      (await http(a).patch(`/posts/${created.body.id}`, { title: 'Edited on A' }, writer.access_token)).status,
    ).to.equal(200);
    await eventually(
      async () => (await pageOn(b, reader)).items[0]?.title === 'Edited on A',
      'the edited title on process B',
    );
    expect((await http(a).put(`/posts/${created.body.id}/like`, undefined, writer.access_token)).status).to.equal(200);
    const liked = await eventually(async () => {
      const item = (await pageOn(b, reader)).items[0];
      return item?.like_count === 1 ? item : undefined;
    }, 'the like count on process B');
    expect(liked.liked_by_me).to.equal(false);
    expect((await pageOn(b, writer)).items[0]).to.include({ like_count: 1, liked_by_me: true });
  });

  it("when the writer changes their nickname on process A, then process B's next read shows it", async () => {
    await eventually(async () => (await pageOn(b, reader)).items[0]?.author.nickname === 'Writer', 'the page on B');
    expect((await http(a).patch('/users/me', { nickname: 'Renamed' }, writer.access_token)).status).to.equal(200);
    await eventually(
      async () => (await pageOn(b, reader)).items[0]?.author.nickname === 'Renamed',
      'the new nickname on process B',
    );
  });

  it("when an admin restricts the board on process A, then process B refuses the reader's next read", async () => {
    expect((await pageOn(b, reader)).status).to.equal(200);
    expect((await http(a).patch(`/boards/${boardId}`, { access: 'restricted' }, admin.access_token)).status).to.equal(
      200,
    );
    await eventually(async () => (await pageOn(b, reader)).status === 404, 'a refusal on process B');
  });
});

import { expect } from 'chai';
import { raw } from '@mikro-orm/sql';
import type { Session } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin, createBoard, createPost } from '../helpers/boards.ts';
import { Post, POST_SEARCH_TEXT } from '../../entities/Post.ts';
import { substringCondition } from '../../src/domain/shared/textSearch.ts';

describe('searching posts for parts of words (Korean and English)', () => {
  let server: TestServer;
  let admin: Session;
  let reader: Session;
  let board: { id: number };
  const ids: Record<string, number> = {};

  const search = async (q: string, extra = '') => {
    const res = await server.http.get(
      `/boards/${board.id}/posts?limit=100&q=${encodeURIComponent(q)}${extra}`,
      reader.access_token,
    );
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return (res.body.items as { id: number }[]).map((p) => p.id).sort((a, b) => a - b);
  };
  const idsOf = (...names: string[]) => names.map((n) => ids[n]).sort((a, b) => a - b);

  before(async () => {
    server = await startTestServer();
    admin = await createAdmin(server, 'searchadmin');
    reader = await server.http.signUp('reader');
    board = await createBoard(server, admin, { name: 'Search' });
    const posts = {
      notice: ['공지사항', '새 게시판에 글을 남겨 주세요'],
      rules: ['게시판을 쓰는 법', '첨부 파일은 10MB까지'],
      chat: ['잡담', '오늘 날씨가 좋네요'],
      rooms: ['Chatrooms and Colyseus', 'How rooms scale'],
      percent: ['Discount', 'Everything 100% off, file_name.txt attached'],
      other: ['Unrelated', 'nothing to see'],
    };
    for (const [name, [title, body]] of Object.entries(posts))
      ids[name] = (await createPost(server, admin, board.id, title, body)).id;
  });
  after(() => server?.close());

  it('when searching 게시판, then posts with 게시판에 and 게시판을 are found, and others are not', async () => {
    expect(await search('게시판')).to.deep.equal(idsOf('notice', 'rules'));
    expect(await search('날씨')).to.deep.equal(idsOf('chat'));
    expect(await search('첨부 파일')).to.deep.equal(idsOf('rules'));
  });

  it('when searching part of an English word, then it matches case-insensitively in title and body', async () => {
    expect(await search('room')).to.deep.equal(idsOf('rooms'));
    expect(await search('COLYSEUS')).to.deep.equal(idsOf('rooms'));
    expect(await search('scal')).to.deep.equal(idsOf('rooms'));
  });

  it('when the query uses phrases, exclusions and or, then each means what web search means', async () => {
    expect(await search('"rooms scale"')).to.deep.equal(idsOf('rooms'));
    expect(await search('"scale rooms"')).to.deep.equal([]);
    expect(await search('게시판 -첨부')).to.deep.equal(idsOf('notice'));
    expect(await search('날씨 or colyseus')).to.deep.equal(idsOf('chat', 'rooms'));
  });

  it('when the query holds LIKE wildcards, then they match only themselves', async () => {
    expect(await search('100%')).to.deep.equal(idsOf('percent'));
    expect(await search('file_name')).to.deep.equal(idsOf('percent'));
    expect(await search('%')).to.deep.equal(idsOf('percent'));
    expect(await search('_')).to.deep.equal(idsOf('percent'));
  });

  it('when search is combined with a sort and paging, then both still apply', async () => {
    const first = await server.http.get(
      `/boards/${board.id}/posts?limit=1&sort=views&q=${encodeURIComponent('게시판')}`,
      reader.access_token,
    );
    expect(first.body.items).to.have.length(1);
    const second = await server.http.get(
      `/boards/${board.id}/posts?limit=1&sort=views&q=${encodeURIComponent('게시판')}&cursor=${first.body.next_cursor}`,
      reader.access_token,
    );
    expect([first.body.items[0].id, second.body.items[0].id].sort((a, b) => a - b)).to.deep.equal(
      idsOf('notice', 'rules'),
    );
    expect(second.body.next_cursor).to.equal(null);
  });

  it('when searching, then the search condition is served by the trigram index', async () => {
    const em = server.services.orm.em.fork();
    for (const q of ['게시판', 'colyseus', '"rooms scale" -foo']) {
      const condition = substringCondition(POST_SEARCH_TEXT, q);
      const query = em
        .createQueryBuilder(Post)
        .select('id')
        .where({ [raw(condition.sql, condition.params)]: true })
        .getFormattedQuery();
      // A test table is small enough that a scan is cheaper: forbid scans (in one transaction) to see the index serve the search.
      const plan = await em.transactional(async (tx) => {
        await tx.execute('set local enable_seqscan = off');
        return tx.execute<{ 'QUERY PLAN': string }[]>(`explain ${query}`);
      });
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      expect(text, text).to.contain('Bitmap Index Scan on posts_search_trgm_index');
    }
  });
});

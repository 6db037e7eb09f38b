import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import type { TestServer } from '../helpers/testServer.ts';
import { startChatWorld } from '../helpers/chatGroup.ts';
import type { HttpResponse, Session } from '../helpers/http.ts';
import { Inbox, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { searchQuery } from '../../src/domain/realtime/MessageSearch.ts';
import { substringCondition } from '../../src/domain/shared/textSearch.ts';

describe('searching my messages (groups and DMs, Korean and English)', () => {
  let server: TestServer;
  let alice: Session, bob: Session, carol: Session, dave: Session;
  const ids: Record<string, string> = {};

  const search = async (who: Session, q: string) => {
    const res = await server.http.get(`/chat/search?limit=100&q=${encodeURIComponent(q)}`, who.access_token);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return (res.body.items as { source: string; id: number }[]).map((h) => `${h.source}:${h.id}`).sort();
  };
  const keysOf = (...names: string[]) => names.map((n) => ids[n]).sort();

  before(async () => {
    let groupId: number;
    ({
      server,
      users: [alice, bob, carol, dave],
      groupId,
    } = await startChatWorld({
      users: ['alice', 'bob', 'carol', 'dave'],
      group: { name: 'search', members: ['bob', 'carol'] },
    }));
    const room: Room = await sdkClient(server, alice).joinOrCreate('chat', { groupId });
    const sent = new Inbox(room, 'message_sent');
    const post = async (name: string, message: Record<string, unknown>, type = 'msg') => {
      room.send(type, message);
      const stored = await sent.next((m) => m.text === message.text);
      ids[name] = `group:${stored.id}`;
      return stored;
    };
    await post('notice', { text: '새 게시판에 글을 남겨 주세요' });
    await post('rooms', { text: 'Chatrooms and Colyseus' });
    await post('secret', { to: carol.id, text: '게시판 비밀' }, 'room_dm');
    const gone = await post('gone', { text: '게시판 지워질 글' });
    const deleted = new Inbox(room, 'message_deleted');
    room.send('delete', { message_id: gone.id });
    await deleted.next();
    await leaveQuietly(room);
    const dm = async (name: string, from: Session, to: Session, text: string) => {
      const res = await server.http.post(`/chat/dms/${to.id}`, { text }, from.access_token);
      ids[name] = `dm:${res.body.id}`;
    };
    await dm('toBob', alice, bob, '게시판을 봐');
    await dm('toCarol', alice, carol, '게시판 carol only');
    await dm('fromBob', bob, alice, 'see the ROOMS');
  });
  after(() => server?.close());

  it('when searching 게시판, then my group messages and DMs with 게시판에 and 게시판을 are found, and nothing I may not read', async () => {
    expect(await search(bob, '게시판')).to.deep.equal(keysOf('notice', 'toBob'));
    expect(await search(carol, '게시판')).to.deep.equal(keysOf('notice', 'secret', 'toCarol'));
    expect(await search(alice, '게시판')).to.deep.equal(keysOf('notice', 'secret', 'toBob', 'toCarol'));
    expect(await search(dave, '게시판')).to.deep.equal([]);
  });

  it('when searching part of an English word, then it matches case-insensitively, with the search syntax of boards', async () => {
    expect(await search(bob, 'room')).to.deep.equal(keysOf('rooms', 'fromBob'));
    expect(await search(bob, 'room -colyseus')).to.deep.equal(keysOf('fromBob'));
    expect(await search(bob, '날씨 or "see the"')).to.deep.equal(keysOf('fromBob'));
  });

  it('when results span pages, then the one list shape pages through them newest first without repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: HttpResponse = await server.http.get(
        `/chat/search?limit=1&q=${encodeURIComponent('게시판')}${cursor ? `&cursor=${cursor}` : ''}`,
        alice.access_token,
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.items).to.have.length(1);
      seen.push(`${res.body.items[0].source}:${res.body.items[0].id}`);
      cursor = res.body.next_cursor;
    } while (cursor);
    expect([...seen].sort()).to.deep.equal(keysOf('notice', 'secret', 'toBob', 'toCarol'));
    expect(seen.at(-1)).to.equal(ids.notice);
    expect(seen[0]).to.equal(ids.toCarol);
  });

  it('when searching, then the trigram indexes serve it and no message table is scanned', async () => {
    const em = server.services.orm.em.fork();
    // Test tables are small enough that a scan is cheaper: forbid scans (in one transaction) to see what serves the search.
    const explain = (sql: string, params: unknown[]) =>
      em.transactional(async (tx) => {
        await tx.execute('set local enable_seqscan = off');
        const plan = await tx.execute<{ 'QUERY PLAN': string }[]>(`explain ${sql}`, params);
        return plan.map((r) => r['QUERY PLAN']).join('\n');
      });
    for (const q of ['게시판', 'colyseus -foo']) {
      const query = searchQuery(alice.id, q, null, 10);
      const plan = await explain(query.sql, query.params);
      expect(plan, plan).to.contain('Bitmap Index Scan on chat_messages_text_trgm_index');
      // My DMs are found through the index of my conversations or the trigram index, whichever the planner finds cheaper.
      expect(plan, plan).to.not.contain('Seq Scan');
      const onlyText = `select id from direct_messages d where ${substringCondition('d."text"', q).sql}`;
      const dmPlan = await explain(onlyText, substringCondition('d."text"', q).params);
      expect(dmPlan, dmPlan).to.contain('Bitmap Index Scan on direct_messages_text_trgm_index');
    }
  });
});

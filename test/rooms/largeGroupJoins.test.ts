import { expect } from 'chai';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { seedUsers } from '../../src/domain/users/seedUsers.ts';

/** Colyseus' default full-state buffer is 16 KB; this many members encode to well beyond it. */
const EXTRA_MEMBERS = 700;

describe('joins of a chat group larger than the state buffer', () => {
  let server: TestServer;
  let members: Session[];
  let groupId: number;
  const rooms: Room[] = [];

  before(async function () {
    this.timeout(120_000); // three sign-ups and one seeding hash argon2 on a shared machine
    // Members in state at any size: this test is about the state buffer (larger groups are paged by default).
    server = await startTestServer({ CHAT_STATE_MEMBERS_MAX: '100000' });
    members = [
      await server.http.signUp('owner'),
      await server.http.signUp('second'),
      await server.http.signUp('third'),
    ];
    const created = await server.http.post('/chat/groups', { name: 'crowd' }, members[0].access_token);
    groupId = created.body.id;
    for (const invited of members.slice(1))
      await server.http.post(`/chat/groups/${groupId}/invite`, { user_id: invited.id }, members[0].access_token);
    const em = server.services.orm.em.fork();
    await seedUsers(em, { count: EXTRA_MEMBERS, prefix: 'crowd', password: 'crowd-load-password' });
    await em
      .getConnection()
      .execute(
        `insert into chat_members (group_id, user_id, joined_at) select ?, id, now() from users where username like 'crowd%'`,
        [groupId],
      );
  });

  after(async () => {
    await Promise.all(rooms.map((r) => leaveQuietly(r)));
    await server.close();
  });

  it('when members join one after another, then each receives every member and the grown state buffer is kept (no overflow per join)', async () => {
    const warn = console.warn;
    const overflows: unknown[] = [];
    console.warn = (...args: unknown[]) => {
      if (String(args[0]).includes('buffer overflow')) overflows.push(args[0]);
      else warn(...args);
    };
    try {
      for (const member of members) {
        // Each join marks one more member online: the next joiner's full state is encoded anew.
        const room = await sdkClient(server, member).joinOrCreate('chat', { groupId });
        rooms.push(room);
        await eventually(
          () => (room.state as { members?: Map<string, unknown> }).members?.size === EXTRA_MEMBERS + members.length,
          'the joiner has the whole member list',
        );
      }
    } finally {
      console.warn = warn;
    }
    // Dropping the grown buffer overflowed on every join (one per joiner); kept, it grows at most as the state does.
    expect(overflows.length, 'buffer overflows').to.be.below(members.length);
  });
});

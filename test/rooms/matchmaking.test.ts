import { expect } from 'chai';
import { LocalDriver, initializeRoomCache, matchMaker, type IRoomCache, type SortOptions } from '@colyseus/core';
import type { Room } from '@colyseus/sdk';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import type { Session } from '../helpers/http.ts';
import { eventually, leaveQuietly, sdkClient } from '../helpers/realtime.ts';
import { IndexedLocalDriver } from '../../src/infra/realtime/IndexedLocalDriver.ts';

/**
 * Matchmaking in one process runs on IndexedLocalDriver (src/main.ts). Home and chat room tests already
 * show that a user's devices share one home and another user gets their own (home.test.ts), that a group's
 * members land in its `chat-<groupId>` room, that joinById reaches a room and `create` cannot fork a home
 * (joinChecks.test.ts). Here: many homes at once, a disposed room, and the driver's answers against the
 * stock LocalDriver's for locked, private, full and sorted rooms.
 */
describe('matchmaking (indexed room listings)', () => {
  let server: TestServer;
  const rooms: Room[] = [];

  before(async () => {
    server = await startTestServer({ PRESENCE_GRACE: '0.2' });
  });
  afterEach(async () => {
    await Promise.all(rooms.splice(0).map((r) => leaveQuietly(r)));
  });
  after(async () => {
    await server.close();
  });

  const joinHome = async (session: Session) => {
    const room = await sdkClient(server, session).joinOrCreate('home');
    rooms.push(room);
    return room;
  };

  it('when 12 users join home with two devices each, then each user’s devices share home-<own id> and nobody lands in another’s', async () => {
    const users: Session[] = [];
    for (let i = 0; i < 12; i++) users.push(await server.http.signUp(`many${i}`));
    const first = await Promise.all(users.map((u) => joinHome(u)));
    const second = await Promise.all(users.map((u) => joinHome(u)));
    users.forEach((user, i) => {
      expect(first[i].roomId).to.equal(`home-${user.id}`);
      expect(second[i].roomId).to.equal(first[i].roomId);
    });
    await eventually(() => second.every((room, i) => room.state.userId === users[i].id), 'each home shows its owner');
  });

  it('when a user’s last device leaves and the presence grace ends, then their home is no longer found by id and the next join opens a new one', async () => {
    const dora = await server.http.signUp('dora');
    const home = await sdkClient(server, dora).joinOrCreate('home');
    const roomId = home.roomId;
    await home.leave();
    // Asking by joining would keep the home alive: ask the matchmaker (the driver) until the listing goes.
    await eventually(async () => (await matchMaker.getRoomById(roomId)) === undefined, 'the home is disposed');
    const refusal = await sdkClient(server, dora)
      .joinById(roomId)
      .then(
        (room) => (rooms.push(room), null),
        (err: Error) => err,
      );
    expect(refusal?.message).to.match(/not found/);
    const again = await joinHome(dora);
    expect(again.roomId).to.equal(roomId);
    await eventually(() => again.state.userId === dora.id && again.state.status === 'online', 'the new home is live');
  });
});

describe('IndexedLocalDriver', () => {
  /** A small deterministic generator, so a failure repeats. */
  function random(seed: number) {
    let s = seed;
    return (n: number) => {
      s = (s * 1103515245 + 12345) % 2 ** 31;
      return s % n;
    };
  }

  it('when rooms are created, joined, locked, made private, given metadata and disposed, then every lookup answers what Colyseus’ LocalDriver answers', async () => {
    const stock = new LocalDriver();
    const indexed = new IndexedLocalDriver();
    const pick = random(7);
    const live: [IRoomCache, IRoomCache][] = [];
    const names = ['home', 'chat', 'ssh'];
    const sorts: (SortOptions | undefined)[] = [undefined, { clients: -1 }, { clients: 1, createdAt: -1 }, { rank: 1 }];
    let created = 0;
    let compared = 0;

    const both = (make: () => IRoomCache): [IRoomCache, IRoomCache] => [make(), make()];
    for (let step = 0; step < 3000; step++) {
      const op = pick(10);
      if (op < 3 || live.length === 0) {
        const id = created++;
        const name = names[pick(3)];
        const key = pick(40);
        const pair = both(() =>
          initializeRoomCache({
            roomId: `r${id}`,
            name,
            processId: 'p1',
            createdAt: new Date(1_000_000 + id),
            metadata: name === 'ssh' ? undefined : name === 'home' ? { userId: key } : { groupId: key, rank: pick(3) },
          }),
        );
        expect(await indexed.insert(pair[1])).to.equal(await stock.insert(pair[0]));
        live.push(pair);
      } else if (op < 6) {
        const [a, b] = live[pick(live.length)];
        const operations = { $inc: { clients: pick(2) ? 1 : -1 }, $set: { locked: pick(4) === 0 } };
        stock.update(a, structuredClone(operations));
        indexed.update(b, structuredClone(operations));
      } else if (op === 6) {
        // setPrivate / setMetadata change the listing, then persist it (Room.setPrivate, Room.setMetadata).
        const [a, b] = live[pick(live.length)];
        const change = pick(2)
          ? { private: pick(2) === 0 }
          : {
              metadata: a.metadata?.userId !== undefined ? { userId: pick(40) } : { groupId: pick(40), rank: pick(3) },
            };
        Object.assign(a, structuredClone(change));
        Object.assign(b, structuredClone(change));
        stock.persist(a);
        indexed.persist(b);
      } else if (op === 7) {
        const [a] = live.splice(pick(live.length), 1)[0];
        expect(indexed.remove(a.roomId)).to.equal(stock.remove(a.roomId));
      }
      // Lookups as the matchmaker makes them: joinOrCreate/join (filterBy fields), joinById and reconnect (roomId).
      const name = names[pick(3)];
      const conditions: Record<string, unknown> =
        pick(4) === 0
          ? { roomId: `r${pick(created + 1)}` }
          : { locked: false, name, private: false, ...(name === 'home' ? { userId: pick(40) } : {}) };
      if (name === 'chat' && !conditions.roomId) conditions.groupId = pick(40);
      const sort = sorts[pick(sorts.length)];
      const expected = await stock.findOne(conditions as Partial<IRoomCache>, sort);
      const actual = await indexed.findOne(conditions as Partial<IRoomCache>, sort);
      expect(actual?.roomId, `step ${step}: findOne(${JSON.stringify(conditions)}, ${JSON.stringify(sort)})`).to.equal(
        expected?.roomId,
      );
      if (expected) compared++;
    }
    expect(compared, 'lookups that found a room').to.be.greaterThan(300);
  });

  it('when a room is locked or full, then joinOrCreate’s lookup skips it and joinById’s still finds it', async () => {
    const driver = new IndexedLocalDriver();
    const home = initializeRoomCache({ roomId: 'home-1', name: 'home', processId: 'p', metadata: { userId: 1 } });
    await driver.insert(home);
    const available = { locked: false, name: 'home', private: false, userId: 1 } as Partial<IRoomCache>;
    expect((await driver.findOne(available))?.roomId).to.equal('home-1');
    driver.update(home, { $inc: { clients: 1 }, $set: { locked: true } });
    expect(await driver.findOne(available)).to.equal(undefined);
    expect((await driver.findOne({ roomId: 'home-1' }))?.roomId).to.equal('home-1');
    driver.remove('home-1');
    expect(await driver.findOne({ roomId: 'home-1' })).to.equal(undefined);
    expect(driver.rooms).to.have.length(0);
  });
});

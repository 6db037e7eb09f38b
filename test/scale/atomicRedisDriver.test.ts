import { expect } from 'chai';
import { initializeRoomCache, type IRoomCache } from '@colyseus/core';
import { RedisDriver } from '@colyseus/redis-driver';
import type { Redis } from 'ioredis';
import { testRedisUrl } from '../helpers/testRedis.ts';
import { claimRedisDatabase } from './cluster.ts';
import { AtomicRedisDriver } from '../../src/infra/realtime/AtomicRedisDriver.ts';
import { fixedRoomIds } from '../../rooms/index.ts';

/**
 * The shared room-listing driver finds a home or chat room by the id its filter value names (one HGET)
 * instead of reading every listing; it must answer what the stock RedisDriver answers. The multi-process
 * joins themselves are in scaleOut.test.ts.
 */
describe('AtomicRedisDriver lookups of rooms with fixed ids', () => {
  if (!testRedisUrl) {
    it('is skipped: REDIS_URL is not set (a real Redis is needed)', function () {
      this.skip();
    });
    return;
  }
  let claimed: { redis: Redis; url: string };
  let driver: AtomicRedisDriver;
  let stock: RedisDriver;

  before(async () => {
    claimed = await claimRedisDatabase(testRedisUrl!);
    driver = new AtomicRedisDriver(claimed.redis.duplicate(), fixedRoomIds);
    stock = new RedisDriver(claimed.redis.duplicate());
  });
  after(async () => {
    await claimed.redis.flushdb();
    await Promise.all([driver.shutdown(), stock.shutdown(), claimed.redis.quit()]);
  });

  const listing = (roomId: string, name: string, metadata?: Record<string, unknown>) =>
    initializeRoomCache({ roomId, name, processId: 'p1', metadata });
  const available = (name: string, filter: Record<string, unknown>) =>
    ({ locked: false, name, private: false, ...filter }) as Partial<IRoomCache>;

  it('when homes and chat rooms are listed, locked, made private and removed, then each lookup answers what the stock driver answers', async () => {
    const home7 = listing('home-7', 'home', { userId: 7 });
    const home8 = listing('home-8', 'home', { userId: 8 });
    const chat3 = listing('chat-3', 'chat', { groupId: 3 });
    const ssh = listing('ssh-a', 'ssh');
    for (const l of [home7, home8, chat3, ssh]) expect(await driver.insert(l)).to.equal(true);
    expect(await driver.insert(listing('home-7', 'home', { userId: 7 })), 'a second home-7').to.equal(false);

    const lookups: Partial<IRoomCache>[] = [
      available('home', { userId: 7 }),
      available('home', { userId: 8 }),
      available('home', { userId: 9 }),
      available('home', { userId: '7' }),
      available('chat', { groupId: 3 }),
      available('chat', { groupId: 4 }),
      available('ssh', {}),
      { roomId: 'home-8' },
    ];
    const compare = async (when: string) => {
      for (const conditions of lookups) {
        const [ours, theirs] = [await driver.findOne(conditions), await stock.findOne(conditions)];
        expect(ours?.roomId, `${when}: ${JSON.stringify(conditions)}`).to.equal(theirs?.roomId);
      }
    };
    await compare('listed');
    expect((await driver.findOne(available('home', { userId: 7 })))?.roomId).to.equal('home-7');

    await driver.update(home7, { $inc: { clients: 1 }, $set: { locked: true } });
    home8.private = true;
    await driver.persist(home8);
    await compare('home-7 locked, home-8 private');
    expect(await driver.findOne(available('home', { userId: 7 }))).to.equal(undefined);

    await driver.remove('chat-3');
    await compare('chat-3 removed');
    expect(await driver.findOne(available('chat', { groupId: 3 }))).to.equal(undefined);
  });
});

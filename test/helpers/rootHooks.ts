import { dropTestTemplate, prepareTestTemplate } from './testDatabase.ts';
// First: no test inherits REDIS_URL but the multi-process suite, which asks testRedis.ts for it.
import './testRedis.ts';

/** Mocha root hooks (loaded through .mocharc.json `require`): once before and once after the whole run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000);
    await prepareTestTemplate();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await dropTestTemplate();
  },
};

import { dropTestTemplate, prepareTestTemplate } from './testDatabase.ts';
import { ensureWebConsole } from '../../web/build.ts';
// First: no test inherits REDIS_URL but the multi-process suite, which asks testRedis.ts for it.
import './testRedis.ts';

/** Mocha root hooks (loaded through .mocharc.json `require`): once before and once after the whole run. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(180_000);
    // The browser suites load the console Plaza serves: build it when missing or older than its sources.
    await ensureWebConsole();
    await prepareTestTemplate();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await dropTestTemplate();
  },
};

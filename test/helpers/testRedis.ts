/**
 * The Redis the multi-process suite (test/scale) may use, taken out of the environment before any test
 * runs: every other test that spawns a server or the CLI passes on `process.env`, and those must stay
 * the one process they test, not join a Redis deployment they never asked for. Kept on `globalThis`
 * because mocha's root hooks and the spec files may load this module through different loaders.
 */
const slot = Symbol.for('plaza.testRedisUrl');
const store = globalThis as unknown as Record<symbol, string | undefined>;
if (!(slot in store)) {
  store[slot] = process.env.REDIS_URL || undefined;
  delete process.env.REDIS_URL;
}
export const testRedisUrl: string | undefined = store[slot];

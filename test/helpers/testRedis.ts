/**
 * The Redis the multi-process suite (test/scale) may use, taken out of the environment before any test
 * runs: every other test that spawns a server or the CLI passes on `process.env`, and those must stay
 * the one process they test, not join a Redis deployment they never asked for.
 */
export const testRedisUrl: string | undefined = process.env.REDIS_URL || undefined;
delete process.env.REDIS_URL;

import { z } from 'zod';
import { task, type AiModel } from './types.ts';

/**
 * TEST-ONLY models. Registered only when AI_TEST_MODELS=true (the worker checks `workerData` too),
 * so production configuration can never reach them. They exist to prove cancel, timeout and the
 * per-worker memory limit with real worker threads.
 */
export const testSpin: AiModel = {
  id: 'test-spin',
  version: '0.0.0',
  description: 'TEST ONLY: burns CPU for `ms` milliseconds, reporting progress.',
  defaultTimeoutMs: 600_000,
  testOnly: true,
  tasks: {
    score: task({
      description: 'Spin for input.ms milliseconds.',
      schema: z.object({ input: z.object({ ms: z.number().int().min(0).max(600_000) }) }),
      run({ input }, ctx) {
        const start = Date.now();
        let lastReport = start;
        let counter = 0;
        while (Date.now() - start < input.ms) {
          counter += Math.sqrt(counter + 1);
          if (Date.now() - lastReport >= 100) {
            lastReport = Date.now();
            ctx.progress(Math.max(1, Math.floor(((lastReport - start) / input.ms) * 100)));
          }
        }
        return { result: { spun_ms: Date.now() - start, counter } };
      },
    }),
  },
};

export const testMemoryHog: AiModel = {
  id: 'test-memory-hog',
  version: '0.0.0',
  description: 'TEST ONLY: allocates memory until the worker hits its resource limit.',
  defaultTimeoutMs: 60_000,
  testOnly: true,
  tasks: {
    score: task({
      description: 'Allocate without end.',
      schema: z.object({ input: z.object({}).optional() }),
      run() {
        const hoard: number[][] = [];
        for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => i * Math.random()));
      },
    }),
  },
};

import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { JobRunner, RunnerOutcome, RunnerTask } from '../../domain/ai/ports.ts';

export interface PoolOptions {
  threads: number;
  /** Tasks the pool may hold beyond its threads (slack while a terminated worker is replaced). */
  queue: number;
  memoryMb: number;
  testModels: boolean;
}

const WORKER = new URL('../../../workers/aiWorker.ts', import.meta.url).href;

/**
 * Runs AI jobs on a Piscina pool of worker threads. Each worker has a heap limit (resourceLimits), so
 * a job that hoards memory kills only its own thread; aborting a job's signal terminates its worker.
 */
export class PiscinaJobRunner implements JobRunner {
  readonly capacity: number;
  private readonly pool: Piscina;

  constructor(options: PoolOptions) {
    this.capacity = options.threads;
    this.pool = new Piscina({
      filename: WORKER,
      minThreads: 0,
      maxThreads: options.threads,
      // The dispatcher never hands over more than `threads` jobs; the slack covers a terminated worker's replacement.
      maxQueue: Math.max(options.queue, options.threads),
      idleTimeout: 30_000,
      resourceLimits: {
        maxOldGenerationSizeMb: options.memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(32, Math.floor(options.memoryMb / 8))),
      },
      workerData: { testModels: options.testModels },
    });
  }

  async run(
    task: RunnerTask,
    options: { signal: AbortSignal; onProgress(percent: number): void },
  ): Promise<RunnerOutcome> {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (message: { progress?: unknown }) => {
      if (typeof message?.progress === 'number') options.onProgress(message.progress);
    });
    try {
      return (await this.pool.run(
        { ...task, port: port2 },
        { signal: options.signal, transferList: [port2] },
      )) as RunnerOutcome;
    } finally {
      port1.close();
    }
  }

  /** Terminates every worker; pending tasks reject. */
  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

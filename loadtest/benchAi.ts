/**
 * `npm run bench:ai`: throughput of a CPU-bound AI task (random-forest training) run three ways in
 * the same process and the same run, interleaved round by round:
 *   - main:  the worker function called on the main thread (what a naive server would do),
 *   - pool1: a Piscina pool of 1 worker thread (the default on a 2-core machine),
 *   - pool2: a Piscina pool of 2 worker threads.
 * For each it reports tasks/s, CPU ms per task (process-wide, all threads) and the main event loop's
 * p99 delay while the batch ran — the delay every chat message would see.
 * Short by design: ROUNDS × TASKS tasks per mode. Override with BENCH_AI_ROUNDS / BENCH_AI_TASKS /
 * BENCH_AI_ROWS / BENCH_AI_TREES.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import runAiTask from '../workers/aiWorker.ts';
import type { AiWorkerTask } from '../workers/protocol.ts';

const ROUNDS = Number(process.env.BENCH_AI_ROUNDS ?? 3);
const TASKS = Number(process.env.BENCH_AI_TASKS ?? 6);
const ROWS = Number(process.env.BENCH_AI_ROWS ?? 500);
const TREES = Number(process.env.BENCH_AI_TREES ?? 5);
const WORKER = new URL('../workers/aiWorker.ts', import.meta.url).href;

function dataset(rows: number): string {
  const lines = ['a,b,c,d,e,f,y'];
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: 6 }, () => random() * 10);
    lines.push([...x.map((v) => v.toFixed(3)), (3 * x[0] + x[1] * x[2] - 2 * x[3] + random()).toFixed(3)].join(','));
  }
  return lines.join('\n');
}

const task: AiWorkerTask = {
  model: 'random-forest',
  task: 'train',
  input: null,
  dataset: dataset(ROWS),
  params: { target: 'y', n_estimators: TREES, max_depth: 8 },
};

type Mode = 'main' | 'pool1' | 'pool2';
const pools = {
  pool1: new Piscina({ filename: WORKER, minThreads: 1, maxThreads: 1 }),
  pool2: new Piscina({ filename: WORKER, minThreads: 2, maxThreads: 2 }),
};

async function runBatch(mode: Mode): Promise<void> {
  if (mode === 'main') {
    for (let i = 0; i < TASKS; i++) {
      const out = await runAiTask(task);
      if (!out.ok) throw new Error(out.error.message);
    }
    return;
  }
  await Promise.all(Array.from({ length: TASKS }, () => pools[mode].run(task)));
}

const totals: Record<Mode, { ms: number; cpuMs: number; tasks: number; p99: number[] }> = {
  main: { ms: 0, cpuMs: 0, tasks: 0, p99: [] },
  pool1: { ms: 0, cpuMs: 0, tasks: 0, p99: [] },
  pool2: { ms: 0, cpuMs: 0, tasks: 0, p99: [] },
};

async function measure(mode: Mode): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  // The main-thread mode blocks the loop, so the histogram only sees it between tasks; a timer that
  // expects to fire every 10 ms records how late it actually was, which captures the blocking.
  let lateMax: number[] = [];
  let expected = performance.now() + 10;
  const probe = setInterval(() => {
    const now = performance.now();
    lateMax.push(Math.max(0, now - expected));
    expected = now + 10;
  }, 10);
  loop.enable();
  const cpu = process.cpuUsage();
  const start = performance.now();
  await runBatch(mode);
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  loop.disable();
  clearInterval(probe);
  lateMax = lateMax.sort((a, b) => a - b);
  const p99 = lateMax.length ? lateMax[Math.min(lateMax.length - 1, Math.floor(lateMax.length * 0.99))] : ms;
  const t = totals[mode];
  t.ms += ms;
  t.cpuMs += (used.user + used.system) / 1000;
  t.tasks += TASKS;
  t.p99.push(Math.max(p99, loop.percentile(99) / 1e6));
}

console.log(`bench:ai — random-forest train (${ROWS} rows × 6 features, ${TREES} trees, depth 8); ${ROUNDS} rounds × ${TASKS} tasks per mode; ${os.availableParallelism()} cores`);
// Warm up: JIT on the main thread, worker start-up (tsx) and model load in each pool.
await runAiTask(task);
await Promise.all([pools.pool1.run(task), pools.pool2.run(task), pools.pool2.run(task)]);

for (let round = 0; round < ROUNDS; round++) {
  const order: Mode[] = round % 2 === 0 ? ['main', 'pool1', 'pool2'] : ['pool2', 'pool1', 'main'];
  for (const mode of order) await measure(mode);
}

const base = totals.main.tasks / (totals.main.ms / 1000);
console.log('\n| mode | tasks/s | vs main thread | CPU ms/task | event-loop p99 delay (median of rounds) |');
console.log('|---|---|---|---|---|');
for (const mode of ['main', 'pool1', 'pool2'] as Mode[]) {
  const t = totals[mode];
  const rate = t.tasks / (t.ms / 1000);
  const p99 = [...t.p99].sort((a, b) => a - b)[Math.floor(t.p99.length / 2)];
  console.log(`| ${mode} | ${rate.toFixed(2)} | ${(rate / base).toFixed(2)}× | ${(t.cpuMs / t.tasks).toFixed(0)} | ${p99.toFixed(1)} ms |`);
}
await Promise.all([pools.pool1.destroy(), pools.pool2.destroy()]);

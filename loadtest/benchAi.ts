/**
 * `npm run bench:ai`, two parts in one run.
 *
 * 1. Throughput of a CPU-bound AI task (random-forest training) run three ways in the same process,
 * interleaved round by round:
 *   - main:  the worker function called on the main thread (what a naive server would do),
 *   - pool1: a Piscina pool of 1 worker thread (the default on a 2-core machine),
 *   - pool2: a Piscina pool of 2 worker threads.
 * For each it reports tasks/s, CPU ms per task (process-wide, all threads) and the main event loop's
 * p99 delay while the batch ran — the delay every chat message would see.
 *
 * 2. What users of the same server feel: a real Plaza server (PGlite in memory, default pool size)
 * is probed by a separate process (loadtest/probeHttp.ts, GET /health at 50/s) while it is idle, while
 * AI jobs keep its pool busy, and while the same task runs on its main thread instead. Interleaved.
 *
 * Short by design: ROUNDS × TASKS tasks per mode. Override with BENCH_AI_ROUNDS / BENCH_AI_TASKS /
 * BENCH_AI_ROWS / BENCH_AI_TREES.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Piscina } from 'piscina';
import runAiTask from '../workers/aiWorker.ts';
import type { AiWorkerTask } from '../workers/protocol.ts';
import { configWith } from '../src/config.ts';
import { start } from '../src/main.ts';
import { forestJob } from './aiWorkload.ts';

const ROUNDS = Number(process.env.BENCH_AI_ROUNDS ?? 3);
const TASKS = Number(process.env.BENCH_AI_TASKS ?? 6);
const ROWS = Number(process.env.BENCH_AI_ROWS ?? 500);
const TREES = Number(process.env.BENCH_AI_TREES ?? 5);
const WORKER = new URL('../workers/aiWorker.ts', import.meta.url).href;

const task: AiWorkerTask = forestJob(ROWS, TREES);

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

console.log(
  `bench:ai — random-forest train (${ROWS} rows × 6 features, ${TREES} trees, depth 8); ${ROUNDS} rounds × ${TASKS} tasks per mode; ${os.availableParallelism()} cores`,
);
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
  console.log(
    `| ${mode} | ${rate.toFixed(2)} | ${(rate / base).toFixed(2)}× | ${(t.cpuMs / t.tasks).toFixed(0)} | ${p99.toFixed(1)} ms |`,
  );
}
await Promise.all([pools.pool1.destroy(), pools.pool2.destroy()]);

// ---- Part 2: request latency of a real server while jobs run -------------------------------------
const PROBE_MS = Number(process.env.BENCH_AI_PROBE_MS ?? 3000);
const server = await start(
  configWith({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    PGLITE_DIR: 'memory://',
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-bench-ai-')),
    AUTH_RATE_PER_IP: '1000',
    AI_MAX_ACTIVE_JOBS_PER_USER: '1000',
    AI_MAX_INPUT_BYTES: '10000000',
  }),
);
const api = async (method: string, route: string, body?: unknown, token?: string) => {
  const res = await fetch(server.url + route, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json() as Promise<any>;
};
await api('POST', '/auth/register', { username: 'bench', email: 'bench@example.test', password: 'bench-password-1' });
const { access_token: token } = await api('POST', '/auth/login', { login: 'bench', password: 'bench-password-1' });
const jobBody = { model: task.model, task: task.task, dataset: task.dataset, params: task.params };

const execFileP = promisify(execFile);
async function probe(): Promise<{ count: number; errors: number; p50: number; p99: number; max: number }> {
  const script = new URL('./probeHttp.ts', import.meta.url).pathname;
  const { stdout } = await execFileP(process.execPath, [
    '--import',
    'tsx',
    script,
    `${server.url}/health`,
    String(PROBE_MS),
    '50',
  ]);
  return JSON.parse(stdout);
}

type LatencyMode = 'idle' | 'jobs on pool' | 'same work on main thread';
const latency: Record<LatencyMode, { p50: number[]; p99: number[]; max: number[]; count: number; jobs: number }> = {
  idle: { p50: [], p99: [], max: [], count: 0, jobs: 0 },
  'jobs on pool': { p50: [], p99: [], max: [], count: 0, jobs: 0 },
  'same work on main thread': { p50: [], p99: [], max: [], count: 0, jobs: 0 },
};

async function latencyRound(mode: LatencyMode): Promise<void> {
  let jobs = 0;
  let result;
  if (mode === 'idle') {
    result = await probe();
  } else if (mode === 'jobs on pool') {
    // Far more jobs than the probe lasts: the pool stays busy, the rest waits in the database.
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push((await api('POST', '/ai/jobs', jobBody, token)).id);
    result = await probe();
    for (const id of ids) {
      const job = await api('DELETE', `/ai/jobs/${id}`, undefined, token);
      if (job.error?.code === 60007) jobs++;
    }
  } else {
    let busy = true;
    const work = (async () => {
      while (busy) {
        await runAiTask(task);
        jobs++;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    result = await probe();
    busy = false;
    await work;
  }
  const l = latency[mode];
  l.p50.push(result.p50);
  l.p99.push(result.p99);
  l.max.push(result.max);
  l.count += result.count;
  l.jobs += jobs;
}

const latencyModes: LatencyMode[] = ['idle', 'jobs on pool', 'same work on main thread'];
await probe(); // warm-up: connections, JIT, the worker's first start
for (let round = 0; round < 2; round++) {
  for (const mode of round % 2 === 0 ? latencyModes : [...latencyModes].reverse()) await latencyRound(mode);
}
await server.stop();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(
  `\nGET /health at 50/s from a separate process, ${PROBE_MS} ms per round, 2 rounds; server AI_POOL_SIZE=${server.config.AI_POOL_SIZE}`,
);
console.log('| server doing | requests | p50 | p99 | max | AI tasks finished meanwhile |');
console.log('|---|---|---|---|---|---|');
for (const mode of latencyModes) {
  const l = latency[mode];
  console.log(
    `| ${mode} | ${l.count} | ${median(l.p50).toFixed(1)} ms | ${median(l.p99).toFixed(1)} ms | ${Math.max(...l.max).toFixed(0)} ms | ${l.jobs} |`,
  );
}

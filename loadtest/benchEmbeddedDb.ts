/**
 * bench:embedded-db — what one long query on the embedded PGlite costs everyone else: event-loop delay
 * (p99, max) and main-thread utilisation while `count(*)` runs over N generated rows, with PGlite in
 * the server's own thread (as before) and in its own worker thread (as now), interleaved, same run.
 *
 *   npm run bench:embedded-db -- [--rows 3000000] [--rounds 2]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { openDatabase, type Database } from '../src/db/openDatabase.ts';
import { PGLITE_EXTENSIONS } from '../src/db/pgliteExtensions.ts';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '3000000' }, rounds: { type: 'string', default: '2' } },
});
const ROWS = Number(values.rows);
const ROUNDS = Number(values.rounds);

/** Gaps between 10 ms ticks beyond their period, the last one closed when the query answers. */
async function measure(orm: Database): Promise<{ ms: number; p99: number; max: number; elu: number }> {
  const delays: number[] = [];
  let last = performance.now();
  const tick = setInterval(() => {
    const now = performance.now();
    delays.push(Math.max(0, now - last - 10));
    last = now;
  }, 10);
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await orm.em.fork().getConnection().execute(`select count(*) from generate_series(1, ${ROWS})`);
  const end = performance.now();
  clearInterval(tick);
  delays.push(Math.max(0, end - last - 10));
  const elu = performance.eventLoopUtilization(elu0).utilization;
  delays.sort((a, b) => a - b);
  const p99 = delays[Math.min(delays.length - 1, Math.floor(delays.length * 0.99))];
  return { ms: end - t0, p99, max: delays[delays.length - 1], elu };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-bench-db-'));
const instance = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
const inProcess = await openDatabase({ kind: 'pglite', dataDir: 'memory://', instance });
const threaded = await openDatabase({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
console.log(
  `bench:embedded-db — count(*) over ${ROWS} rows, ${ROUNDS} rounds, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const fmt = (r: Awaited<ReturnType<typeof measure>>) =>
  `query ${r.ms.toFixed(0)} ms, event-loop delay p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, main-thread utilisation ${(r.elu * 100).toFixed(0)}%`;
try {
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`round ${round} in the server's thread: ${fmt(await measure(inProcess.orm))}`);
    console.log(`round ${round} in its own thread:    ${fmt(await measure(threaded.orm))}`);
  }
} finally {
  await inProcess.close();
  await instance.close();
  await threaded.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(
  `load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);

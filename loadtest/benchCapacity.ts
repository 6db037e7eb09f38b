/**
 * `npm run bench:capacity -- [--counts 500,1000,2000] [--targets home,chat,raw,colyseus,colyseus-home] [--processes 4] [--concurrency 8] [--rounds 1] [--profile <dir>] [--heap-snapshots <dir>]`
 *
 * How many connections a server takes and what each costs: for every N in `--counts`, N clients join
 * Plaza's `home` (each user their own), N join one group's `chat` room, N open a bare `ws` connection to
 * `loadtest/rawWsServer.ts` (the baseline), and N join bare Colyseus (`loadtest/bareColyseusServer.ts`:
 * `colyseus`, one shared room, Plaza chat's floor; `colyseus-home`, a room per user, Plaza home's floor),
 * in rotating order. Every phase gets a fresh server process, so memory is measured from the same idle
 * start. Clients live in `--processes` driver processes (`loadtest/capacityDriver.ts`), each joining
 * `--concurrency` at a time.
 *
 * Before each phase 16 clients join and leave (warm-up), then the server idles 3 s. Reported per phase: joins/s (N ÷ wall time until the last join), p50/p99 join time (SDK: matchmaking
 * request + WebSocket + the room's onAuth/onJoin, to the first state; raw: the WebSocket handshake),
 * failed joins, server CPU per join (/proc, the whole process), idle RSS and RSS per connection
 * ((RSS with N − RSS with N/4) ÷ the 3N/4 joined between, each measured after 3 s of quiet). Then the ratios to raw ws at
 * the same N, and of Plaza's `home` and `chat` to their bare Colyseus counterparts.
 *
 * Plaza runs on a fresh PGlite directory on disk (own thread), or on a fresh database of DATABASE_URL's
 * server. Users are seeded like the `seed-users` CLI does it and all put in one group; their access
 * tokens are signed with Plaza's TokenService and the JWT_SECRET the bench gives the server (a sign-in
 * per client would cost argon2, ~0.5 s each here).
 */
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { createBenchDatabase, mintAccessTokens, seedBenchGroup, seedBenchUsers } from './benchDatabase.ts';
import {
  cpuMs,
  forkBaseline,
  freePort,
  loadAverage,
  percentile,
  request,
  rssBytes,
  spawnPlaza,
  tsxArgs,
  waitReady,
} from './benchProcess.ts';

const { values } = parseArgs({
  options: {
    counts: { type: 'string', default: '500,1000,2000' },
    targets: { type: 'string', default: 'home,chat,raw,colyseus,colyseus-home' },
    processes: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '1' },
    /** A directory: each Plaza server process writes a V8 CPU profile there (node --cpu-prof). */
    profile: { type: 'string' },
    /** A directory: Plaza writes a heap snapshot there with N/4 and with N connections (for a diff). */
    'heap-snapshots': { type: 'string' },
  },
});
type Target = 'home' | 'chat' | 'raw' | 'colyseus' | 'colyseus-home';
const plazaTargets = new Set<Target>(['home', 'chat']);
/** Each Plaza target's floor: the same kind of room on bare Colyseus. */
const bareCounterpart: Partial<Record<Target, Target>> = { home: 'colyseus-home', chat: 'colyseus' };
const COUNTS = values.counts.split(',').map(Number);
const TARGETS = values.targets.split(',') as Target[];
const P = Number(values.processes);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const MAX = Math.max(...COUNTS);
const SETTLE_MS = 3000;
const WARM_UP = 16;
const secret = crypto.randomBytes(32).toString('hex');
const TOKEN_TTL = 7200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- database: users and one group with all of them -------------------------------------------------
const t0 = Date.now();
const database = await createBenchDatabase('capacity');
const opened = await database.open();
const { orm } = opened;
const { users } = await seedBenchUsers(orm, MAX);
const groupId = await seedBenchGroup(orm, users[0].id, users.length);
await opened.close();
const tokens = mintAccessTokens(secret, TOKEN_TTL, users);
const clients = users.map((u, i) => ({ token: tokens[i], userId: u.id }));
console.log(
  `setup: ${database.label}, ${MAX} users (seed-users) in group ${groupId}, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

/** A fresh server for one phase: Plaza on the prepared database, or a baseline (raw ws, bare Colyseus). */
async function startServer(target: Target): Promise<{ child: ChildProcess; url: string }> {
  if (target === 'raw') return forkBaseline('raw');
  if (target === 'colyseus' || target === 'colyseus-home') return forkBaseline('colyseus');
  const port = await freePort();
  // One directory per phase: every thread (main, PGlite's, tsx's loader) writes its own profile there.
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}/${target}-${Date.now()}`] : [];
  const heap = values['heap-snapshots']
    ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${values['heap-snapshots']}`]
    : [];
  const child = spawnPlaza({
    port,
    nodeArgs: [...profile, ...heap],
    env: {
      ...database.env,
      DATA_DIR: fs.mkdtempSync(`${os.tmpdir()}/plaza-bench-capacity-data-`),
      LOG_LEVEL: 'warn',
      JWT_SECRET: secret,
      ACCESS_TOKEN_TTL: String(TOKEN_TTL),
    },
  });
  await waitReady(`http://127.0.0.1:${port}`);
  return { child, url: `ws://127.0.0.1:${port}` };
}

/** Asks Plaza for a heap snapshot (SIGUSR2) and waits until its file stops growing. */
async function heapSnapshot(child: ChildProcess): Promise<void> {
  const dir = values['heap-snapshots']!;
  const before = new Set(fs.readdirSync(dir));
  child.kill('SIGUSR2');
  for (let last = -1; ;) {
    await sleep(1000);
    const file = fs.readdirSync(dir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    const size = file ? fs.statSync(`${dir}/${file}`).size : -1;
    if (size > 0 && size === last) return;
    last = size;
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  });
}

const drivers: ChildProcess[] = Array.from({ length: P }, () =>
  fork('loadtest/capacityDriver.ts', [], { execArgv: tsxArgs, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
);
let current: ChildProcess | undefined;
process.on('exit', () => {
  for (const d of drivers) d.kill();
  current?.kill('SIGKILL');
});

type Phase = {
  round: number;
  target: Target;
  n: number;
  joinsPerSecond: number;
  p50: number;
  p99: number;
  failed: number;
  cpuPerJoin: number;
  idleRss: number;
  rssPerConnection: number;
};
const phases: Phase[] = [];

try {
  console.log(
    `bench:capacity — ${database.label}, N = ${COUNTS.join('/')}, targets ${TARGETS.join(', ')}, ${P} driver processes × ${CONCURRENCY} joins in flight, ${os.cpus().length} cores, load average ${loadAverage()}`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, n] of COUNTS.entries()) {
      const order = TARGETS.map((_, k) => TARGETS[(k + i + round) % TARGETS.length]);
      for (const target of order) {
        const server = await startServer(target);
        current = server.child;
        const pid = server.child.pid!;
        // Warm-up: code paths compiled and lazily loaded modules in before "idle" is measured.
        const warm = clients.slice(MAX - WARM_UP);
        await request(
          drivers[0],
          { cmd: 'open', target, url: server.url, clients: warm, groupId, concurrency: CONCURRENCY },
          'opened',
        );
        await request(drivers[0], { cmd: 'close' }, 'closed');
        await sleep(SETTLE_MS);
        const idleRss = rssBytes(pid);
        /** Opens users [from, to) spread over the drivers; resolves with each driver's answer. */
        const openRange = (from: number, to: number) => {
          const per = Math.ceil((to - from) / P);
          return Promise.all(
            drivers.map((d, p) =>
              request(
                d,
                {
                  cmd: 'open',
                  target,
                  url: server.url,
                  clients: clients.slice(from + p * per, Math.min(to, from + (p + 1) * per)),
                  groupId,
                  concurrency: CONCURRENCY,
                },
                'opened',
              ),
            ),
          );
        };
        // Memory per connection is the slope between a quarter and all N connections: a process just
        // started keeps returning memory for a while, so "RSS with N − RSS at start" can even be negative.
        const quarter = Math.floor(n / 4);
        const cpuBefore = cpuMs(pid);
        const started = performance.now();
        const first = await openRange(0, quarter);
        let wall = (performance.now() - started) / 1000;
        let cpu = cpuMs(pid) - cpuBefore;
        await sleep(SETTLE_MS);
        const quarterRss = rssBytes(pid);
        if (values['heap-snapshots'] && plazaTargets.has(target)) await heapSnapshot(server.child);
        const cpuRest = cpuMs(pid);
        const restStarted = performance.now();
        const rest = await openRange(quarter, n);
        wall += (performance.now() - restStarted) / 1000;
        cpu += cpuMs(pid) - cpuRest;
        const results = [...first, ...rest];
        await sleep(SETTLE_MS);
        const rss = rssBytes(pid);
        if (values['heap-snapshots'] && plazaTargets.has(target)) await heapSnapshot(server.child);
        const restJoined = rest.reduce((a, r) => a + (r.times as number[]).length, 0);
        const times = results.flatMap((r) => r.times as number[]).sort((a, b) => a - b);
        const failed = results.reduce((a, r) => a + r.failed, 0);
        const firstError = results.find((r) => r.firstError)?.firstError;
        const phase: Phase = {
          round,
          target,
          n,
          joinsPerSecond: times.length / wall,
          p50: percentile(times, 50),
          p99: percentile(times, 99),
          failed,
          cpuPerJoin: cpu / Math.max(times.length, 1),
          idleRss,
          rssPerConnection: (rss - quarterRss) / Math.max(restJoined, 1),
        };
        phases.push(phase);
        console.log(
          `  N=${n} ${target.padEnd(13)}: ${phase.joinsPerSecond.toFixed(0)} joins/s, p50 ${phase.p50.toFixed(1)} ms, p99 ${phase.p99.toFixed(1)} ms, CPU ${phase.cpuPerJoin.toFixed(2)} ms/join, idle RSS ${(idleRss / 2 ** 20).toFixed(0)} MB, ${(phase.rssPerConnection / 1024).toFixed(1)} KB/connection${failed ? `, ${failed} failed (${firstError})` : ''}`,
        );
        await Promise.all(drivers.map((d) => request(d, { cmd: 'close' }, 'closed')));
        await stopServer(server.child);
        current = undefined;
      }
    }
  }

  console.log(
    '\n| round | N | target | joins/s | p50 ms | p99 ms | failed | CPU ms/join | idle RSS MB | KB/connection | joins/s vs raw | KB/conn vs raw | vs bare Colyseus: joins/s | CPU/join | p99 | KB/conn |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(3)}×` : '—');
  for (const ph of phases) {
    // Against the other target's phase of the same round and N: its neighbour in time on this machine.
    const vs = (target: Target | undefined, metric: (p: Phase) => number) => {
      const other = phases.find((r) => r.target === target && r.n === ph.n && r.round === ph.round);
      return ratio(metric(ph), other && metric(other));
    };
    const bare = bareCounterpart[ph.target];
    console.log(
      `| ${ph.round + 1} | ${ph.n} | ${ph.target} | ${ph.joinsPerSecond.toFixed(0)} | ${ph.p50.toFixed(1)} | ${ph.p99.toFixed(1)} | ${ph.failed} | ${ph.cpuPerJoin.toFixed(2)} | ${(ph.idleRss / 2 ** 20).toFixed(0)} | ${(ph.rssPerConnection / 1024).toFixed(1)} | ${vs('raw', (p) => p.joinsPerSecond)} | ${vs('raw', (p) => p.rssPerConnection)} | ${vs(bare, (p) => p.joinsPerSecond)} | ${vs(bare, (p) => p.cpuPerJoin)} | ${vs(bare, (p) => p.p99)} | ${vs(bare, (p) => p.rssPerConnection)} |`,
    );
  }
  console.log(`load average at the end: ${loadAverage()}`);
} finally {
  for (const d of drivers) d.kill();
  if (current) await stopServer(current);
  await database.dispose();
}
process.exit(0);

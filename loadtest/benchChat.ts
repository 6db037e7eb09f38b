/**
 * `npm run bench:chat -- [--clients 500] [--rate 20] [--seconds 10] [--rounds 2] [--processes 4] [--senders 10] [--window 50] [--servers 3] [--profile <dir>]`
 *
 * N clients in one chat group, M messages/s in total from `senders` of them, 100-byte texts. Measures
 * delivery latency (send → every receiver, sender included) p50/p99, lost and out-of-order deliveries and
 * server CPU per message, for Plaza (its real server process, SDK clients, chat room, messages persisted),
 * for bare Colyseus (loadtest/bareColyseusServer.ts: SDK clients in one shared room that broadcasts each
 * `msg`, no auth, storage or validation) and for a bare `ws` broadcast server, with the same clients, rate
 * and payload. Phases are interleaved (Plaza, raw, Colyseus; raw, Colyseus, Plaza; ...) in one run, and
 * clients live in separate driver processes. Loopback only.
 *
 * `--servers 3` (needs DATABASE_URL and REDIS_URL, an empty Redis database number) adds a third target:
 * the same users and group on 3 Plaza processes sharing Redis and a database of their own, each client's
 * matchmaking through process i % 3, compared with the one process and raw ws in the same run.
 */
import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { forestJob } from './aiWorkload.ts';
import { cpuMs, forkBaseline, freePort, percentile, request, spawnPlaza, tsxArgs, waitReady } from './benchProcess.ts';
import { createBenchDatabase, mintAccessTokens, seedBenchGroup, seedBenchUsers } from './benchDatabase.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '500' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    processes: { type: 'string', default: '4' },
    senders: { type: 'string', default: '10' },
    window: { type: 'string', default: '50' },
    servers: { type: 'string', default: '1' },
    // Keep this many AI jobs (random-forest training) queued on Plaza during its phases: chat under CPU-heavy jobs.
    'ai-jobs': { type: 'string', default: '0' },
    /** A directory: Plaza runs with `node --cpu-prof` and writes one profile per thread there when stopped. */
    profile: { type: 'string' },
  },
});
const AI_JOBS = Number(values['ai-jobs']);
const N = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const P = Math.min(Number(values.processes), N);
const SENDERS = Math.min(Number(values.senders), Math.ceil(N / P));
const SERVERS = Number(values.servers);
const DRAIN_MS = 3000;
const aiJob = forestJob(500, 5);

async function api(base: string, method: string, route: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(base + route, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} → ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

// --- start the servers ---------------------------------------------------------------------------
const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-bench-'));
// Plaza runs on a fresh database of its own: a PGlite directory on disk (as `npm start` runs it), or with
// DATABASE_URL a database on that server (dropped at the end). Users and the group are seeded into it
// before Plaza starts (the seed-users path); their tokens are signed with the secret Plaza is given.
const single = await createBenchDatabase('chat');
const singleSecret = crypto.randomBytes(32).toString('hex');
const seeded = await (async () => {
  const opened = await single.open();
  const { orm } = opened;
  try {
    const { users } = await seedBenchUsers(orm, N);
    return { users, groupId: await seedBenchGroup(orm, users[0].id, users.length) };
  } finally {
    await opened.close();
  }
})();
// With --servers, the multi-process deployment gets a database of its own on DATABASE_URL's server.
const baseUrl = process.env.DATABASE_URL;
const benchDb = `plaza_bench_${process.pid}`;
async function admin(sql: string) {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
async function createDatabase(name: string): Promise<string> {
  await admin(`create database "${name}"`);
  const u = new URL(baseUrl!);
  u.pathname = `/${name}`;
  return u.toString();
}
const multiDb = `${benchDb}_multi`;
const redisUrl = process.env.REDIS_URL;
if (SERVERS > 1) {
  if (!baseUrl || !redisUrl) throw new Error('--servers needs DATABASE_URL and REDIS_URL (an empty database number)');
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl);
  const size = await redis.dbsize();
  await redis.quit();
  if (size > 0) throw new Error(`${redisUrl} is not empty: give --servers a Redis database number of its own`);
}

/** A Plaza process on `port` with the bench's settings (its own DATA_DIR). */
function startPlaza(port: number, env: Record<string, string | undefined>): ChildProcess {
  const profile = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
  return spawnPlaza({
    port,
    nodeArgs: profile,
    env: {
      PGLITE_DIR: 'memory://',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      ACCESS_TOKEN_TTL: '7200',
      AUTH_RATE_PER_IP: '1000000',
      AUTH_RATE_PER_ACCOUNT: '1000000',
      CHAT_RATE_PER_SECOND: '1000',
      ROOM_MAX_MESSAGES_PER_SECOND: '2000',
      CHAT_WINDOW: String(values.window),
      AI_MAX_ACTIVE_JOBS_PER_USER: '1000',
      ...env,
    },
  });
}

const plaza = startPlaza(port, { ...single.env, JWT_SECRET: singleSecret });
const multi: { child: ChildProcess; url: string }[] = [];
if (SERVERS > 1) {
  const secret = crypto.randomBytes(32).toString('hex');
  const multiUrl = await createDatabase(multiDb);
  // The first process migrates the fresh database; the others start once it is ready.
  for (let i = 0; i < SERVERS; i++) {
    const p = await freePort();
    const child = startPlaza(p, {
      DATABASE_URL: multiUrl,
      REDIS_URL: redisUrl,
      JWT_SECRET: secret,
      PUBLIC_ADDRESS: `127.0.0.1:${p}`,
      DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-bench-multi-')),
    });
    multi.push({ child, url: `http://127.0.0.1:${p}` });
    if (i === 0) await waitReady(multi[0].url);
  }
}
const raw = await forkBaseline('raw');
const bare = await forkBaseline('colyseus');
const base = `http://127.0.0.1:${port}`;
await waitReady(base);
for (const m of multi) await waitReady(m.url);
const drivers: ChildProcess[] = [];
const cleanup = () => {
  for (const d of drivers) d.kill();
  plaza.kill();
  for (const m of multi) m.child.kill();
  raw.child.kill();
  bare.child.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
};
process.on('exit', cleanup);

try {
  // --- users, group, memberships (REST) -----------------------------------------------------------
  console.log(
    `bench:chat — ${single.label}, CHAT_WINDOW ${values.window}${AI_JOBS ? `, ${AI_JOBS} AI jobs queued during Plaza phases` : ''}, ${N} clients, ${RATE} msg/s from ${SENDERS} senders, 100 B, ${ROUNDS} rounds × ${SECONDS} s per server, ${P} driver processes, ${os.cpus().length} cores`,
  );
  const t0 = Date.now();
  /**
   * Registers the N users on the multi-process deployment (REST through `bases` in turn: its processes
   * share a database the bench does not open) and puts them in one open group.
   */
  async function setUp(bases: string[]): Promise<{ tokens: string[]; groupId: number }> {
    const tokens: string[] = new Array(N);
    await pool([...Array(N).keys()], 8, async (i) => {
      const at = bases[i % bases.length];
      const username = `bench${i}`;
      const password = `${username}-bench-password`;
      await api(at, 'POST', '/auth/register', { username, email: `${username}@bench.test`, password });
      tokens[i] = (await api(at, 'POST', '/auth/login', { login: username, password })).access_token;
    });
    const group = await api(bases[0], 'POST', '/chat/groups', { name: 'bench', visibility: 'open' }, tokens[0]);
    await pool(
      [...Array(N).keys()].slice(1),
      16,
      async (i) =>
        void (await api(bases[i % bases.length], 'POST', `/chat/groups/${group.id}/join`, undefined, tokens[i])),
    );
    return { tokens, groupId: group.id };
  }
  const tokens = mintAccessTokens(singleSecret, 7200, seeded.users);
  const group = { id: seeded.groupId };
  const spread = multi.length ? await setUp(multi.map((m) => m.url)) : undefined;
  console.log(
    `setup: ${N} users seeded and in group ${group.id}${spread ? ` (and registered on the ${SERVERS}-process deployment)` : ''} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  // --- drivers ------------------------------------------------------------------------------------
  const per = Math.ceil(N / P);
  for (let p = 0; p < P; p++) {
    const driver = fork('loadtest/benchDriver.ts', [], {
      execArgv: tsxArgs,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    drivers.push(driver);
  }
  await Promise.all(
    drivers.map((d, p) =>
      request(
        d,
        {
          cmd: 'connect',
          plazaUrl: `ws://127.0.0.1:${port}`,
          colyseusUrl: bare.url,
          rawUrl: raw.url,
          groupId: group.id,
          tokens: tokens.slice(p * per, (p + 1) * per),
          spread: spread && {
            urls: multi.map((m) => m.url.replace('http', 'ws')),
            groupId: spread.groupId,
            tokens: spread.tokens.slice(p * per, (p + 1) * per),
            offset: p * per,
          },
        },
        'connected',
      ),
    ),
  );
  console.log(
    `connected: ${N} Plaza${spread ? ` + ${N} Plaza×${SERVERS}` : ''} + ${N} bare Colyseus + ${N} raw ws connections`,
  );

  // --- interleaved phases -------------------------------------------------------------------------
  type Target = 'plaza' | 'plaza3' | 'raw' | 'colyseus';
  type Total = {
    latencies: number[];
    sent: number;
    received: number;
    outOfOrder: number;
    cpu: number;
    /** The driver processes' CPU: what the clients pay (the SDK's decoding vs raw ws' parse). */
    clientCpu: number;
    ms: number;
  };
  const targets: Target[] = spread ? ['plaza', 'plaza3', 'raw', 'colyseus'] : ['plaza', 'raw', 'colyseus'];
  const totals = Object.fromEntries(
    targets.map((t): [Target, Total] => [
      t,
      { latencies: [], sent: 0, received: 0, outOfOrder: 0, cpu: 0, clientCpu: 0, ms: 0 },
    ]),
  ) as Record<Target, Total>;
  const pidsOf = (target: Target) =>
    ({
      plaza: [plaza.pid!],
      plaza3: multi.map((m) => m.child.pid!),
      raw: [raw.child.pid!],
      colyseus: [bare.child.pid!],
    })[target];
  // Every driver holds one connection per user to each server, but only the phase's target talks.
  const clientCpuOf = () => drivers.reduce((sum, d) => sum + cpuMs(d.pid!), 0);
  const label = (target: Target) => (target === 'plaza3' ? `plaza×${SERVERS}` : target);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round, so no target always runs first (or after the same neighbour).
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const target of order) {
      const pids = pidsOf(target);
      const cpuOf = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
      // Far more jobs than a phase lasts: the pool stays busy, the rest waits in the database; cancelled after.
      const aiJobs: number[] = [];
      if (target === 'plaza')
        for (let i = 0; i < AI_JOBS; i++) aiJobs.push((await api(base, 'POST', '/ai/jobs', aiJob, tokens[0])).id);
      const cpuBefore = cpuOf();
      const clientCpuBefore = clientCpuOf();
      const startedAt = Date.now();
      const phaseId = `r${round}${target}`;
      const ran = await Promise.all(
        drivers.map((d, p) =>
          request(
            d,
            {
              cmd: 'run',
              phase: phaseId,
              target,
              seconds: SECONDS,
              senders: p === 0 ? SENDERS : 0,
              perSenderRate: RATE / SENDERS,
              senderPrefix: `s${p}_`,
            },
            'ran',
          ),
        ),
      );
      await new Promise((r) => setTimeout(r, DRAIN_MS));
      const cpu = cpuOf() - cpuBefore;
      const clientCpu = clientCpuOf() - clientCpuBefore;
      for (const id of aiJobs) await api(base, 'DELETE', `/ai/jobs/${id}`, undefined, tokens[0]).catch(() => undefined);
      const stats = await Promise.all(drivers.map((d) => request(d, { cmd: 'collect' }, 'stats')));
      const sent = ran.reduce((a, r) => a + r.sent, 0);
      const t = totals[target];
      t.sent += sent;
      t.cpu += cpu;
      t.clientCpu += clientCpu;
      t.ms += Date.now() - startedAt - DRAIN_MS;
      for (const s of stats) {
        t.received += s.received;
        t.outOfOrder += s.outOfOrder;
        for (const l of s.latencies) t.latencies.push(l);
      }
      const phaseReceived = stats.reduce((a, s) => a + s.received, 0);
      console.log(
        `  round ${round + 1} ${label(target).padEnd(8)}: sent ${sent}, delivered ${phaseReceived}/${sent * N}, server CPU ${cpu.toFixed(0)} ms`,
      );
    }
  }

  // --- report -------------------------------------------------------------------------------------
  const rows = targets.map((target) => {
    const t = totals[target];
    const sorted = t.latencies.sort((a, b) => a - b);
    return {
      target: label(target),
      deliveriesPerSecond: t.received / Math.max(0.001, t.ms / 1000),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
      lost: t.sent * N - t.received,
      outOfOrder: t.outOfOrder,
      sent: t.sent,
      cpuPerMsg: t.cpu / Math.max(1, t.sent),
      cpuPerDelivery: (t.cpu * 1000) / Math.max(1, t.received),
      clientCpuPerDelivery: (t.clientCpu * 1000) / Math.max(1, t.received),
    };
  });
  console.log(
    '\nserver   | msgs sent | deliveries/s | p50 ms | p99 ms | max ms | lost | out of order | CPU ms/msg | CPU µs/delivery | client CPU µs/delivery',
  );
  for (const r of rows) {
    console.log(
      `${r.target.padEnd(8)} | ${String(r.sent).padStart(9)} | ${r.deliveriesPerSecond.toFixed(0).padStart(12)} | ${r.p50.toFixed(2).padStart(6)} | ${r.p99.toFixed(2).padStart(6)} | ${r.max.toFixed(1).padStart(6)} | ${String(r.lost).padStart(4)} | ${String(r.outOfOrder).padStart(12)} | ${r.cpuPerMsg.toFixed(2).padStart(10)} | ${r.cpuPerDelivery.toFixed(1).padStart(15)} | ${r.clientCpuPerDelivery.toFixed(1).padStart(22)}`,
    );
  }
  const row = (target: Target) => rows[targets.indexOf(target)];
  const p = row('plaza');
  const w = row('raw');
  const c = row('colyseus');
  if (spread) {
    const m = row('plaza3');
    console.log(
      `\nratio Plaza×${SERVERS}/Plaza: p50 ${(m.p50 / p.p50).toFixed(2)}x, p99 ${(m.p99 / p.p99).toFixed(2)}x, CPU/msg ${(m.cpuPerMsg / p.cpuPerMsg).toFixed(2)}x (target: p99 within 1.5x, 0 lost, 0 out of order); Plaza×${SERVERS}/raw p99 ${(m.p99 / w.p99).toFixed(2)}x`,
    );
  }
  const ratios = (a: (typeof rows)[number], b: (typeof rows)[number]) =>
    `p50 ${(a.p50 / b.p50).toFixed(2)}x, p99 ${(a.p99 / b.p99).toFixed(2)}x, CPU/msg ${(a.cpuPerMsg / b.cpuPerMsg).toFixed(2)}x, CPU/delivery ${(a.cpuPerDelivery / b.cpuPerDelivery).toFixed(2)}x, client CPU/delivery ${(a.clientCpuPerDelivery / b.clientCpuPerDelivery).toFixed(2)}x`;
  console.log(
    `\nratio Plaza/raw: ${ratios(p, w)} (targets: p99 and CPU per delivery within 1.5x of raw, 0 lost, 0 out of order)`,
  );
  console.log(`ratio Colyseus/raw: ${ratios(c, w)} (Colyseus' own floor: SDK protocol, schema, its broadcast)`);
  console.log(`ratio Plaza/Colyseus: ${ratios(p, c)} (what Plaza adds to Colyseus itself)`);
  await Promise.all(drivers.map((d) => request(d, { cmd: 'close' }, 'closed').catch(() => undefined)));
} finally {
  cleanup();
  await new Promise((r) => setTimeout(r, 500));
  await single.dispose().catch((err) => console.error(`could not remove the bench database: ${err}`));
  if (SERVERS > 1) {
    for (const name of [multiDb])
      await admin(`drop database if exists "${name}" with (force)`).catch((err) =>
        console.error(`could not drop ${name}: ${err}`),
      );
  }
  if (SERVERS > 1) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(redisUrl!);
    await redis.flushdb();
    await redis.quit();
  }
}
process.exit(0);

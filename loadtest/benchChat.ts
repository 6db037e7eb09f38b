/**
 * `npm run bench:chat -- [--clients 500] [--rate 20] [--seconds 10] [--rounds 2] [--processes 4] [--senders 10] [--window 50]`
 *
 * N clients in one chat group, M messages/s in total from `senders` of them, 100-byte texts. Measures
 * delivery latency (send → every receiver, sender included) p50/p99, lost and out-of-order deliveries and
 * server CPU per message, for Plaza (its real server process, SDK clients, chat room, messages persisted)
 * and for a bare `ws` broadcast server with the same clients, rate and payload. Phases are interleaved
 * (Plaza, raw, raw, Plaza, ...) in one run, and clients live in separate driver processes. Loopback only.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { forestJob } from './aiWorkload.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '500' },
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    processes: { type: 'string', default: '4' },
    senders: { type: 'string', default: '10' },
    window: { type: 'string', default: '50' },
    // Keep this many AI jobs (random-forest training) queued on Plaza during its phases: chat under CPU-heavy jobs.
    'ai-jobs': { type: 'string', default: '0' },
  },
});
const AI_JOBS = Number(values['ai-jobs']);
const N = Number(values.clients);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const P = Math.min(Number(values.processes), N);
const SENDERS = Math.min(Number(values.senders), Math.ceil(N / P));
const DRAIN_MS = 3000;
const aiJob = forestJob(500, 5);
const tsxArgs = ['--import', 'tsx'];

const freePort = () =>
  new Promise<number>((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });

function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, 100 Hz ticks
}

function request(child: ChildProcess, msg: object, reply: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: any) => {
      if (m.cmd === reply) {
        child.off('message', onMessage);
        resolve(m);
      } else if (m.cmd === 'error') {
        child.off('message', onMessage);
        reject(new Error(m.message));
      }
    };
    child.on('message', onMessage);
    child.send(msg);
  });
}

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

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

// --- start both servers ---------------------------------------------------------------------------
const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-bench-'));
// With DATABASE_URL, Plaza gets a fresh database of its own on that server (dropped at the end).
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
let databaseUrl: string | undefined;
if (baseUrl) {
  await admin(`create database "${benchDb}"`);
  const u = new URL(baseUrl);
  u.pathname = `/${benchDb}`;
  databaseUrl = u.toString();
}
const plaza = spawn(process.execPath, [...tsxArgs, 'src/main.ts'], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
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
  },
});
const raw = fork('loadtest/rawWsServer.ts', [], { execArgv: tsxArgs, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const rawPort: number = await new Promise((resolve) => raw.once('message', (m: any) => resolve(m.port)));
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  const ok = await fetch(`${base}/ready`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) break;
  if (i > 300) throw new Error('Plaza did not become ready');
  await new Promise((r) => setTimeout(r, 200));
}
const drivers: ChildProcess[] = [];
const cleanup = () => {
  for (const d of drivers) d.kill();
  plaza.kill();
  raw.kill();
  fs.rmSync(dataDir, { recursive: true, force: true });
};
process.on('exit', cleanup);

try {
  // --- users, group, memberships (REST) -----------------------------------------------------------
  console.log(
    `bench:chat — ${databaseUrl ? 'PostgreSQL' : 'PGlite in memory'}, CHAT_WINDOW ${values.window}${AI_JOBS ? `, ${AI_JOBS} AI jobs queued during Plaza phases` : ''}, ${N} clients, ${RATE} msg/s from ${SENDERS} senders, 100 B, ${ROUNDS} rounds × ${SECONDS} s per server, ${P} driver processes, ${os.cpus().length} cores`,
  );
  const t0 = Date.now();
  const tokens: string[] = new Array(N);
  await pool([...Array(N).keys()], 8, async (i) => {
    const username = `bench${i}`;
    const password = `${username}-bench-password`;
    await api(base, 'POST', '/auth/register', { username, email: `${username}@bench.test`, password });
    tokens[i] = (await api(base, 'POST', '/auth/login', { login: username, password })).access_token;
  });
  const group = await api(base, 'POST', '/chat/groups', { name: 'bench', visibility: 'open' }, tokens[0]);
  await pool(
    [...Array(N).keys()].slice(1),
    16,
    async (i) => void (await api(base, 'POST', `/chat/groups/${group.id}/join`, undefined, tokens[i])),
  );
  console.log(`setup: ${N} users registered and in group ${group.id} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

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
          rawUrl: `ws://127.0.0.1:${rawPort}`,
          groupId: group.id,
          tokens: tokens.slice(p * per, (p + 1) * per),
        },
        'connected',
      ),
    ),
  );
  console.log(`connected: ${N} Plaza + ${N} raw ws connections`);

  // --- interleaved phases -------------------------------------------------------------------------
  type Total = { latencies: number[]; sent: number; received: number; outOfOrder: number; cpu: number };
  const totals: Record<'plaza' | 'raw', Total> = {
    plaza: { latencies: [], sent: 0, received: 0, outOfOrder: 0, cpu: 0 },
    raw: { latencies: [], sent: 0, received: 0, outOfOrder: 0, cpu: 0 },
  };
  for (let round = 0; round < ROUNDS; round++) {
    const order: ('plaza' | 'raw')[] = round % 2 === 0 ? ['plaza', 'raw'] : ['raw', 'plaza'];
    for (const target of order) {
      const pid = target === 'plaza' ? plaza.pid! : raw.pid!;
      // Far more jobs than a phase lasts: the pool stays busy, the rest waits in the database; cancelled after.
      const aiJobs: number[] = [];
      if (target === 'plaza')
        for (let i = 0; i < AI_JOBS; i++) aiJobs.push((await api(base, 'POST', '/ai/jobs', aiJob, tokens[0])).id);
      const cpuBefore = cpuMs(pid);
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
      const cpu = cpuMs(pid) - cpuBefore;
      for (const id of aiJobs) await api(base, 'DELETE', `/ai/jobs/${id}`, undefined, tokens[0]).catch(() => undefined);
      const stats = await Promise.all(drivers.map((d) => request(d, { cmd: 'collect' }, 'stats')));
      const sent = ran.reduce((a, r) => a + r.sent, 0);
      const t = totals[target];
      t.sent += sent;
      t.cpu += cpu;
      for (const s of stats) {
        t.received += s.received;
        t.outOfOrder += s.outOfOrder;
        for (const l of s.latencies) t.latencies.push(l);
      }
      const phaseReceived = stats.reduce((a, s) => a + s.received, 0);
      console.log(
        `  round ${round + 1} ${target.padEnd(5)}: sent ${sent}, delivered ${phaseReceived}/${sent * N}, server CPU ${cpu.toFixed(0)} ms`,
      );
    }
  }

  // --- report -------------------------------------------------------------------------------------
  const rows = (['plaza', 'raw'] as const).map((target) => {
    const t = totals[target];
    const sorted = t.latencies.sort((a, b) => a - b);
    return {
      target,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? NaN,
      lost: t.sent * N - t.received,
      outOfOrder: t.outOfOrder,
      sent: t.sent,
      cpuPerMsg: t.cpu / Math.max(1, t.sent),
      cpuPerDelivery: (t.cpu * 1000) / Math.max(1, t.received),
    };
  });
  console.log('\nserver | msgs sent | p50 ms | p99 ms | max ms | lost | out of order | CPU ms/msg | CPU µs/delivery');
  for (const r of rows) {
    console.log(
      `${r.target.padEnd(6)} | ${String(r.sent).padStart(9)} | ${r.p50.toFixed(2).padStart(6)} | ${r.p99.toFixed(2).padStart(6)} | ${r.max.toFixed(1).padStart(6)} | ${String(r.lost).padStart(4)} | ${String(r.outOfOrder).padStart(12)} | ${r.cpuPerMsg.toFixed(2).padStart(10)} | ${r.cpuPerDelivery.toFixed(1).padStart(15)}`,
    );
  }
  const [p, w] = rows;
  console.log(
    `\nratio Plaza/raw: p50 ${(p.p50 / w.p50).toFixed(2)}x, p99 ${(p.p99 / w.p99).toFixed(2)}x, CPU/msg ${(p.cpuPerMsg / w.cpuPerMsg).toFixed(2)}x (target: p99 within 2x, 0 lost, 0 out of order)`,
  );
  await Promise.all(drivers.map((d) => request(d, { cmd: 'close' }, 'closed').catch(() => undefined)));
} finally {
  cleanup();
  if (databaseUrl) {
    await new Promise((r) => setTimeout(r, 500));
    await admin(`drop database if exists "${benchDb}" with (force)`).catch((err) =>
      console.error(`could not drop ${benchDb}: ${err}`),
    );
  }
}
process.exit(0);

/**
 * `npm run bench:rest -- [--seconds 5] [--rounds 3] [--connections 50] [--login-connections 4] [--posts 10000] [--profile dir] [--only posts,health]`
 *
 * autocannon against, interleaved in one run: a bare Express hello server (its own process, the
 * baseline), the same Express answering Plaza's first page as a fixed document (what the bytes alone
 * cost; runs with `posts`), and Plaza's `/health`, the first page of posts of a board holding `--posts` posts (signed
 * in: the token is checked, likes looked up), a post with its comments (`GET /posts/:id` and
 * `GET /posts/:id/comments` in turn), and sign-in (`POST /auth/login`, argon2: fewer connections).
 * Reports per target req/s, p50/p99 latency, non-2xx answers and the server's CPU per request (utime +
 * stime of the server process from /proc during the target's phase), then the ratios to Express hello.
 *
 * Plaza runs as `npm start` would (its own process, default logging to a discarded stdout) on a fresh
 * PGlite directory on disk, or on a fresh database of DATABASE_URL's server when it is set. The board,
 * posts and comments are inserted before it starts, users the way `seed-users` creates them.
 * `--profile dir`: Plaza runs with `--cpu-prof` and writes its profile to `dir` when the bench stops it.
 */
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createBenchDatabase, seedBenchUsers } from './benchDatabase.ts';
import { cpuMs, freePort, loadAverage, spawnPlaza, tsxArgs, waitReady } from './benchProcess.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    'login-connections': { type: 'string', default: '4' },
    posts: { type: 'string', default: '10000' },
    comments: { type: 'string', default: '20' },
    profile: { type: 'string' },
    // Extra node options for Plaza (e.g. "--trace-gc"), and a file for its stdout (default: discarded).
    'plaza-node-args': { type: 'string', default: '' },
    'plaza-stdout': { type: 'string' },
    // A comma-separated subset of hello,hellopage,health,posts,post,login (Express hello always runs: the baseline).
    only: { type: 'string' },
  },
});
const SECONDS = Number(values.seconds);
const ROUNDS = Number(values.rounds);
const CONNECTIONS = Number(values.connections);
const POSTS = Number(values.posts);
const COMMENTS = Number(values.comments);

// --- the database: users (seed-users), one public board with POSTS posts, one post with comments -------
const database = await createBenchDatabase('rest');
const t0 = Date.now();
const opened = await database.open();
const { orm } = opened;
const { users, password } = await seedBenchUsers(orm, 2);
const authorId = users[0].id;
const sql = orm.em.getConnection();
const [{ id: boardId }] = await sql.execute<{ id: number }[]>(
  `insert into boards (name, description, created_at, updated_at) values ('bench', 'bench:rest', now(), now()) returning id`,
);
await sql.execute(
  `insert into posts (board_id, author_id, title, body, created_at, updated_at)
   select ?, ?, 'Post number ' || n, repeat('Some words of a post body. ', 20) || n, now(), now()
   from generate_series(1, ?) as n`,
  [boardId, authorId, POSTS],
);
const [{ id: postId }] = await sql.execute<{ id: number }[]>('select max(id) as id from posts where board_id = ?', [
  boardId,
]);
await sql.execute(
  `insert into comments (post_id, author_id, body, created_at, updated_at)
   select ?, ?, 'A comment of some length, number ' || n, now(), now() from generate_series(1, ?) as n`,
  [postId, authorId, COMMENTS],
);
await sql.execute('update posts set comment_count = ? where id = ?', [COMMENTS, postId]);
await sql.execute('analyze');
await opened.close();
console.log(
  `setup: ${database.label}, 2 users, board ${boardId} with ${POSTS} posts, post ${postId} with ${COMMENTS} comments, in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
);

// --- the servers -------------------------------------------------------------------------------------
const port = await freePort();
const dataDir = fs.mkdtempSync(`${os.tmpdir()}/plaza-bench-rest-data-`);
const profileArgs = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
const nodeArgs = values['plaza-node-args'].split(' ').filter(Boolean);
const plazaStdout = values['plaza-stdout'] ? fs.openSync(values['plaza-stdout'], 'w') : 'ignore';
const plaza = spawnPlaza({
  port,
  nodeArgs: [...profileArgs, ...nodeArgs],
  stdout: plazaStdout,
  env: {
    ...database.env,
    DATA_DIR: dataDir,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    ACCESS_TOKEN_TTL: '7200',
    AUTH_RATE_PER_IP: '1000000',
    AUTH_RATE_PER_ACCOUNT: '1000000',
  },
});
const hello = fork('loadtest/expressHello.ts', [], {
  execArgv: tsxArgs,
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const helloPort: number = await new Promise((resolve) =>
  hello.once('message', (m: { port: number }) => resolve(m.port)),
);
const base = `http://127.0.0.1:${port}`;

let stopped = false;
async function stop(): Promise<void> {
  if (stopped) return;
  stopped = true;
  hello.kill();
  // SIGTERM: Plaza shuts down in order (and writes its CPU profile when asked for one).
  await new Promise<void>((resolve) => {
    if (plaza.exitCode !== null) return resolve();
    plaza.once('exit', () => resolve());
    plaza.kill('SIGTERM');
    setTimeout(() => {
      plaza.kill('SIGKILL');
      resolve();
    }, 20_000).unref();
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
  await database.dispose();
}

try {
  await waitReady(base);
  const loginBody = JSON.stringify({ login: users[0].username, password });
  const signIn = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: loginBody,
  });
  if (!signIn.ok) throw new Error(`sign-in failed: ${signIn.status} ${await signIn.text()}`);
  const token = ((await signIn.json()) as { access_token: string }).access_token;
  const bearer = { authorization: `Bearer ${token}` };
  // The same first page, answered by bare Express: what sending those bytes costs without Plaza.
  const firstPage: unknown = await (
    await fetch(`${base}/boards/${boardId}/posts?limit=20`, { headers: bearer })
  ).json();
  hello.send({ page: firstPage });

  type Target = {
    key: string;
    name: string;
    pid: () => number;
    options: Partial<autocannon.Options> & { url: string };
  };
  const targets: Target[] = [
    { key: 'hello', name: 'express hello', pid: () => hello.pid!, options: { url: `http://127.0.0.1:${helloPort}/` } },
    {
      key: 'hellopage',
      name: 'express, same page',
      pid: () => hello.pid!,
      options: { url: `http://127.0.0.1:${helloPort}/page` },
    },
    { key: 'health', name: '/health', pid: () => plaza.pid!, options: { url: `${base}/health` } },
    {
      key: 'posts',
      name: 'first page of posts',
      pid: () => plaza.pid!,
      options: { url: `${base}/boards/${boardId}/posts?limit=20`, headers: bearer },
    },
    {
      key: 'post',
      name: 'post + comments',
      pid: () => plaza.pid!,
      options: {
        url: base,
        requests: [
          { method: 'GET' as const, path: `/posts/${postId}`, headers: bearer },
          { method: 'GET' as const, path: `/posts/${postId}/comments?limit=20`, headers: bearer },
        ],
      },
    },
    {
      key: 'login',
      name: 'login',
      pid: () => plaza.pid!,
      options: {
        url: `${base}/auth/login`,
        method: 'POST' as const,
        headers: { 'content-type': 'application/json' },
        body: loginBody,
        connections: Number(values['login-connections']),
      },
    },
  ].filter((t) => {
    const only = values.only?.split(',');
    // The page's Express baseline runs whenever the page does.
    return t.key === 'hello' || !only || only.includes(t.key) || (t.key === 'hellopage' && only.includes('posts'));
  });

  // Warm-up: JIT, caches and the database's buffers for every target, not counted.
  for (const t of targets) await autocannon({ connections: 4, duration: 1, ...t.options });

  type Total = { requests: number; seconds: number; cpu: number; p50: number[]; p99: number[]; bad: number };
  const totals = new Map<string, Total>(
    targets.map((t) => [t.name, { requests: 0, seconds: 0, cpu: 0, p50: [], p99: [], bad: 0 }]),
  );
  console.log(
    `bench:rest — ${database.label}, ${ROUNDS} rounds × ${SECONDS} s per target, ${CONNECTIONS} connections (login ${values['login-connections']}), ${os.cpus().length} cores, load average ${loadAverage()}`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order each round: no target always runs first or after the same neighbour.
    const order = targets.map((_, i) => targets[(i + round) % targets.length]);
    for (const target of order) {
      const pid = target.pid();
      const cpuBefore = cpuMs(pid);
      const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...target.options });
      const cpu = cpuMs(pid) - cpuBefore;
      const total = totals.get(target.name)!;
      const answered = result.requests.total;
      total.requests += answered;
      total.seconds += result.duration;
      total.cpu += cpu;
      total.p50.push(result.latency.p50);
      total.p99.push(result.latency.p99);
      total.bad += result.non2xx + result.errors + result.timeouts;
      console.log(
        `  round ${round + 1} ${target.name.padEnd(20)} ${(answered / result.duration).toFixed(0).padStart(6)} req/s, p99 ${result.latency.p99} ms, CPU ${(cpu / Math.max(answered, 1)).toFixed(3)} ms/req${result.non2xx + result.errors + result.timeouts ? `, ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts` : ''}`,
      );
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rate = (t: Total) => t.requests / t.seconds;
  const cpuPer = (t: Total) => t.cpu / Math.max(t.requests, 1);
  const baseline = totals.get('express hello')!;
  console.log(
    `\n| target | req/s | p50 ms (median of rounds) | p99 ms (median of rounds) | non-2xx/errors | server CPU ms/req | req/s vs hello | CPU/req vs hello |`,
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, t] of totals) {
    console.log(
      `| ${name} | ${rate(t).toFixed(0)} | ${median(t.p50)} | ${median(t.p99)} | ${t.bad} | ${cpuPer(t).toFixed(3)} | ${(rate(t) / rate(baseline)).toFixed(3)}× | ${(cpuPer(t) / cpuPer(baseline)).toFixed(2)}× |`,
    );
  }
  console.log(`load average at the end: ${loadAverage()}`);
} finally {
  await stop();
}
process.exit(0);

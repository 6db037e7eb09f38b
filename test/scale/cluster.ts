import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from '../helpers/testDatabase.ts';
import { testRedisUrl } from '../helpers/testRedis.ts';

/** One spawned Plaza process. */
export interface PlazaProcess {
  name: string;
  port: number;
  /** Colyseus' id of the process (what connection records and room listings name). */
  processId: string;
  /** Where a client reaches it: directly, or through nginx's path prefix for it. */
  endpoint: string;
  child: ChildProcess;
  /** The last lines it logged, shown when a test fails. */
  log: string[];
}

export interface Cluster {
  processes: PlazaProcess[];
  /** The one public address (nginx round-robin), or the first process without nginx. */
  publicEndpoint: string;
  viaNginx: boolean;
  redis: Redis;
  redisUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

const NGINX = '/usr/sbin/nginx';
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Why the multi-process suite cannot run here, or undefined when it can. */
export function missingForCluster(): string | undefined {
  if (!testRedisUrl) return 'REDIS_URL is not set (a real Redis is needed for several processes)';
  if (!process.env.DATABASE_URL) return 'DATABASE_URL is not set (several processes need one PostgreSQL)';
  return undefined;
}

/**
 * A Redis database number nobody uses, claimed for this run: its claim key makes it non-empty for the
 * next run to look. Emptied (FLUSHDB) when the run ends.
 */
export async function claimRedisDatabase(baseUrl: string): Promise<{ redis: Redis; url: string }> {
  for (let db = 1; db < 16; db++) {
    const url = new URL(baseUrl);
    url.pathname = `/${db}`;
    const redis = new Redis(url.toString());
    const claimed = await redis.set('plaza-test-claim', String(process.pid), 'EX', 3600, 'NX');
    if (claimed && (await redis.dbsize()) === 1) return { redis, url: url.toString() };
    if (claimed) await redis.del('plaza-test-claim');
    await redis.quit();
  }
  throw new Error('no free Redis database number (1-15) for the multi-process tests');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** An nginx of our own on a free loopback port, laid out as docs/scaling.md describes. */
async function startNginx(ports: number[]): Promise<{ port: number; stop(): void }> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-nginx-'));
  const upstream = ports.map((p) => `    server 127.0.0.1:${p};`).join('\n');
  const prefixes = ports
    .map(
      (p, i) => `
    location /p${i + 1}/ {
      proxy_pass http://127.0.0.1:${p}/;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
    }`,
    )
    .join('\n');
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  upstream plaza {
${upstream}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://plaza;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
${prefixes}
  }
}
`,
  );
  const child = spawn(NGINX, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  await waitForPort(port);
  return {
    port,
    stop: () => {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function spawnPlaza(
  name: string,
  port: number,
  env: Record<string, string>,
  children: ChildProcess[],
): Promise<Omit<PlazaProcess, 'endpoint'>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  // A test run that ends abruptly (mocha killed, a timeout) must not leave servers running on its own.
  process.once('exit', () => child.kill('SIGKILL'));
  const log: string[] = [];
  const keep = (line: string) => {
    log.push(line);
    if (log.length > 200) log.shift();
  };
  readline.createInterface({ input: child.stderr }).on('line', keep);
  return new Promise((resolve, reject) => {
    // Generous: a loaded CI machine may take a minute to compile and start three processes at once.
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${log.join('\n')}`)), 180_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${log.join('\n')}`)));
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      keep(line);
      if (!line.includes('Plaza listening')) return;
      clearTimeout(timer);
      resolve({ name, port, processId: JSON.parse(line).process_id, child, log });
    });
  });
}

/**
 * Three (or `count`) Plaza processes spawned on one fresh PostgreSQL database and one fresh Redis
 * database number, behind nginx when it is installed. `env` adds settings for all of them.
 */
export async function startCluster(count: number, env: Record<string, string> = {}): Promise<Cluster> {
  const database: TestDatabase = await createTestDatabase();
  if (database.target.kind !== 'postgresql') throw new Error('the cluster needs PostgreSQL');
  const { redis, url: redisUrl } = await claimRedisDatabase(testRedisUrl!);
  const ports = await Promise.all(Array.from({ length: count }, freePort));
  const nginx = fs.existsSync(NGINX) ? await startNginx(ports) : undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-scale-'));
  const shared = {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATABASE_URL: database.target.url,
    REDIS_URL: redisUrl,
    JWT_SECRET: 'scale-test-secret-scale-test-secret-0123',
    DATA_DIR: dataDir,
    TRUST_PROXY: nginx ? 'true' : 'false',
    AUTH_RATE_PER_IP: '1000',
    AUTH_RATE_PER_ACCOUNT: '1000',
    AUTH_FAILURES_PER_IP: '1000',
    AUTH_FAILURES_PER_ACCOUNT: '1000',
    ...env,
  };
  const processes: PlazaProcess[] = [];
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    await Promise.all(processes.map((p) => stopProcess(p)));
    nginx?.stop();
    await redis.flushdb().catch(() => undefined);
    await redis.quit().catch(() => undefined);
    await database.dispose();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const started = await Promise.all(
      ports.map((port, i) =>
        spawnPlaza(
          `p${i + 1}`,
          port,
          {
            ...shared,
            PUBLIC_ADDRESS: nginx ? `127.0.0.1:${nginx.port}/p${i + 1}` : `127.0.0.1:${port}`,
            // The uploads are shared; each process keeps its own message spool.
            SPOOL_DIR: path.join(dataDir, `spool-p${i + 1}`),
          },
          children,
        ),
      ),
    );
    for (const [i, p] of started.entries())
      processes.push({
        ...p,
        endpoint: nginx ? `http://127.0.0.1:${nginx.port}/p${i + 1}` : `http://127.0.0.1:${p.port}`,
      });
  } catch (err) {
    for (const child of children) child.kill('SIGKILL');
    await stopAll();
    throw err;
  }
  return {
    processes,
    publicEndpoint: nginx ? `http://127.0.0.1:${nginx.port}` : processes[0].endpoint,
    viaNginx: Boolean(nginx),
    redis,
    redisUrl,
    databaseUrl: database.target.url,
    stop: stopAll,
  };
}

/** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
export function stopProcess(p: PlazaProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => p.child.kill('SIGKILL'), 8000);
    p.child.once('exit', () => (clearTimeout(kill), resolve()));
    p.child.kill('SIGTERM');
  });
}

/** Kills a process the way a crash or an OOM kill does: no shutdown, nothing cleaned. */
export function killHard(p: PlazaProcess): Promise<void> {
  return new Promise((resolve) => {
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });
}

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import { createTestDatabase } from '../helpers/testDatabase.ts';
import { HttpClient } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';
import { createAdmin, createBoard, createPost, PNG_1X1 } from '../helpers/boards.ts';
import { eventually } from '../helpers/realtime.ts';
import { openDatabase, type DatabaseTarget } from '../../src/db/openDatabase.ts';

interface Launched {
  npm: ChildProcess;
  /** The process group npm leads, as a terminal or a service manager starts it. */
  group: number;
  listening: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): string;
}

/** Runs `npm start` exactly as a user does, in its own process group, and collects its output. */
function npmStart(env: Record<string, string>): Launched {
  const npm = spawn('npm', ['start'], {
    env: { ...process.env, DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  npm.stdout.on('data', (d) => (output += d));
  npm.stderr.on('data', (d) => (output += d));
  const exited = once(npm, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    npm.stdout.on('data', () => {
      const line = output.split('\n').find((l) => l.includes('"Plaza listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    });
    void exited.then(() => reject(new Error(`server exited early:\n${output}`)));
  });
  return { npm, group: npm.pid!, listening, exited, log: () => output };
}

/** Live (not zombie) processes of a process group, from /proc. */
function groupMembers(group: number): number[] {
  const members: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === group && state !== 'Z') members.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return members;
}

/** A one-file upload whose body arrives in two halves: the second only when `finish` is called. Resolves the status. */
function slowUpload(baseUrl: string, token: string): { finish(): Promise<number> } {
  const boundary = 'plazaboundary';
  const head = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.png"\r\nContent-Type: image/png\r\n\r\n`,
    ),
    PNG_1X1,
  ]);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = httpRequest(`${baseUrl}/files`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + tail.length,
    },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
  });
  req.write(head);
  return {
    finish: () => {
      req.end(tail);
      return status;
    },
  };
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * PostgreSQL records in global/pg_control whether its cluster was shut down (1) or is still "in
 * production" (6, what a killed process leaves behind and the next start must recover from).
 */
function pgliteClusterState(dataDir: string): number {
  return fs.readFileSync(path.join(dataDir, 'global', 'pg_control')).readUInt32LE(16);
}
const DB_SHUTDOWNED = 1;

/** A database holding a post on a public board, on disk so `npm start` can open it after this process closes it. */
async function databaseWithAPost(): Promise<{ seed: TestServer; database: DatabaseTarget; postId: number }> {
  const seed = await startTestServer({}, { persistent: true });
  const admin = await createAdmin(seed, 'boss');
  const board = await createBoard(seed, admin, { name: 'News', access: 'readonly' });
  const post = await createPost(seed, admin, board.id);
  await seed.stop();
  // From now on the data is on disk: never seed it from the template again.
  const database: DatabaseTarget =
    seed.database.kind === 'pglite' ? { kind: 'pglite', dataDir: seed.database.dataDir } : seed.database;
  return { seed, database, postId: post.id };
}

function databaseEnv(database: DatabaseTarget): Record<string, string> {
  return database.kind === 'postgresql' ? { DATABASE_URL: database.url } : { PGLITE_DIR: database.dataDir };
}

describe('the server process, started with npm start', function () {
  this.timeout(180_000);
  let running: Launched | undefined;
  afterEach(() => {
    // Whatever a failed test left behind must not outlive it.
    for (const pid of running ? groupMembers(running.group) : []) process.kill(pid, 'SIGKILL');
    running = undefined;
  });

  it('when started and sent SIGTERM, then it serves, keeps no secrets in the log and exits 0 releasing the database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-proc-'));
    // Relative paths, as the defaults (./data, ./data/pglite) are for `npm start`.
    const relative = path.relative(process.cwd(), dir);
    const db = await createTestDatabase();
    const database: Record<string, string> =
      db.target.kind === 'postgresql' ? { DATABASE_URL: db.target.url } : { PGLITE_DIR: path.join(relative, 'pglite') };
    running = npmStart({ PORT: '0', DATA_DIR: relative, LOG_LEVEL: 'info', ...database });
    const http = new HttpClient(await running.listening);
    expect((await http.get('/health')).status).to.equal(200);
    const password = 'very-secret-password-1';
    await http.post('/auth/register', { username: 'loggy', email: 'loggy@example.test', password });
    const login = await http.post('/auth/login', { login: 'loggy', password });
    await http.get('/users/me', login.body.access_token);
    await http.post('/auth/password/forgot', { email: 'loggy@example.test' });

    running.npm.kill('SIGTERM');
    expect((await running.exited).code).to.equal(0);
    const log = running.log();
    expect(log).to.include('"msg":"stopped"');
    for (const secret of [password, login.body.access_token, login.body.refresh_token])
      expect(log).not.to.include(secret);
    expect(log).not.to.include('Reset token');
    expect(fs.existsSync(path.join(dir, 'pglite', 'plaza.lock'))).to.equal(false);
    expect(fs.readFileSync(path.join(dir, 'jwt-secret'), 'utf8').length).to.be.greaterThan(32);
    expect(fs.readdirSync(path.join(dir, 'uploads')).sort()).to.deep.equal([
      '.staging',
      'documents',
      'files',
      'images',
    ]);
    await db.dispose();
  });

  /** Every way a user or a service manager stops the server. */
  const ways: { when: string; stop(run: Launched, http: HttpClient, dataDir: string): Promise<void> | void }[] = [
    { when: 'SIGTERM is sent to npm alone', stop: (run) => void run.npm.kill('SIGTERM') },
    {
      when: 'Ctrl-C is pressed while an upload is in flight, and pressed again while it shuts down',
      stop: async (run, http, dataDir) => {
        const user = await http.signUp('uploader');
        const upload = slowUpload(http.baseUrl, user.access_token);
        const staging = path.join(dataDir, 'uploads', '.staging');
        await eventually(() => fs.readdirSync(staging).length > 0, 'the upload to reach the server', 30_000);
        process.kill(-run.group, 'SIGINT');
        await eventually(() => run.log().includes('"msg":"shutting down"'), 'shutdown to begin', 30_000);
        process.kill(-run.group, 'SIGINT');
        expect(await upload.finish(), 'the upload in flight completes').to.equal(201);
      },
    },
    { when: 'SIGTERM is sent to the process group', stop: (run) => void process.kill(-run.group, 'SIGTERM') },
    {
      when: 'systemd stops the service (SIGTERM to each of its processes, SIGKILL to what is left after the stop timeout)',
      stop: async (run) => {
        for (const pid of groupMembers(run.group)) process.kill(pid, 'SIGTERM');
        try {
          await eventually(() => groupMembers(run.group).length === 0, 'every process to exit', 60_000);
        } catch {
          for (const pid of groupMembers(run.group)) process.kill(pid, 'SIGKILL');
          throw new Error(`still running at the stop timeout: systemd would SIGKILL it\n${run.log()}`);
        }
      },
    },
    {
      when: 'the terminal it runs in is closed (SIGHUP to the process group)',
      stop: (run) => void process.kill(-run.group, 'SIGHUP'),
    },
  ];

  for (const way of ways) {
    it(`when ${way.when}, then it shuts down once, writes pending views, closes the database and leaves no process behind`, async () => {
      const { seed, database, postId } = await databaseWithAPost();
      try {
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-proc-'));
        running = npmStart({
          PORT: '0',
          DATA_DIR: dataDir,
          LOG_LEVEL: 'info',
          VIEW_FLUSH_INTERVAL: '3600',
          ...databaseEnv(database),
        });
        const http = new HttpClient(await running.listening);
        expect((await http.get(`/posts/${postId}`)).body.view_count).to.equal(0);

        await way.stop(running, http, dataDir);
        await running.exited;
        const group = running.group;
        await eventually(() => groupMembers(group).length === 0, 'no process of `npm start` left', 30_000);
        const log = running.log();
        expect(count(log, '"msg":"shutting down"'), log).to.equal(1);
        expect(count(log, '"msg":"stopped"'), log).to.equal(1);
        expect(log).not.to.match(/shutdown failed|did not finish in time/);
        if (database.kind === 'pglite') {
          expect(pgliteClusterState(database.dataDir), 'the embedded database was shut down, not abandoned').to.equal(
            DB_SHUTDOWNED,
          );
          expect(fs.existsSync(path.join(database.dataDir, 'plaza.lock'))).to.equal(false);
        }

        const reopened = await openDatabase(database);
        try {
          const [post] = await reopened.orm.em.fork().execute('select view_count from posts where id = ?', [postId]);
          expect(post.view_count, 'the view counted before the stop').to.equal(1);
        } finally {
          await reopened.close();
        }
      } finally {
        await seed.close();
      }
    });
  }
});

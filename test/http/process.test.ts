import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { expect } from 'chai';
import { createTestDatabase } from '../helpers/testDatabase.ts';
import { HttpClient } from '../helpers/http.ts';

/** Runs src/main.ts as `npm start` does, on its own PGlite directory, and collects its log lines. */
function launch(env: Record<string, string>) {
  const child = spawn('node', ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, DATABASE_URL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const line = output.split('\n').find((l) => l.includes('"Plaza listening"'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line).url);
      }
    });
    child.once('exit', () => reject(new Error(`server exited early:\n${output}`)));
  });
  return { child, listening, log: () => output };
}

describe('the server process', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill('SIGKILL'));

  it('when started and sent SIGTERM, then it serves, keeps no secrets in the log and exits 0 releasing the database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-proc-'));
    // Relative paths, as the defaults (./data, ./data/pglite) are for `npm start`.
    const relative = path.relative(process.cwd(), dir);
    const db = await createTestDatabase();
    const database: Record<string, string> =
      db.target.kind === 'postgresql' ? { DATABASE_URL: db.target.url } : { PGLITE_DIR: path.join(relative, 'pglite') };
    const run = launch({ PORT: '0', DATA_DIR: relative, LOG_LEVEL: 'info', ...database });
    child = run.child;
    const http = new HttpClient(await run.listening);
    expect((await http.get('/health')).status).to.equal(200);
    const password = 'very-secret-password-1';
    await http.post('/auth/register', { username: 'loggy', email: 'loggy@example.test', password });
    const login = await http.post('/auth/login', { login: 'loggy', password });
    await http.get('/users/me', login.body.access_token);
    await http.post('/auth/password/forgot', { email: 'loggy@example.test' });

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).to.equal(0);
    const log = run.log();
    expect(log).to.include('"msg":"stopped"');
    for (const secret of [password, login.body.access_token, login.body.refresh_token]) expect(log).not.to.include(secret);
    expect(log).not.to.include('Reset token');
    expect(fs.existsSync(path.join(dir, 'pglite', 'plaza.lock'))).to.equal(false);
    expect(fs.readFileSync(path.join(dir, 'jwt-secret'), 'utf8').length).to.be.greaterThan(32);
    expect(fs.readdirSync(path.join(dir, 'uploads')).sort()).to.deep.equal(['.staging', 'documents', 'files', 'images']);
    await db.dispose();
  });
});

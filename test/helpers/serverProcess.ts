import { spawn, type ChildProcess } from 'node:child_process';

export interface ServerProcess {
  child: ChildProcess;
  /** The URL from its `Plaza listening` line; rejects with its output if it exits first. */
  url: Promise<string>;
  /** Resolves with its exit code once it ends. */
  exited: Promise<number | null>;
  /** Everything it printed so far. */
  log(): string;
}

/** A Plaza server process of its own (`node --import tsx src/main.ts`), to be killed or to be refused. */
export function launchServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = output.split('\n').find((l) => l.includes('"Plaza listening"'));
      if (line) resolve(JSON.parse(line).url);
    });
    void exited.then(() => reject(new Error(`server exited early:\n${output}`)));
  });
  // A test that expects the process to be refused never awaits `url`.
  url.catch(() => undefined);
  return { child, url, exited, log: () => output };
}

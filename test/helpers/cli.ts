import { execFile } from 'node:child_process';
import type { DatabaseTarget } from '../../src/db/openDatabase.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment that points the CLI at a test database, as an operator's shell would. */
export function cliEnv(database: DatabaseTarget, dataDir: string): Record<string, string> {
  return database.kind === 'postgresql'
    ? { DATABASE_URL: database.url, DATA_DIR: dataDir, BACKUP_DIR: `${dataDir}/backups` }
    : { DATABASE_URL: '', PGLITE_DIR: database.dataDir, DATA_DIR: dataDir, BACKUP_DIR: `${dataDir}/backups` };
}

/** Runs `npm run cli -- <args>` (as its script does: tsx src/cli.ts) with optional standard input. */
export function runCli(env: Record<string, string>, args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'node',
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });
}

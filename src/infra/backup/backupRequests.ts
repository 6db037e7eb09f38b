import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BackupError } from './databaseBackup.ts';
import type { BackupInfo } from './plazaBackup.ts';

/**
 * How the CLI asks a running server for a backup of the embedded database it holds: a request file in
 * BACKUP_DIR/.requests, then SIGUSR2 to the server; the server answers with a result file beside it.
 */
export const BACKUP_SIGNAL = 'SIGUSR2';

interface Request {
  id: string;
  name?: string;
}
type Result = { ok: true; backup: BackupInfo } | { ok: false; error: string };

function requestsDir(backupDir: string): string {
  return path.join(backupDir, '.requests');
}

/** CLI side: asks the server with `pid` and waits for its answer (up to `timeoutMs`). */
export async function requestBackup(
  pid: number,
  backupDir: string,
  name: string | undefined,
  timeoutMs = 600_000,
): Promise<BackupInfo> {
  const dir = requestsDir(backupDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const id = crypto.randomUUID();
  const resultFile = path.join(dir, `${id}.result.json`);
  fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify({ id, name } satisfies Request), { mode: 0o600 });
  process.kill(pid, BACKUP_SIGNAL);
  const deadline = Date.now() + timeoutMs;
  while (!fs.existsSync(resultFile)) {
    if (Date.now() > deadline) {
      fs.rmSync(path.join(dir, `${id}.json`), { force: true });
      throw new BackupError(`The running server (pid ${pid}) did not answer the backup request in time.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as Result;
  fs.rmSync(resultFile, { force: true });
  if (!result.ok) throw new BackupError(`The running server could not back up: ${result.error}`);
  return result.backup;
}

/**
 * Server side: on each SIGUSR2, takes every waiting request in turn with `backup` and answers it.
 * Returns the function that stops listening.
 */
export function answerBackupRequests(
  backupDir: string,
  backup: (name: string | undefined) => Promise<BackupInfo>,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
): () => void {
  let running: Promise<void> = Promise.resolve();
  const serve = async () => {
    const dir = requestsDir(backupDir);
    if (!fs.existsSync(dir)) return;
    for (const file of fs.readdirSync(dir).filter((f) => /^[0-9a-f-]{36}\.json$/.test(f))) {
      const request = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Request;
      fs.rmSync(path.join(dir, file), { force: true });
      let result: Result;
      try {
        result = { ok: true, backup: await backup(request.name) };
        log.info({ file: result.backup.file }, 'backup written on request');
      } catch (err) {
        result = { ok: false, error: (err as Error).message };
        log.error({ err }, 'backup on request failed');
      }
      const answer = path.join(dir, `${request.id}.result.json`);
      fs.writeFileSync(`${answer}.partial`, JSON.stringify(result), { mode: 0o600 });
      fs.renameSync(`${answer}.partial`, answer);
    }
  };
  const onSignal = () => {
    running = running.then(serve, serve);
  };
  process.on(BACKUP_SIGNAL, onSignal);
  return () => process.off(BACKUP_SIGNAL, onSignal);
}

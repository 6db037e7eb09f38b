import fs from 'node:fs';
import path from 'node:path';

/**
 * Takes a directory for this process alone: a lock file holding our pid, created exclusively. A lock
 * left by a dead process (kill -9, a crash) is taken over, so nothing has to be cleaned by hand; one held
 * by a live process makes `refuse(holderPid)` the error thrown. Returns the release function.
 */
export function lockDirectory(dir: string, fileName: string, refuse: (holderPid: number) => Error): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, fileName);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(lockPath);
      if (holder && holder !== process.pid) throw refuse(holder);
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock ${dir}: ${lockPath} keeps coming back.`);
}

/** The live process holding the lock file at `lockPath`, if one does. */
export function lockHolder(lockPath: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lockPath, 'utf8'));
  } catch {
    return undefined;
  }
  return pid && isAlive(pid) ? pid : undefined;
}

/** True when a process with this pid exists on this machine (EPERM: it exists but is not ours). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type { SpoolLog, SpooledMessage } from '../../domain/realtime/spool/spooledMessages.ts';
import { lockDirectory } from '../directoryLock.ts';

/** The spool's directory: SPOOL_DIR, or DATA_DIR/spool. */
export function spoolDirectory(config: { DATA_DIR: string; SPOOL_DIR?: string }): string {
  return config.SPOOL_DIR ?? path.join(config.DATA_DIR, 'spool');
}

export const SPOOL_FILE_NAME = 'messages.jsonl';

/** Another live process holds the spool directory: starting would replay its spool a second time. */
export class SpoolInUseError extends Error {
  override name = 'SpoolInUseError';
}

/**
 * Takes the spool directory for this process (a lock file with our pid; a dead holder's lock is taken
 * over, so kill -9 leaves nothing to clean). Two processes on one spool would both replay it: the second
 * is refused. Returns the release function.
 */
export function lockSpool(dir: string): () => void {
  return lockDirectory(
    dir,
    'plaza.lock',
    (holder) =>
      new SpoolInUseError(
        `The message spool in ${path.resolve(dir)} is held by process ${holder} (probably a running Plaza server). ` +
          `Each process needs its own spool: stop that server, or give this one another SPOOL_DIR (or DATA_DIR).`,
      ),
  );
}

type Line = { add: SpooledMessage } | { stored: string };

/**
 * The message spool on disk: one JSON line per event (`{"add": message}` or `{"stored": id}`), appended
 * and fsynced, so what a sender was told is pending survives kill -9. Operations run one at a time in
 * call order. A torn last line (the process died mid-write) is ignored: that message was never
 * acknowledged, since acknowledging waits for the fsync.
 */
export class SpoolFile implements SpoolLog {
  private handle?: fs.FileHandle;
  private size = 0;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  async open(): Promise<SpooledMessage[]> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const text = await fs.readFile(this.file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const pending = new Map<string, SpooledMessage>();
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        continue;
      }
      if ('add' in line) pending.set(line.add.id, line.add);
      else pending.delete(line.stored);
    }
    // Start from a compact file holding only what is still pending, written beside and renamed over.
    const compact = [...pending.values()].map((m) => `${JSON.stringify({ add: m } satisfies Line)}\n`).join('');
    const tmp = `${this.file}.tmp`;
    await fs.writeFile(tmp, compact, { flush: true });
    await fs.rename(tmp, this.file);
    this.handle = await fs.open(this.file, 'a');
    this.size = Buffer.byteLength(compact);
    return [...pending.values()];
  }

  append(message: SpooledMessage): Promise<void> {
    return this.write({ add: message }, true);
  }

  /** Not fsynced: losing it only means the message is stored again at a replay, which stores nothing twice. */
  markStored(id: string): Promise<void> {
    return this.write({ stored: id }, false);
  }

  clear(): Promise<void> {
    return this.serial(async () => {
      await this.handle!.truncate(0);
      await this.handle!.sync();
      this.size = 0;
    });
  }

  bytes(): number {
    return this.size;
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      await this.handle?.close();
      this.handle = undefined;
    });
  }

  private write(line: Line, sync: boolean): Promise<void> {
    const data = `${JSON.stringify(line)}\n`;
    return this.serial(async () => {
      await this.handle!.appendFile(data);
      if (sync) await this.handle!.datasync();
      this.size += Buffer.byteLength(data);
    });
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

import type { Logger } from 'pino';
import { connectTarget, type SshClient } from './connect.ts';
import type { SshTarget } from './serversFile.ts';

interface Entry {
  client: Promise<SshClient>;
  resolved?: SshClient;
  active: number;
  idleTimer?: NodeJS.Timeout;
}

/** A connection borrowed from the pool; `release` it when the command or transfer is done. */
export interface PooledConnection {
  client: SshClient;
  release(): void;
}

/**
 * One ssh2 connection per target, shared by every command and transfer on it (SSH multiplexes
 * channels) and closed after `idleMs` with nothing running. A connection that drops is forgotten, so
 * the next borrower reconnects.
 */
export class SshPool {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(private readonly options: { connectTimeoutMs: number; idleMs: number; log: Logger }) {}

  async acquire(target: SshTarget): Promise<PooledConnection> {
    if (this.closed) throw new Error('SSH pool is closed');
    let entry = this.entries.get(target.name);
    if (!entry) {
      const created: Entry = { client: this.open(target), active: 0 };
      this.entries.set(target.name, created);
      created.client.catch(() => {
        if (this.entries.get(target.name) === created) this.entries.delete(target.name);
      });
      entry = created;
    }
    entry.active++;
    clearTimeout(entry.idleTimer);
    const current = entry;
    try {
      const client = await current.client;
      let released = false;
      return {
        client,
        release: () => {
          if (released) return;
          released = true;
          this.release(target.name, current);
        },
      };
    } catch (err) {
      current.active--;
      throw err;
    }
  }

  /** Connections open now (for tests and diagnostics). */
  openCount(): number {
    return this.entries.size;
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(
      entries.map(async (e) => {
        clearTimeout(e.idleTimer);
        try {
          (await e.client).end();
        } catch {
          // never connected: nothing to close
        }
      }),
    );
  }

  /** Forgets the target's connection (it proved dead) so the next borrower reconnects. */
  evict(name: string, client: SshClient): void {
    const entry = this.entries.get(name);
    if (entry?.resolved === client) this.entries.delete(name);
    client.end();
  }

  private async open(target: SshTarget): Promise<SshClient> {
    const client = await connectTarget(target, { timeoutMs: this.options.connectTimeoutMs, log: this.options.log });
    const entry = this.entries.get(target.name);
    if (entry) entry.resolved = client;
    client.once('close', () => {
      if (this.entries.get(target.name)?.resolved === client) this.entries.delete(target.name);
    });
    this.options.log.debug({ server: target.name }, 'ssh connection opened');
    return client;
  }

  private release(name: string, entry: Entry): void {
    entry.active--;
    if (entry.active > 0 || this.entries.get(name) !== entry) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0 || this.entries.get(name) !== entry) return;
      this.entries.delete(name);
      entry.client.then(
        (c) => c.end(),
        () => {},
      );
      this.options.log.debug({ server: name }, 'idle ssh connection closed');
    }, this.options.idleMs);
    entry.idleTimer.unref();
  }
}

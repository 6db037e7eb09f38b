import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { EmbeddedThreadData } from './embeddedDatabaseThread.ts';
import { pgliteWasm } from './pgliteWasm.ts';

const THREAD_ENTRY = new URL('./embeddedDatabaseThread.ts', import.meta.url);
const STOP_GRACE_MS = 10_000;
/** Pause before starting a died thread again, and between attempts when a start fails. */
const RESTART_DELAY_MS = 1_000;

/** The port number in the socket file's name (`.s.PGSQL.<port>`), which is how `pg` finds a unix socket. */
export const EMBEDDED_SOCKET_PORT = 5432;

/**
 * The embedded PGlite database running in its own worker thread, reached by the ordinary PostgreSQL
 * driver over a unix socket. A query, however long, then costs the event loop nothing but its answer:
 * rooms and `/health` keep answering meanwhile. A statement PGlite cannot stop by itself (it enforces no
 * `statement_timeout`) is stopped by ending the thread and opening the data directory again.
 */
export class EmbeddedDatabase {
  private worker?: Worker;
  private readonly socketDir: string;

  private stopped = false;
  private reopening?: Promise<void>;
  private spawning?: Promise<void>;
  private restartTimer?: ReturnType<typeof setTimeout>;

  private constructor(
    readonly dataDir: string,
    private readonly onExit: (err: Error, restarting: boolean) => void,
  ) {
    this.socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plaza-db-'));
  }

  /** Starts the thread on `dataDir` ('memory://' for none), seeded from `loadDataDir` if given. */
  static async start(
    dataDir: string,
    options: { loadDataDir?: Blob; onUnexpectedExit?: (err: Error, restarting: boolean) => void } = {},
  ): Promise<EmbeddedDatabase> {
    const db = new EmbeddedDatabase(dataDir, options.onUnexpectedExit ?? (() => {}));
    try {
      await db.spawn(options.loadDataDir ? await options.loadDataDir.arrayBuffer() : undefined);
    } catch (err) {
      fs.rmSync(db.socketDir, { recursive: true, force: true });
      throw err;
    }
    return db;
  }

  /** The directory holding the socket: the `host` the PostgreSQL driver connects to. */
  get host(): string {
    return this.socketDir;
  }

  /** An in-memory database dies with its thread: only one on disk can be interrupted and reopened. */
  get interruptible(): boolean {
    return !this.dataDir.startsWith('memory:');
  }

  /**
   * Stops whatever statement is running by ending the thread, then reopens the data directory
   * (PostgreSQL's crash recovery replays what was committed). Connections in use fail and the pool
   * opens new ones.
   */
  interrupt(): Promise<void> {
    if (!this.interruptible) return Promise.reject(new Error('an in-memory embedded database cannot be interrupted'));
    // Several callers at once (every failing query) share one reopening.
    this.reopening ??= this.reopen().finally(() => {
      this.reopening = undefined;
    });
    return this.reopening;
  }

  private async reopen(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
    if (this.stopped) return;
    try {
      await this.spawn();
    } catch (err) {
      // Not there yet (e.g. no disk space for recovery): keep trying, as after a death.
      this.onExit(err instanceof Error ? err : new Error(String(err)), true);
      this.restart();
      throw err;
    }
  }

  /** A consistent gzip archive of the data directory, made by the thread that holds it open. */
  async dump(): Promise<Blob> {
    const worker = this.worker;
    if (!worker) throw new Error('the embedded database is not running');
    const { port1, port2 } = new MessageChannel();
    const answer = new Promise<{ bytes?: ArrayBuffer; error?: string }>((resolve) => port1.once('message', resolve));
    worker.postMessage({ type: 'dump', reply: port2 }, [port2]);
    const { bytes, error } = await answer.finally(() => port1.close());
    if (!bytes) throw new Error(`the embedded database could not be dumped: ${error}`);
    return new Blob([bytes]);
  }

  /** Closes the database cleanly (checkpoint) and ends the thread. */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      const stopped = new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ type: 'stop' });
      // A clean close checkpoints; should it not come, ending the thread loses nothing committed.
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref())]);
      await worker.terminate();
    }
    fs.rmSync(this.socketDir, { recursive: true, force: true });
  }

  /**
   * The thread died on its own (an uncaught error inside it). A database on disk is opened again, as
   * `interrupt` does (crash recovery keeps what was committed; the pool reconnects); an in-memory one
   * died with its thread and is not replaced by an empty one.
   */
  private died(worker: Worker, err: Error): void {
    if (this.worker !== worker) return; // stopped, interrupted or already handled ('error' comes before 'exit')
    this.worker = undefined;
    const restarting = this.interruptible && !this.stopped;
    this.onExit(err, restarting);
    if (restarting) this.restart();
  }

  private restart(): void {
    if (this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopped || this.worker || this.spawning) return;
      this.spawn().catch((err: unknown) => {
        this.onExit(err instanceof Error ? err : new Error(String(err)), true);
        this.restart();
      });
    }, RESTART_DELAY_MS).unref();
  }

  /** One thread starting at a time: two PGlite instances on one directory would corrupt it. */
  private spawn(load?: ArrayBuffer): Promise<void> {
    this.spawning ??= this.startThread(load).finally(() => {
      this.spawning = undefined;
    });
    return this.spawning;
  }

  private async startThread(load?: ArrayBuffer): Promise<void> {
    const socketPath = path.join(this.socketDir, `.s.PGSQL.${EMBEDDED_SOCKET_PORT}`);
    fs.rmSync(socketPath, { force: true });
    const data: EmbeddedThreadData = { dataDir: this.dataDir, socketPath, load, ...(await pgliteWasm()) };
    // No loader in the thread: Node strips the types of its one TypeScript file itself, and the
    // thread starts faster without compiling anything.
    const worker = new Worker(THREAD_ENTRY, {
      workerData: data,
      transferList: load ? [load] : [],
      execArgv: [],
    });
    this.worker = worker;
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => {
        worker.off('message', ready);
        // A thread that never started is no database: a later restart must not take it for one.
        if (this.worker === worker) this.worker = undefined;
        reject(new Error(`the embedded database did not start: ${err.message}`));
      };
      const exited = (code: number) => failed(new Error(`its thread exited with code ${code}`));
      // Listeners are removed one by one: removeAllListeners would also drop the worker's own
      // hooks that start its message port, and no later message would arrive.
      const ready = () => {
        worker.off('error', failed);
        worker.off('exit', exited);
        worker.on('error', (err: Error) => this.died(worker, err));
        worker.on('exit', (code) => this.died(worker, new Error(`the embedded database thread exited (code ${code})`)));
        // Stopped while it started (a reopening at shutdown): it serves nobody.
        if (this.stopped) void worker.terminate();
        resolve();
      };
      worker.once('error', failed);
      worker.once('exit', exited);
      worker.once('message', ready);
    });
  }
}

const embedded = new WeakMap<object, EmbeddedDatabase>();

/** Records that `orm` runs on `database`, for the code that must know (the console's timeout). */
export function registerEmbedded(orm: object, database: EmbeddedDatabase): void {
  embedded.set(orm, database);
}

/** The embedded database `orm` runs on, if it runs on one in a thread. */
export function embeddedDatabaseOf(orm: object): EmbeddedDatabase | undefined {
  return embedded.get(orm);
}

/**
 * Runs a chat room's stores one at a time, in arrival order, so what the room delivers goes out in id
 * order, the same for every member — and stores the messages that queued up behind a store together:
 * a run of consecutive `add`ed items at the head of the queue (at most `maxBatch`) goes to `storeBatch`
 * as one batch (one statement, one round trip), so a slow or busy database does not hold every message
 * for one round trip each. Other work (`push`: a catch-up reply, a delivery from another process) runs
 * alone, in its place in the order.
 *
 * Each entry has its own deadline from the moment it arrives, so a slow database never leaves the
 * entries behind it without an answer:
 *
 * - an entry still waiting at its deadline is dropped (it never began, so nothing of it is stored);
 * - an entry running at its deadline goes on and finishes (its outcome is delivered when it comes).
 *
 * `onLate(started)` tells the caller which of the two happened, once, when the deadline passes.
 */
export class StoreQueue<T> {
  private readonly waiting: Entry<T>[] = [];
  private running = false;
  private idle: Promise<void> = Promise.resolve();
  private wake?: () => void;

  /**
   * `storeBatch` gets the items in arrival order and answers one outcome per item, in the same order:
   * `undefined` when it was handled, or the error its sender should hear. A throw fails the whole batch.
   */
  constructor(
    private readonly deadlineMs: number,
    private readonly storeBatch: (items: T[]) => Promise<unknown[]>,
    private readonly maxBatch = 64,
  ) {}

  /** Queues one work item; resolves when it has run (or was dropped), rejects with its error. */
  push(task: () => Promise<void>, onLate?: (started: boolean) => void): Promise<void> {
    return this.enqueue({ kind: 'task', task }, onLate);
  }

  /** Queues an item to store with its neighbours; resolves once its batch ran, rejects with its own error. */
  add(item: T, onLate?: (started: boolean) => void): Promise<void> {
    return this.enqueue({ kind: 'item', item }, onLate);
  }

  /** Resolves once everything queued so far has run. */
  drained(): Promise<void> {
    return this.running ? this.idle : Promise.resolve();
  }

  private enqueue(work: Work<T>, onLate?: (started: boolean) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry: Entry<T> = { work, started: false, dropped: false, resolve, reject };
      if (onLate)
        entry.timer = setTimeout(() => {
          entry.dropped = !entry.started;
          onLate(entry.started);
        }, this.deadlineMs);
      this.waiting.push(entry);
      if (!this.running) this.start();
    });
  }

  private start(): void {
    this.running = true;
    this.idle = new Promise<void>((resolve) => (this.wake = resolve));
    void this.runAll();
  }

  private async runAll(): Promise<void> {
    // One turn of the event loop first: sends that arrive together are stored together.
    await Promise.resolve();
    while (this.waiting.length > 0) await this.runNext(this.takeNext());
    this.running = false;
    this.wake?.();
  }

  /** The head entry alone (a task), or the run of items at the head, without those dropped meanwhile. */
  private takeNext(): Entry<T>[] {
    const head = this.waiting.shift()!;
    if (head.work.kind === 'task') return [head];
    const run = [head];
    while (run.length < this.maxBatch && this.waiting[0]?.work.kind === 'item') run.push(this.waiting.shift()!);
    return run;
  }

  private async runNext(entries: Entry<T>[]): Promise<void> {
    const live = entries.filter((e) => !e.dropped);
    for (const e of entries) if (e.dropped) e.resolve();
    if (live.length === 0) return;
    for (const e of live) e.started = true;
    try {
      const first = live[0].work;
      if (first.kind === 'task') {
        await first.task();
        live[0].resolve();
        return;
      }
      const outcomes = await this.storeBatch(live.map((e) => (e.work as { item: T }).item));
      live.forEach((e, i) => (outcomes[i] === undefined ? e.resolve() : e.reject(outcomes[i])));
    } catch (err) {
      for (const e of live) e.reject(err);
    } finally {
      for (const e of live) clearTimeout(e.timer);
    }
  }
}

type Work<T> = { kind: 'task'; task: () => Promise<void> } | { kind: 'item'; item: T };

interface Entry<T> {
  work: Work<T>;
  started: boolean;
  dropped: boolean;
  timer?: ReturnType<typeof setTimeout>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

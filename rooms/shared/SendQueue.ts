/**
 * Runs a room's stores one at a time, in arrival order, so what the room delivers goes out in id order,
 * the same for every member. Each task has its own deadline from the moment it arrives, so a slow
 * database never leaves the tasks queued behind it without an answer:
 *
 * - a task still waiting at its deadline is dropped (it never began, so nothing of it is stored);
 * - a task running at its deadline goes on and finishes (its outcome is delivered when it comes).
 *
 * `onLate(started)` tells the caller which of the two happened, once, when the deadline passes.
 */
export class SendQueue {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deadlineMs: number) {}

  /** Queues `task`; resolves when it has run (or was dropped), rejects with its error. */
  push(task: () => Promise<void>, onLate?: (started: boolean) => void): Promise<void> {
    let started = false;
    let dropped = false;
    const timer = onLate
      ? setTimeout(() => {
          dropped = !started;
          onLate(started);
        }, this.deadlineMs)
      : undefined;
    const run = this.tail.then(async () => {
      if (dropped) return;
      started = true;
      try {
        await task();
      } finally {
        clearTimeout(timer);
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Resolves once everything queued so far has run. */
  drained(): Promise<unknown> {
    return this.tail;
  }
}

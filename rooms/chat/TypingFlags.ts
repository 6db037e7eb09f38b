/**
 * Who is typing in a chat room, gathered between patches and applied to state at most once per
 * `intervalMs`: a burst of `typing` messages from many members becomes one state patch per interval,
 * not one per patch tick. A flag lapses `timeoutMs` after the member last said they were typing.
 */
export class TypingFlags {
  /** Typing members → when their flag lapses. */
  private readonly until = new Map<number, number>();
  /** Members who stopped (said so, sent a message, went offline) since the last flush. */
  private readonly stopped = new Set<number>();
  private lastFlush = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
  ) {}

  set(userId: number, typing: boolean, now: number): void {
    if (typing) {
      this.until.set(userId, now + this.timeoutMs);
      this.stopped.delete(userId);
    } else if (this.until.delete(userId)) {
      this.stopped.add(userId);
    }
  }

  /** Applies the flags through `apply` when the interval has passed since the last flush. */
  flush(now: number, apply: (userId: number, typing: boolean) => void): void {
    if (now - this.lastFlush < this.intervalMs) return;
    this.lastFlush = now;
    for (const userId of this.stopped) apply(userId, false);
    this.stopped.clear();
    for (const [userId, until] of this.until) {
      const typing = until > now;
      if (!typing) this.until.delete(userId);
      apply(userId, typing);
    }
  }
}

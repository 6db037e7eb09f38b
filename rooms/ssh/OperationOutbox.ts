/** One message of an operation to its client, as sent (with its `seq`). */
export interface OutboxEntry {
  type: string;
  payload: Record<string, unknown> & { seq: number };
  /** Output bytes it carries (0 for `complete` and `error`). */
  bytes: number;
}

/** Output a replay cannot give back any more: messages `after_seq + 1 … next_seq - 1`, `bytes_dropped` bytes. */
export interface OutputGap {
  after_seq: number;
  next_seq: number;
  bytes_dropped: number;
}

/**
 * The messages of a client's latest operation (its `output` pieces, then `complete` or `error`),
 * numbered from 1 in `seq` and kept so a client that lost its connection gets what it missed. Only
 * the latest `capBytes` of output are kept: older output is pushed out, and a replay that reaches
 * into it starts with a gap saying how much is gone. The final message is never pushed out.
 */
export class OperationOutbox {
  private readonly entries: OutboxEntry[] = [];
  private lastSeq = 0;
  private heldBytes = 0;
  private totalBytes = 0;
  /** Output bytes up to and including each seq (index = seq), to size a gap exactly. */
  private readonly ends: number[] = [0];
  private pushedOutUpTo = 0;
  /** Highest seq the client was sent while connected. */
  sentUpTo = 0;

  constructor(
    /** The ids that name the operation in every message (`command_id` or `transfer_id`, and the target). */
    readonly base: Record<string, string>,
    private readonly capBytes: number,
  ) {}

  get operationId(): string {
    return this.base.command_id ?? this.base.transfer_id;
  }

  /** Numbers and keeps one message; returns the entry to send. */
  add(type: string, message: Record<string, unknown>, bytes = 0): OutboxEntry {
    const seq = ++this.lastSeq;
    const entry: OutboxEntry = { type, payload: { ...message, ...this.base, seq }, bytes };
    this.totalBytes += bytes;
    this.ends[seq] = this.totalBytes;
    this.entries.push(entry);
    this.heldBytes += bytes;
    while (this.heldBytes > this.capBytes && this.entries.length && this.entries[0].bytes > 0) {
      const old = this.entries.shift()!;
      this.heldBytes -= old.bytes;
      this.pushedOutUpTo = old.payload.seq;
    }
    return entry;
  }

  /** Everything after `afterSeq` still kept, and the gap before it if some was pushed out. */
  after(afterSeq: number): { gap: OutputGap | null; entries: OutboxEntry[] } {
    const from = Math.min(Math.max(0, afterSeq), this.lastSeq);
    const gap =
      this.pushedOutUpTo > from
        ? {
            after_seq: from,
            next_seq: this.pushedOutUpTo + 1,
            bytes_dropped: this.ends[this.pushedOutUpTo] - this.ends[from],
          }
        : null;
    return { gap, entries: this.entries.filter((e) => e.payload.seq > from) };
  }

  get latestSeq(): number {
    return this.lastSeq;
  }
}

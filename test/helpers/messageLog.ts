import type { Room } from '@colyseus/sdk';

interface Stored {
  id: number;
  seq: number | null;
}

/**
 * The client's part of "nothing lost, nothing duplicated" as docs/realtime.md describes it: keep what
 * arrives by id, remember the last id held without a gap, notice a gap in a conversation's `seq`, and
 * ask with `sync` for everything after the last id held — on a gap and after every reconnect.
 */
export class MessageLog<T extends Stored = any> {
  readonly byId = new Map<number, T>();
  /** How many times each id arrived (a server that duplicates shows up here). */
  readonly receipts = new Map<number, number>();
  lastSeenId = 0;
  syncs = 0;
  private readonly lastSeq = new Map<string, number>();
  private gap = false;

  /**
   * @param live the message type of the live stream (`message` in chat, `dm` in home)
   * @param conversationOf which conversation a message's `seq` counts in
   */
  constructor(
    private readonly room: Room,
    live: string,
    private readonly conversationOf: (m: T) => string,
  ) {
    room.onMessage(live, (m: T) => this.add([m]));
    room.onMessage('sync', (page: { items: T[]; has_more: boolean }) => {
      this.gap = false;
      this.add(page.items);
      // A page ends where the next one starts, whatever was held before.
      if (page.has_more) this.sync(page.items[page.items.length - 1].id);
    });
    room.onReconnect(() => this.sync());
  }

  /** Asks for everything after the last id held without a gap (or after `from`). */
  sync(from = this.lastSeenId): void {
    this.syncs++;
    this.room.send('sync', { last_seen_id: from });
  }

  get items(): T[] {
    return [...this.byId.values()].sort((a, b) => a.id - b.id);
  }

  private add(messages: T[]): void {
    for (const m of messages) {
      this.receipts.set(m.id, (this.receipts.get(m.id) ?? 0) + 1);
      if (this.byId.has(m.id)) continue;
      this.byId.set(m.id, m);
      if (m.seq !== null) {
        const key = this.conversationOf(m);
        const last = this.lastSeq.get(key) ?? m.seq - 1;
        if (m.seq > last + 1 && !this.gap) {
          this.gap = true;
          this.sync();
        }
        this.lastSeq.set(key, Math.max(last, m.seq));
      }
      if (!this.gap) this.lastSeenId = Math.max(this.lastSeenId, m.id);
    }
  }
}

import { PGlite, type ExecProtocolOptionsStream } from '@electric-sql/pglite';

const QUERY = 0x51; // 'Q': a simple query
const SYNC = 0x53; // 'S': the end of an extended-protocol exchange
const READY_FOR_QUERY = 0x5a; // 'Z', always 6 bytes: 'Z', int32 length 5, transaction status
const READY_LENGTH = 6;

/**
 * PGlite that reports itself broken instead of going on half-alive. Every simple query and every Sync
 * must be answered with ReadyForQuery (the protocol's promise; Plaza sends no COPY FROM STDIN, the one
 * exception). After some failures PGlite breaks that promise for good: a WAL segment that cannot be
 * written on a full disk (53100 `could not write to file "pg_wal/xlogtemp…"`) leaves every later
 * statement on every connection unanswered, even once space is freed; PostgreSQL itself would PANIC
 * and restart. A statement that throws out of PGlite leaves it in an unknown state too. In either case
 * `onBroken` is called once (the embedded thread then ends and is opened again: crash recovery keeps
 * what was committed) and the statement's connection fails.
 */
export class FailStopPGlite extends PGlite {
  private broken = false;
  private onBroken: (reason: Error) => void = () => {};

  /** Who is told, once, that this instance cannot be trusted any more. */
  whenBroken(listener: (reason: Error) => void): void {
    this.onBroken = listener;
  }

  override async execProtocolRawStream(message: Uint8Array, options: ExecProtocolOptionsStream): Promise<void> {
    let tail: Uint8Array = new Uint8Array(0);
    try {
      await super.execProtocolRawStream(message, {
        ...options,
        onRawData: (data) => {
          tail = lastBytes(tail, data);
          options.onRawData(data);
        },
      });
    } catch (err) {
      this.fail(new Error(`a statement threw out of the embedded database: ${String(err)}`, { cause: err }));
      throw err;
    }
    if (awaitsReadyForQuery(message) && tail[0] !== READY_FOR_QUERY) {
      this.fail(new Error('the embedded database stopped answering statements (no ReadyForQuery)'));
      throw new Error('the embedded database is broken and is being reopened');
    }
  }

  private fail(reason: Error): void {
    if (this.broken || this.closed) return;
    this.broken = true;
    this.onBroken(reason);
  }
}

/**
 * Whether `messages` (what pglite-socket passes on: one message, or a client's extended-protocol batch)
 * must be answered with ReadyForQuery: a simple query, or anything ending with a Sync (`S`, length 4).
 */
function awaitsReadyForQuery(messages: Uint8Array): boolean {
  const n = messages.length;
  if (messages[0] === QUERY) return true;
  return (
    n >= 5 &&
    messages[n - 5] === SYNC &&
    messages[n - 4] === 0 &&
    messages[n - 3] === 0 &&
    messages[n - 2] === 0 &&
    messages[n - 1] === 4
  );
}

/** The last READY_LENGTH bytes of `tail` followed by `data`. */
function lastBytes(tail: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length >= READY_LENGTH) return data.slice(data.length - READY_LENGTH);
  const joined = new Uint8Array(tail.length + data.length);
  joined.set(tail);
  joined.set(data, tail.length);
  return joined.slice(Math.max(0, joined.length - READY_LENGTH));
}

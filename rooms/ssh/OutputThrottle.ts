import type { OutputStream } from '../../src/domain/ssh/ports.ts';

/**
 * Collapses carriage-return progress: of each line's `\r`-separated rewrites only the last
 * survives, since the client would overwrite the earlier ones anyway. `\r\n` is a plain newline. The
 * first line keeps a leading `\r` when it rewrote something (it may continue a line sent before), and
 * a line that ended in `\r` keeps it so the next text still overwrites.
 */
export function collapseCarriageReturns(text: string): string {
  if (!text.includes('\r')) return text;
  return text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line, index) => {
      if (!line.includes('\r')) return line;
      const pieces = line.split('\r');
      let last = pieces.length - 1;
      while (last > 0 && pieces[last] === '') last--;
      return (index === 0 && last > 0 ? '\r' : '') + pieces[last] + (last < pieces.length - 1 ? '\r' : '');
    })
    .join('\n');
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes, in order, never inside a character
 * (a piece may be a few bytes short of the cap so that a multi-byte character stays whole).
 */
export function splitByBytes(text: string, maxBytes: number): string[] {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + maxBytes, bytes.length);
    // Back off continuation bytes (10xxxxxx) so the cut falls on a character's first byte.
    while (end < bytes.length && end > start && (bytes[end] & 0xc0) === 0x80) end--;
    pieces.push(bytes.toString('utf8', start, end));
    start = end;
  }
  return pieces;
}

/**
 * Coalesces one client's output so it gets at most `perSecond` flushes a second. Between flushes,
 * consecutive chunks of the same stream are joined; a switch of stream starts a new piece, so a flush
 * sends stdout and stderr in the order they were written. Carriage-return progress is collapsed
 * before sending.
 */
export class OutputThrottle {
  private readonly pending: { stream: OutputStream; text: string }[] = [];
  private timer?: NodeJS.Timeout;
  private lastSent = -Infinity;
  private readonly intervalMs: number;

  constructor(
    private readonly send: (stream: OutputStream, data: string) => void,
    perSecond: number,
  ) {
    this.intervalMs = 1000 / perSecond;
  }

  push(stream: OutputStream, text: string): void {
    if (!text) return;
    const last = this.pending.at(-1);
    if (last?.stream === stream) last.text += text;
    else this.pending.push({ stream, text });
    this.schedule();
  }

  /** Sends everything pending now (at the end of a command). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.emitPending();
  }

  private schedule(): void {
    if (this.timer || !this.pending.length) return;
    const delay = Math.max(0, this.lastSent + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.emitPending();
    }, delay);
  }

  private emitPending(): void {
    this.lastSent = performance.now();
    for (const { stream, text } of this.pending.splice(0)) {
      const data = collapseCarriageReturns(text);
      if (data) this.send(stream, data);
    }
  }
}

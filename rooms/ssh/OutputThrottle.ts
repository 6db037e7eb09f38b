import type { OutputStream } from '../../src/domain/ssh/ports.ts';

/**
 * Collapses carriage-return progress (seed 004): of each line's `\r`-separated rewrites only the last
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
 * Coalesces one client's output so it gets at most `perSecond` messages a second: chunks that arrive
 * in between are joined per stream (each stream in order; the stream that has waited longest goes
 * first) and carriage-return progress is collapsed before sending.
 */
export class OutputThrottle {
  private pending: { stream: OutputStream; text: string }[] = [];
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
    const entry = this.pending.find((p) => p.stream === stream);
    if (entry) entry.text += text;
    else this.pending.push({ stream, text });
    this.schedule();
  }

  /** Sends everything pending now (at the end of a command). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const { stream, text } of this.pending.splice(0)) this.emit(stream, text);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.pending = [];
  }

  private schedule(): void {
    if (this.timer || !this.pending.length) return;
    const delay = Math.max(0, this.lastSent + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const next = this.pending.shift();
      if (next) this.emit(next.stream, next.text);
      this.schedule();
    }, delay);
  }

  private emit(stream: OutputStream, text: string): void {
    this.lastSent = performance.now();
    const data = collapseCarriageReturns(text);
    if (data) this.send(stream, data);
  }
}

import { AppError } from '../../errors/index.ts';
import type { CommandEndReason, CommandRequest, CommandResult, OutputStream } from '../../domain/ssh/ports.ts';
import type { ClientChannel } from 'ssh2';
import type { SshClient } from './connect.ts';

/** How long to wait for the channel to close after we asked it to, before giving up on it. */
const CLOSE_WAIT_MS = 5000;

/**
 * Runs one command on an open connection and streams its output as it arrives. It ends on exit, on
 * the stop phrase (the command then counts as complete: the channel is closed), on cancel or timeout
 * (TERM, then close: close alone does not stop a command without a pty), or when the output cap is
 * reached (stopped the same way, reported truncated).
 */
export function runCommand(client: SshClient, server: string, req: CommandRequest): Promise<CommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const notStarted = (err: Error) =>
      reject(
        new AppError(isClosed(err) ? 'SSH_CONNECTION_LOST' : 'SSH_COMMAND_FAILED', {
          detail: { server, reason: err.message, started: false },
        }),
      );
    try {
      client.exec(req.command, onChannel);
    } catch (err) {
      notStarted(err as Error);
    }
    function onChannel(err: Error | undefined, channel: ClientChannel) {
      if (err) {
        notStarted(err);
        return;
      }
      let bytes = 0;
      let truncated = false;
      let reason: CommandEndReason | undefined;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      let sawExit = false;
      let forceTimer: NodeJS.Timeout | undefined;
      const phrase = req.stopPhrase ? Buffer.from(req.stopPhrase) : undefined;
      const tails: Record<OutputStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
      const timeout = AbortSignal.timeout(req.timeoutMs);
      const abort = AbortSignal.any([req.signal, timeout]);

      const stop = (why: CommandEndReason, terminate: boolean) => {
        if (reason) return;
        reason = why;
        if (terminate && !sawExit) channel.signal('TERM');
        channel.close();
        // At the stop phrase the command has done what we waited for: complete now. (sshd confirms the
        // close only once the command's pipes are gone, which may be much later.)
        if (why === 'stop_phrase') finish();
        else forceTimer = setTimeout(() => finish(), CLOSE_WAIT_MS);
      };
      const onAbort = () => stop(req.signal.aborted ? 'cancelled' : 'timeout', true);
      if (abort.aborted) onAbort();
      else abort.addEventListener('abort', onAbort, { once: true });

      const onData = (stream: OutputStream) => (chunk: Buffer) => {
        if (reason) return;
        let piece = chunk;
        let phraseHit = false;
        if (phrase) {
          const tail = tails[stream];
          const joined = tail.length ? Buffer.concat([tail, chunk]) : chunk;
          const at = joined.indexOf(phrase);
          if (at >= 0) {
            piece = chunk.subarray(0, at + phrase.length - tail.length);
            phraseHit = true;
          } else {
            tails[stream] = joined.subarray(Math.max(0, joined.length - (phrase.length - 1)));
          }
        }
        if (bytes + piece.length > req.outputCap) {
          piece = piece.subarray(0, req.outputCap - bytes);
          truncated = true;
        }
        bytes += piece.length;
        if (piece.length) req.onOutput(stream, piece);
        if (truncated) stop('output_cap', true);
        else if (phraseHit) stop('stop_phrase', false);
      };
      channel.on('data', onData('stdout'));
      channel.stderr.on('data', onData('stderr'));
      channel.on('error', () => {});
      channel.on('exit', (code: number | null, signalName?: string) => {
        sawExit = true;
        exitCode = typeof code === 'number' ? code : null;
        // SSH names signals without the prefix (RFC 4254 "TERM"); ssh2 reports them as "SIGTERM".
        exitSignal = signalName ? signalName.replace(/^SIG/, '') : null;
      });
      channel.on('close', () => finish());

      let done = false;
      function finish() {
        if (done) return;
        done = true;
        clearTimeout(forceTimer);
        abort.removeEventListener('abort', onAbort);
        if (!reason && !sawExit) {
          reject(
            new AppError('SSH_CONNECTION_LOST', {
              detail: { server, reason: 'the channel closed before the command exited' },
            }),
          );
          return;
        }
        const terminated = reason === 'cancelled' || reason === 'timeout' || reason === 'output_cap';
        resolve({
          exitCode,
          signal: exitSignal ?? (terminated ? 'TERM' : null),
          reason: reason ?? 'exit',
          truncated,
          durationMs: Math.round(performance.now() - started),
          bytes,
        });
      }
    }
  });
}

function isClosed(err: Error): boolean {
  return /not connected|no response|closed|ECONNRESET/i.test(err.message);
}

/** True for a failure before the command started, on a connection that turned out to be dead. */
export function failedOnDeadConnection(err: unknown): boolean {
  return (
    err instanceof AppError &&
    err.key === 'SSH_CONNECTION_LOST' &&
    (err.detail as { started?: boolean } | undefined)?.started === false
  );
}

import type { Logger } from 'pino';
import type { ClientChannel } from 'ssh2';
import { AppError } from '../../errors/index.ts';
import type { CommandEndReason, CommandRequest, CommandResult, OutputStream } from '../../domain/ssh/ports.ts';
import type { SshClient } from './connect.ts';

/** How long to wait for the target to confirm the end (exit status or channel close) after KILL. */
const CONFIRM_WAIT_MS = 5000;

export interface RunOptions {
  /** Time a stopped command gets between TERM and KILL. */
  killGraceMs: number;
  log: Logger;
}

/**
 * Runs one command on an open connection and streams its output as it arrives. It ends on exit, on
 * the stop phrase, on cancel or timeout, or when the output cap is reached. Every end but a plain exit
 * stops the command on the target: TERM (sshd signals the command's whole process group), KILL after
 * the grace if it has not exited, then the channel is closed. Closing alone would leave a command
 * without a pty running. The result comes once the target reported the exit, or says it never did
 * (`stopConfirmed: false`: a server that ignores signal requests).
 */
export function runCommand(
  client: SshClient,
  server: string,
  req: CommandRequest,
  options: RunOptions,
): Promise<CommandResult> {
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
      let channelError: Error | undefined;
      const timers: NodeJS.Timeout[] = [];
      const phrase = req.stopPhrase ? Buffer.from(req.stopPhrase) : undefined;
      const tails: Record<OutputStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
      const abort = AbortSignal.any([req.signal, AbortSignal.timeout(req.timeoutMs)]);

      const stop = (why: CommandEndReason) => {
        if (reason) return;
        reason = why;
        if (sawExit) {
          channel.close();
          timers.push(setTimeout(() => finish(false), CONFIRM_WAIT_MS));
          return;
        }
        channel.signal('TERM');
        timers.push(
          setTimeout(() => {
            if (done) return;
            if (!sawExit) {
              options.log.info({ server, reason: why }, 'ssh command outlived TERM: sending KILL');
              channel.signal('KILL');
            }
            timers.push(setTimeout(() => finish(false), CONFIRM_WAIT_MS));
          }, options.killGraceMs),
        );
      };
      const onAbort = () => stop(req.signal.aborted ? 'cancelled' : 'timeout');
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
        if (truncated) stop('output_cap');
        else if (phraseHit) stop('stop_phrase');
      };
      channel.on('data', onData('stdout'));
      channel.stderr.on('data', onData('stderr'));
      channel.on('error', (error: Error) => {
        channelError = error;
        options.log.warn({ server, reason: error.message }, 'ssh command channel error');
      });
      channel.on('exit', (code: number | null, signalName?: string) => {
        sawExit = true;
        exitCode = typeof code === 'number' ? code : null;
        // SSH names signals without the prefix (RFC 4254 "TERM"); ssh2 reports them as "SIGTERM".
        exitSignal = signalName ? signalName.replace(/^SIG/, '') : null;
        // Stopped by us: the command is gone; what its leftover pipes still hold is not wanted.
        if (reason) channel.close();
      });
      channel.on('close', () => finish(true));

      let done = false;
      function finish(closed: boolean) {
        if (done) return;
        done = true;
        for (const timer of timers) clearTimeout(timer);
        abort.removeEventListener('abort', onAbort);
        if (!closed) channel.close();
        if (!reason && !sawExit) {
          reject(
            new AppError('SSH_CONNECTION_LOST', {
              detail: { server, reason: channelError?.message ?? 'the channel closed before the command exited' },
            }),
          );
          return;
        }
        if (reason && !sawExit)
          options.log.warn({ server, reason }, 'the target never confirmed that the stopped command ended');
        resolve({
          exitCode,
          signal: exitSignal,
          reason: reason ?? 'exit',
          truncated,
          durationMs: Math.round(performance.now() - started),
          bytes,
          stopConfirmed: sawExit,
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

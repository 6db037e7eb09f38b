import type { Logger } from './logging/logger.ts';

/** The signals that ask Plaza to stop: SIGTERM (systemd, docker, kill), SIGINT (Ctrl-C), SIGHUP (terminal closed). */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

export interface StopOnSignalsOptions {
  /** After the first signal, how long the shutdown may take before the process gives up on it and exits 1. */
  deadlineMs: number;
  exit?: (code: number) => void;
}

/**
 * Turns every stop signal into ONE clean shutdown. The first SIGTERM, SIGINT or SIGHUP stops the
 * server and exits 0 once it has stopped (a signal that arrives while the server is still starting
 * stops it as soon as it is up). Later signals are logged and ignored: one Ctrl-C reaches the
 * process twice (from the terminal and from npm, which forwards it), and systemd signals every
 * process of the service, so a repeat must never cut the flush of pending writes short. A shutdown
 * that outlives `deadlineMs` exits 1 so a wedged dependency cannot keep the process forever.
 * The handlers stay installed for the life of the process (never `once`).
 */
export function stopOnSignals(
  server: Promise<{ stop(): Promise<void> }>,
  logger: Logger,
  options: StopOnSignalsOptions,
): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let first: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (first) {
      logger.info({ signal, stopping_since: first }, 'already shutting down; signal ignored');
      return;
    }
    first = signal;
    logger.info({ signal }, 'signal received');
    server.then(
      (running) => {
        const deadline = setTimeout(() => {
          logger.error(
            { deadline_ms: options.deadlineMs },
            'shutdown did not finish in time; exiting without finishing it',
          );
          exit(1);
        }, options.deadlineMs);
        running.stop().then(
          () => {
            clearTimeout(deadline);
            exit(0);
          },
          (err: unknown) => {
            logger.error({ err }, 'shutdown failed');
            exit(1);
          },
        );
      },
      // A server that failed to start is reported (and the process ended) by whoever started it.
      () => {},
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
}

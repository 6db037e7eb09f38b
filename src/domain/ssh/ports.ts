/**
 * What the SSH domain needs from the outside world. src/infra/ssh implements these on ssh2; the
 * domain and the room only ever see these shapes (never a credential).
 */

/** A configured target as clients may see it: no credentials. */
export interface SshTargetInfo {
  name: string;
  host: string;
  port: number;
  username: string;
}

/** A named transfer from the servers file. */
export interface SshTransferInfo {
  name: string;
  source: { server: string; path: string };
  destination: { server: string; path: string };
}

export type OutputStream = 'stdout' | 'stderr';

/** Why a command ended. */
export type CommandEndReason = 'exit' | 'stop_phrase' | 'cancelled' | 'timeout' | 'output_cap';

export interface CommandRequest {
  server: string;
  command: string;
  stopPhrase?: string;
  timeoutMs: number;
  outputCap: number;
  /** Aborting it cancels the command (TERM, KILL after the grace, then the channel is closed). */
  signal: AbortSignal;
  onOutput(stream: OutputStream, chunk: Buffer): void;
}

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  reason: CommandEndReason;
  truncated: boolean;
  durationMs: number;
  /** Output bytes forwarded (stdout + stderr). */
  bytes: number;
  /**
   * False when the command was stopped (stop phrase, cancel, timeout, output cap) but the target never
   * reported that it ended: a server that ignores signal requests may have left it running.
   */
  stopConfirmed: boolean;
}

export interface TransferRequest {
  transfer: SshTransferInfo;
  signal: AbortSignal;
  onProgress(bytes: number, total: number): void;
}

export interface TransferResult {
  bytes: number;
  /** sha256 (hex) of the bytes read from the source, hashed as they streamed. */
  sha256: string;
  /** sha256 (hex) of the destination file, computed there by `sha256sum` after the copy. */
  destinationSha256: string;
  durationMs: number;
}

/** Runs commands and transfers on configured targets. Failures are AppErrors with 2xxxx codes. */
export interface SshGateway {
  targets(): SshTargetInfo[];
  transfers(): SshTransferInfo[];
  exec(request: CommandRequest): Promise<CommandResult>;
  transfer(request: TransferRequest): Promise<TransferResult>;
}

/** The health record of one target, as clients see it. */
export interface ServerHealth {
  server_name: string;
  host: string;
  is_healthy: boolean;
  last_checked: string | null;
  consecutive_failures: number;
  consecutive_successes: number;
  /** Catalogue code and message of the last failure (null after a success). */
  last_error: { error_code: number; message: string } | null;
}

export interface HealthSource {
  snapshot(): Record<string, ServerHealth>;
  /** Called after every check; `flipped` is true when is_healthy changed. Returns an unsubscribe. */
  subscribe(listener: (health: ServerHealth, flipped: boolean) => void): () => void;
}

/**
 * Run-once work across processes (the SSH health checks): true in exactly one process at a time, as
 * far as the backing store can tell; leadership moves when the leader's process or connection dies.
 */
export interface Leadership {
  readonly isLeader: boolean;
  /** Called on every change of this process's leadership. Returns an unsubscribe. */
  onChange(listener: (leader: boolean) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** One health check's outcome, as the leader publishes it to every process. */
export interface HealthUpdate {
  health: ServerHealth;
  /** True when is_healthy changed with this check. */
  flipped: boolean;
}

/** How health results travel from the leader to every process (and are kept for a process that starts later). */
export interface HealthChannel {
  publish(update: HealthUpdate): Promise<void>;
  /** Hears every published update; resolves once listening. Returns an unsubscribe. */
  subscribe(listener: (update: HealthUpdate) => void): Promise<() => void>;
  /** The latest result per target, as last published (empty when none was). */
  latest(): Promise<ServerHealth[]>;
}

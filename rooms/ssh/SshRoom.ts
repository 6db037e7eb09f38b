import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { CloseCode } from '@colyseus/core';
import type { z } from 'zod';
import { AppError, toAppError } from '../../src/errors/index.ts';
import type { OutputStream, ServerHealth } from '../../src/domain/ssh/ports.ts';
import { ownerView, type Lease } from '../../src/domain/ssh/SessionLeases.ts';
import type { Operator } from '../../src/domain/ssh/SshControl.ts';
import type { SshServices } from '../../src/services.ts';
import { PlazaRoom, principalOf, type PlazaClient, type RoomDeps } from '../shared/PlazaRoom.ts';
import { CancelMessage, EmptyMessage, OutputSyncMessage, ScpTransferMessage, SshCommandMessage } from './messages.ts';
import { OperationOutbox } from './OperationOutbox.ts';
import { OutputThrottle, splitByBytes } from './OutputThrottle.ts';
import { ServerHealthState, SshState } from './state.ts';

/** What the ssh room uses. */
export interface SshRoomServices {
  ssh: SshServices;
}

interface Running {
  id: string;
  abort: AbortController;
}

/**
 * The SSH control room: operators and admins run commands and transfers on configured targets, under
 * one exclusive session held as a database lease. Output is streamed, throttled per client, cut into
 * bounded messages, numbered and kept (bounded) for a client that reconnects. Validation, rates,
 * revocation and the admin listing come from the room base, as in every room.
 */
export class SshRoom extends PlazaRoom<SshRoomServices, SshState> {
  protected override minimumRole = 'operator' as const;
  override state = new SshState();

  private readonly running = new Map<string, Running>();
  /** Each client's latest operation, its messages kept for a replay after a reconnect. */
  private readonly outboxes = new Map<string, OperationOutbox>();
  /** Connections that dropped and may come back: what they miss meanwhile waits in their outbox. */
  private readonly offline = new Set<string>();
  private lease: Lease | null = null;
  /** Session changes and refreshes run one at a time, so a refresh never undoes a newer change. */
  private sessionWork: Promise<unknown> = Promise.resolve();
  private refreshing?: Promise<void>;
  private unsubscribeHealth?: () => void;

  private get ssh() {
    return this.services.ssh;
  }

  override async onCreate(options: RoomDeps<SshRoomServices>): Promise<void> {
    await super.onCreate(options);
    this.autoDispose = true;
    this.on('ssh_command', SshCommandMessage, (client, message) => this.onCommand(client, message), { limited: true });
    this.on('cancel', CancelMessage, (client, message) => this.onCancel(client, message));
    this.on('output_sync', OutputSyncMessage, (client, message) => this.onOutputSync(client, message));
    this.on('start_session', EmptyMessage, (client) => this.onStartSession(client));
    this.on('end_session', EmptyMessage, (client) => this.onEndSession(client));
    this.on('take_over_session', EmptyMessage, (client) => this.onTakeOver(client));
    this.on('scp_transfer', ScpTransferMessage, (client, message) => this.onTransfer(client, message), {
      limited: true,
    });
    for (const health of Object.values(this.ssh.health.snapshot())) this.applyHealth(health);
    this.unsubscribeHealth = this.ssh.health.subscribe((health, flipped) => {
      this.applyHealth(health);
      if (flipped)
        this.broadcast('server_health', {
          type: 'server_health',
          server_name: health.server_name,
          is_healthy: health.is_healthy,
          status: health,
        });
    });
    this.clock.setInterval(() => void this.refreshSession(), this.ssh.control.sessionRefreshMs);
    await this.refreshSession();
  }

  /** The role was checked at matchmaking (and revocation watches it since); nothing else to check. */
  protected override admit(): void {}

  protected override async joined(client: PlazaClient): Promise<void> {
    await this.refreshSession();
    client.send('welcome', {
      type: 'welcome',
      connection_id: client.sessionId,
      lock_status: this.lockStatus(),
      session_status: this.sessionStatus(),
      server_health: this.ssh.health.snapshot(),
      servers: this.ssh.control.targets().map((t) => ({ server_name: t.name, host: t.host, port: t.port })),
      transfers: this.ssh.control
        .transfers()
        .map((t) => ({ transfer_name: t.name, source: t.source, destination: t.destination })),
    });
  }

  /** A dropped connection may come back within the session grace (the SDK reconnects by itself). */
  protected override reconnectGraceSeconds(): number {
    return this.ssh.settings.graceSeconds;
  }

  protected override async dropped(client: PlazaClient): Promise<void> {
    this.offline.add(client.sessionId);
    await this.ssh.control
      .connectionDropped(client.sessionId)
      .catch((err) => this.log.warn({ err }, 'detaching ssh session failed'));
  }

  protected override async rejoined(client: PlazaClient): Promise<void> {
    this.offline.delete(client.sessionId);
    const outbox = this.outboxes.get(client.sessionId);
    // What was held back while the connection was down; a client that saw a gap before asks with output_sync.
    if (outbox) this.replay(client, outbox, outbox.sentUpTo);
    await this.refreshSession();
  }

  protected override async left(client: PlazaClient, code?: number): Promise<void> {
    this.offline.delete(client.sessionId);
    this.outboxes.delete(client.sessionId);
    this.running.get(client.sessionId)?.abort.abort();
    await this.serial(async () => {
      const ended = await this.ssh.control.connectionLeft(client.sessionId, code === CloseCode.CONSENTED);
      if (ended) this.applyLease(null);
    }).catch((err) => this.log.warn({ err }, 'ending ssh session failed'));
    await this.refreshSession();
  }

  protected override async disposing(): Promise<void> {
    this.unsubscribeHealth?.();
    for (const run of this.running.values()) run.abort.abort();
  }

  private async onCommand(client: PlazaClient, message: z.infer<typeof SshCommandMessage>): Promise<void> {
    const { run, outbox } = this.begin(client, (id) => ({ command_id: id, server_name: message.server_name }));
    const output = this.outputFor(client.sessionId, outbox);
    try {
      const result = await this.ssh.control.runCommand(operatorOf(client), message, run.abort.signal, output.write);
      output.end();
      this.deliver(client.sessionId, outbox, 'complete', {
        message: 'Command execution completed',
        exit_code: result.exitCode,
        signal: result.signal,
        reason: result.reason,
        duration_ms: result.durationMs,
        truncated: result.truncated,
        stop_confirmed: result.stopConfirmed,
      });
    } catch (err) {
      output.end();
      this.deliverError(client, outbox, err);
    } finally {
      this.running.delete(client.sessionId);
    }
  }

  private async onTransfer(client: PlazaClient, message: z.infer<typeof ScpTransferMessage>): Promise<void> {
    const { run, outbox } = this.begin(client, (id) => ({ transfer_id: id, transfer_name: message.transfer_name }));
    const output = this.outputFor(client.sessionId, outbox);
    let announced = false;
    try {
      const result = await this.ssh.control.runTransfer(
        operatorOf(client),
        message.transfer_name,
        run.abort.signal,
        (bytes, total) => {
          if (!announced) {
            announced = true;
            output.text(`Transferring ${message.transfer_name}...\n`);
          }
          output.text(`\r${mib(bytes)} / ${mib(total)} MiB (${total ? Math.floor((bytes / total) * 100) : 100}%)`);
        },
      );
      output.text(
        `\nCopied ${result.bytes} bytes from ${result.source} to ${result.destination}, sha256 ${result.sha256} verified on both ends\n`,
      );
      output.end();
      this.deliver(client.sessionId, outbox, 'complete', {
        message: 'SCP transfer completed successfully',
        bytes: result.bytes,
        sha256: result.sha256,
        destination_sha256: result.destinationSha256,
        duration_ms: result.durationMs,
      });
    } catch (err) {
      output.end();
      this.deliverError(client, outbox, err);
    } finally {
      this.running.delete(client.sessionId);
    }
  }

  private onCancel(client: PlazaClient, message: z.infer<typeof CancelMessage>): void {
    const run = this.running.get(client.sessionId);
    if (!run || (message?.command_id && message.command_id !== run.id)) throw new AppError('SSH_NOTHING_RUNNING');
    run.abort.abort();
  }

  private onOutputSync(client: PlazaClient, message: z.infer<typeof OutputSyncMessage>): void {
    const outbox = this.outboxes.get(client.sessionId);
    const asked = message.command_id ?? message.transfer_id;
    if (!outbox || (asked && asked !== outbox.operationId))
      throw new AppError('SSH_OUTPUT_UNKNOWN', { detail: { command_id: asked ?? null } });
    this.replay(client, outbox, message.after_seq);
  }

  private async onStartSession(client: PlazaClient): Promise<void> {
    await this.serial(async () => {
      const lease = await this.ssh.control.startSession(operatorOf(client));
      this.applyLease(lease);
      client.send('session_started', {
        type: 'session_started',
        message: 'Session started successfully',
        session_owner: client.sessionId,
        expires_at: lease.expiresAt.toISOString(),
      });
    });
  }

  private async onEndSession(client: PlazaClient): Promise<void> {
    await this.serial(async () => {
      const { ended, reason } = await this.ssh.control.endSession(operatorOf(client));
      this.applyLease(null);
      client.send('session_ended', { type: 'session_ended', message: 'Session ended successfully', reason });
      if (ended.owner.connectionId !== client.sessionId) this.notifyEnded(ended.owner.connectionId, reason);
    });
  }

  private async onTakeOver(client: PlazaClient): Promise<void> {
    await this.serial(async () => {
      const { lease, previous } = await this.ssh.control.takeOverSession(operatorOf(client));
      this.applyLease(lease);
      client.send('session_started', {
        type: 'session_started',
        message: 'Session taken over',
        session_owner: client.sessionId,
        previous_owner: ownerView(previous),
        expires_at: lease.expiresAt.toISOString(),
      });
      this.notifyEnded(previous.connectionId, 'taken_over');
    });
  }

  /** Re-reads the session (another process may hold it); the domain renews it for an attached owner. */
  private refreshSession(): Promise<void> {
    this.refreshing ??= this.serial(async () => {
      try {
        const { lease, ended } = await this.ssh.control.refreshSession(this.lease?.owner ?? null, (id) =>
          this.isAttached(id),
        );
        this.applyLease(lease);
        if (ended) this.notifyEnded(ended.connectionId, ended.reason);
      } catch (err) {
        this.log.warn({ err }, 'refreshing the ssh session failed');
      } finally {
        this.refreshing = undefined;
      }
    });
    return this.refreshing;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.sessionWork.then(work, work);
    this.sessionWork = next.catch(() => undefined);
    return next;
  }

  private isAttached(connectionId: string): boolean {
    return Boolean(this.clients.get(connectionId)) && !this.offline.has(connectionId);
  }

  private applyLease(lease: Lease | null): void {
    this.lease = lease;
    const { session_status: s, lock_status: l } = this.state;
    s.active = Boolean(lease);
    s.owner = lease?.owner.connectionId ?? '';
    s.owner_user_id = lease?.owner.userId ?? 0;
    s.owner_username = lease?.owner.username ?? '';
    s.started_at = lease?.startedAt.toISOString() ?? '';
    s.expires_at = lease?.expiresAt.toISOString() ?? '';
    l.locked = Boolean(lease);
    l.lock_owner = s.owner;
    l.lock_owner_username = s.owner_username;
  }

  private applyHealth(health: ServerHealth): void {
    let entry = this.state.server_health.get(health.server_name);
    if (!entry) {
      entry = new ServerHealthState();
      this.state.server_health.set(health.server_name, entry);
    }
    entry.server_name = health.server_name;
    entry.host = health.host;
    entry.is_healthy = health.is_healthy;
    entry.last_checked = health.last_checked ?? '';
    entry.consecutive_failures = health.consecutive_failures;
    entry.consecutive_successes = health.consecutive_successes;
    entry.last_error_code = health.last_error?.error_code ?? 0;
  }

  private lockStatus() {
    const owner = this.lease ? ownerView(this.lease.owner) : null;
    return { locked: Boolean(this.lease), lock_owner: owner?.connection_id ?? null, lock_owner_user: owner };
  }

  private sessionStatus() {
    const lease = this.lease;
    return {
      active: Boolean(lease),
      owner: lease?.owner.connectionId ?? null,
      owner_user: lease ? ownerView(lease.owner) : null,
      started_at: lease?.startedAt.toISOString() ?? null,
      expires_at: lease?.expiresAt.toISOString() ?? null,
    };
  }

  private notifyEnded(connectionId: string, reason: string): void {
    this.clients
      .get(connectionId)
      ?.send('session_ended', { type: 'session_ended', message: 'Your session has ended', reason });
  }

  /** One operation per client at a time; it gets a fresh outbox (the previous one's output is let go). */
  private begin(client: PlazaClient, base: (id: string) => Record<string, string>) {
    if (this.running.has(client.sessionId)) throw new AppError('SSH_COMMAND_BUSY');
    const run: Running = { id: randomUUID(), abort: new AbortController() };
    const outbox = new OperationOutbox(base(run.id), this.ssh.settings.replayBuffer);
    this.running.set(client.sessionId, run);
    this.outboxes.set(client.sessionId, outbox);
    return { run, outbox };
  }

  /**
   * Output for one operation: decoded as UTF-8 across chunk boundaries, throttled per client (stdout
   * and stderr in the order written), then cut into messages of at most the configured size.
   */
  private outputFor(sessionId: string, outbox: OperationOutbox) {
    const max = this.ssh.settings.outputMessageMax;
    const throttle = new OutputThrottle((stream, data) => {
      for (const piece of splitByBytes(data, max))
        this.deliver(sessionId, outbox, 'output', { stream, data: piece }, Buffer.byteLength(piece));
    }, this.ssh.settings.outputRate);
    const decoders: Record<OutputStream, StringDecoder> = {
      stdout: new StringDecoder('utf8'),
      stderr: new StringDecoder('utf8'),
    };
    return {
      write: (stream: OutputStream, chunk: Buffer) => throttle.push(stream, decoders[stream].write(chunk)),
      text: (text: string) => throttle.push('stdout', text),
      end: () => {
        throttle.push('stdout', decoders.stdout.end());
        throttle.push('stderr', decoders.stderr.end());
        throttle.flush();
      },
    };
  }

  /** Numbers and keeps an operation's message; sends it unless the client's connection is down. */
  private deliver(
    sessionId: string,
    outbox: OperationOutbox,
    type: string,
    message: Record<string, unknown>,
    bytes = 0,
  ): void {
    const entry = outbox.add(type, { type, ...message }, bytes);
    const client = this.offline.has(sessionId) ? undefined : this.clients.get(sessionId);
    if (!client) return;
    client.send(entry.type, entry.payload);
    outbox.sentUpTo = entry.payload.seq;
  }

  private deliverError(client: PlazaClient, outbox: OperationOutbox, err: unknown): void {
    const { error, unexpected } = toAppError(err);
    if (unexpected) this.log.error({ err, user_id: principalOf(client).userId }, 'ssh operation failed');
    this.deliver(client.sessionId, outbox, 'error', error.toRoomMessage());
  }

  /** Sends what the client has not seen after `afterSeq`, after a gap marker when some was pushed out. */
  private replay(client: PlazaClient, outbox: OperationOutbox, afterSeq: number): void {
    const { gap, entries } = outbox.after(afterSeq);
    if (gap) client.send('output_gap', { type: 'output_gap', ...outbox.base, ...gap });
    for (const entry of entries) client.send(entry.type, entry.payload);
    outbox.sentUpTo = outbox.latestSeq;
  }
}

function operatorOf(client: PlazaClient): Operator {
  const { userId, username, role } = principalOf(client);
  return { id: userId, name: username, role, connectionId: client.sessionId };
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

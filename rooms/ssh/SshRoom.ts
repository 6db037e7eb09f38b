import { randomUUID } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { CloseCode, type Client } from '@colyseus/core';
import type { z } from 'zod';
import { AppError, toAppError } from '../../src/errors/index.ts';
import type { OutputStream, ServerHealth } from '../../src/domain/ssh/ports.ts';
import { ownerView, type Lease } from '../../src/domain/ssh/SessionLeases.ts';
import type { Operator } from '../../src/domain/ssh/SshControl.ts';
import type { SshServices } from '../../src/services.ts';
import { PlazaRoom, principalOf, type PlazaClient, type RoomDeps } from '../shared/PlazaRoom.ts';
import { CancelMessage, EmptyMessage, ScpTransferMessage, SshCommandMessage } from './messages.ts';
import { OutputThrottle } from './OutputThrottle.ts';
import { ServerHealthState, SshState } from './state.ts';

/** What the ssh room uses. */
export interface SshRoomServices {
  ssh: SshServices;
}

interface Running {
  id: string;
  kind: 'command' | 'transfer';
  abort: AbortController;
}

/**
 * The SSH control room: operators and admins run commands and transfers on configured targets, under
 * one exclusive session held as a database lease. Output is streamed, throttled per client, and every
 * operation is audited by the domain. Validation, rates, revocation and the admin listing come from
 * the room base, as in every room.
 */
export class SshRoom extends PlazaRoom<SshRoomServices, SshState> {
  protected override minimumRole = 'operator' as const;
  override state = new SshState();

  private readonly running = new Map<string, Running>();
  /** Owners whose connection dropped: their lease is left to the grace period, not renewed. */
  private readonly detached = new Set<string>();
  private lease: Lease | null = null;
  private refreshing?: Promise<void>;
  private unsubscribeHealth?: () => void;

  private get ssh() {
    return this.services.ssh;
  }

  override async onCreate(options: RoomDeps<SshRoomServices>): Promise<void> {
    super.onCreate(options);
    this.autoDispose = true;
    this.on('ssh_command', SshCommandMessage, (client, message) => this.onCommand(client, message), { limited: true });
    this.on('cancel', CancelMessage, (client, message) => this.onCancel(client, message));
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
    const ttlMs = this.ssh.settings.ttlSeconds * 1000;
    this.clock.setInterval(() => void this.refreshSession(), Math.max(200, Math.min(ttlMs / 3, 2000)));
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
    if (this.lease?.owner.connectionId === client.sessionId) {
      this.detached.add(client.sessionId);
      await this.ssh.control.leases
        .detach(client.sessionId)
        .catch((err) => this.log.warn({ err }, 'detaching ssh session failed'));
    }
  }

  protected override async rejoined(client: PlazaClient): Promise<void> {
    if (this.detached.delete(client.sessionId)) await this.refreshSession();
  }

  protected override async left(client: PlazaClient, code?: number): Promise<void> {
    this.detached.delete(client.sessionId);
    this.running.get(client.sessionId)?.abort.abort();
    if (this.lease?.owner.connectionId === client.sessionId) {
      const reason = code === CloseCode.CONSENTED ? 'owner_left' : 'owner_disconnected';
      await this.ssh.control.leases
        .endIfOwnedBy(client.sessionId, reason)
        .catch((err) => this.log.warn({ err }, 'ending ssh session failed'));
      await this.refreshSession();
    }
  }

  protected override async disposing(): Promise<void> {
    this.unsubscribeHealth?.();
    for (const run of this.running.values()) run.abort.abort();
  }

  private async onCommand(client: PlazaClient, message: z.infer<typeof SshCommandMessage>): Promise<void> {
    const run = this.begin(client, 'command');
    const base = { command_id: run.id, server_name: message.server_name };
    const output = this.outputFor(client, base);
    try {
      const result = await this.ssh.control.runCommand(operatorOf(client), message, run.abort.signal, output.write);
      output.end();
      this.sendTo(client, 'complete', {
        type: 'complete',
        ...base,
        message: 'Command execution completed',
        exit_code: result.exitCode,
        signal: result.signal,
        reason: result.reason,
        duration_ms: result.durationMs,
        truncated: result.truncated,
      });
    } catch (err) {
      output.end();
      this.sendOperationError(client, err, base);
    } finally {
      this.running.delete(client.sessionId);
    }
  }

  private async onTransfer(client: PlazaClient, message: z.infer<typeof ScpTransferMessage>): Promise<void> {
    const run = this.begin(client, 'transfer');
    const base = { transfer_id: run.id, transfer_name: message.transfer_name };
    const output = this.outputFor(client, base);
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
      this.sendTo(client, 'complete', {
        type: 'complete',
        ...base,
        message: 'SCP transfer completed successfully',
        bytes: result.bytes,
        sha256: result.sha256,
        destination_sha256: result.destinationSha256,
        duration_ms: result.durationMs,
      });
    } catch (err) {
      output.end();
      this.sendOperationError(client, err, base);
    } finally {
      this.running.delete(client.sessionId);
    }
  }

  private onCancel(client: PlazaClient, message: z.infer<typeof CancelMessage>): void {
    const run = this.running.get(client.sessionId);
    if (!run || (message?.command_id && message.command_id !== run.id)) throw new AppError('SSH_NOTHING_RUNNING');
    run.abort.abort();
  }

  private async onStartSession(client: PlazaClient): Promise<void> {
    const lease = await this.ssh.control.leases.acquire(ownerOf(client));
    this.applyLease(lease);
    client.send('session_started', {
      type: 'session_started',
      message: 'Session started successfully',
      session_owner: client.sessionId,
      expires_at: lease.expiresAt.toISOString(),
    });
  }

  private async onEndSession(client: PlazaClient): Promise<void> {
    const ended = await this.ssh.control.leases.end(operatorOf(client), {
      force: principalOf(client).role === 'admin',
    });
    this.applyLease(null);
    client.send('session_ended', {
      type: 'session_ended',
      message: 'Session ended successfully',
      reason: ended.owner.connectionId === client.sessionId ? 'ended_by_owner' : 'ended_by_admin',
    });
    if (ended.owner.connectionId !== client.sessionId) this.notifyEnded(ended.owner.connectionId, 'ended_by_admin');
  }

  private async onTakeOver(client: PlazaClient): Promise<void> {
    if (principalOf(client).role !== 'admin')
      throw new AppError('FORBIDDEN', { message: 'Only admins can take over a session' });
    const { lease, previous } = await this.ssh.control.leases.takeOver(ownerOf(client));
    this.applyLease(lease);
    client.send('session_started', {
      type: 'session_started',
      message: 'Session taken over',
      session_owner: client.sessionId,
      previous_owner: ownerView(previous),
      expires_at: lease.expiresAt.toISOString(),
    });
    this.notifyEnded(previous.connectionId, 'taken_over');
  }

  /** Re-reads the lease (another process may hold it), renews it if its owner is attached here. */
  private refreshSession(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const leases = this.ssh.control.leases;
        let lease = await leases.current();
        const owner = lease?.owner.connectionId;
        if (lease && owner && this.clients.get(owner) && !this.detached.has(owner)) lease = await leases.renew(owner);
        const before = this.lease?.owner.connectionId;
        this.applyLease(lease);
        if (before && before !== lease?.owner.connectionId) this.notifyEnded(before, lease ? 'taken_over' : 'expired');
      } catch (err) {
        this.log.warn({ err }, 'refreshing the ssh session failed');
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
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
    this.sendTo(connectionId, 'session_ended', { type: 'session_ended', message: 'Your session has ended', reason });
  }

  private begin(client: PlazaClient, kind: Running['kind']): Running {
    if (this.running.has(client.sessionId)) throw new AppError('SSH_COMMAND_BUSY');
    const run: Running = { id: randomUUID(), kind, abort: new AbortController() };
    this.running.set(client.sessionId, run);
    return run;
  }

  /** Output for one operation: decoded as UTF-8 across chunk boundaries, throttled per client. */
  private outputFor(client: PlazaClient, base: Record<string, string>) {
    const sessionId = client.sessionId;
    const throttle = new OutputThrottle(
      (stream, data) => this.sendTo(sessionId, 'output', { type: 'output', ...base, stream, data }),
      this.ssh.settings.outputRate,
    );
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

  /** Sends to the client's current connection (it may have reconnected since the operation began). */
  private sendTo(target: Client | string, type: string, message: unknown): void {
    const id = typeof target === 'string' ? target : target.sessionId;
    this.clients.get(id)?.send(type, message);
  }

  private sendOperationError(client: PlazaClient, err: unknown, base: Record<string, string>): void {
    const { error, unexpected } = toAppError(err);
    if (unexpected) this.log.error({ err, user_id: principalOf(client).userId }, 'ssh operation failed');
    this.sendTo(client, 'error', { ...error.toRoomMessage(), ...base });
  }
}

function operatorOf(client: PlazaClient): Operator {
  return { id: principalOf(client).userId, name: principalOf(client).username, connectionId: client.sessionId };
}

function ownerOf(client: PlazaClient) {
  return { connectionId: client.sessionId, userId: principalOf(client).userId, username: principalOf(client).username };
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

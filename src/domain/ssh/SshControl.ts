import type { EntityManager } from '@mikro-orm/sql';
import { AppError, toAppError } from '../../errors/index.ts';
import type { Actor, AuditLog } from '../admin/AuditLog.ts';
import type { UserRole } from '../../../entities/User.ts';
import type { CommandResult, OutputStream, SshGateway, TransferResult } from './ports.ts';
import { ownerView, type Lease, type LeaseOwner, type SessionLeases } from './SessionLeases.ts';

/** Who is operating: a signed-in operator or admin on one room connection. */
export interface Operator extends Actor {
  id: number;
  connectionId: string;
  role: UserRole;
}

/** The session as a room last saw it, and whose session ended since (to tell them why). */
export interface SessionRefresh {
  lease: Lease | null;
  ended?: { connectionId: string; reason: 'taken_over' | 'expired' };
}

export interface CommandInput {
  server_name: string;
  command: string;
  stop_phrase?: string;
  timeout_ms?: number;
}

/**
 * Commands and transfers on the configured targets under the session rules: while a session is
 * active only its owner may operate (others get RESOURCE_LOCKED with the owner), and transfers need
 * the caller's own session. Everything is audited without the output. The session rules live here:
 * who may end or take over a session, and when a room renews the lease it holds for a connection.
 */
export class SshControl {
  constructor(
    private readonly em: EntityManager,
    private readonly gateway: SshGateway,
    readonly leases: SessionLeases,
    private readonly audit: AuditLog,
    private readonly limits: { outputCap: number; maxTimeoutMs: number },
  ) {}

  targets() {
    return this.gateway.targets();
  }

  transfers() {
    return this.gateway.transfers();
  }

  /** Runs a command, streaming output through `onOutput`; aborting `signal` cancels it. */
  async runCommand(
    operator: Operator,
    input: CommandInput,
    signal: AbortSignal,
    onOutput: (stream: OutputStream, chunk: Buffer) => void,
  ): Promise<CommandResult> {
    if (!this.gateway.targets().some((t) => t.name === input.server_name)) {
      throw new AppError('SSH_UNKNOWN_SERVER', { detail: { server_name: input.server_name } });
    }
    await this.assertMayOperate(operator);
    const timeoutMs = Math.min(input.timeout_ms ?? this.limits.maxTimeoutMs, this.limits.maxTimeoutMs);
    const base = { command: input.command, connection_id: operator.connectionId };
    try {
      const result = await this.gateway.exec({
        server: input.server_name,
        command: input.command,
        stopPhrase: input.stop_phrase,
        timeoutMs,
        outputCap: this.limits.outputCap,
        signal,
        onOutput,
      });
      await this.record(operator, 'ssh.command', 'ssh_server', input.server_name, {
        ...base,
        exit_code: result.exitCode,
        signal: result.signal,
        reason: result.reason,
        duration_ms: result.durationMs,
        bytes: result.bytes,
        truncated: result.truncated,
        stop_confirmed: result.stopConfirmed,
      });
      if (result.reason === 'cancelled') {
        await this.record(operator, 'ssh.cancel', 'ssh_server', input.server_name, { ...base, signal: result.signal });
      }
      return result;
    } catch (err) {
      await this.record(operator, 'ssh.command', 'ssh_server', input.server_name, {
        ...base,
        error_code: toAppError(err).error.code,
      });
      throw err;
    }
  }

  /** Copies a named transfer's file; needs the caller's own active session. */
  async runTransfer(
    operator: Operator,
    transferName: string,
    signal: AbortSignal,
    onProgress: (bytes: number, total: number) => void,
  ): Promise<TransferResult & { source: string; destination: string }> {
    const transfer = this.gateway.transfers().find((t) => t.name === transferName);
    if (!transfer) throw new AppError('SSH_TRANSFER_UNKNOWN', { detail: { transfer_name: transferName } });
    const lease = await this.leases.current();
    if (!lease)
      throw new AppError('NO_ACTIVE_SESSION', {
        detail: { reason: 'scp_transfer needs an active session: send start_session first' },
      });
    if (lease.owner.connectionId !== operator.connectionId)
      throw new AppError('RESOURCE_LOCKED', { detail: { owner: ownerView(lease.owner) } });
    const base = {
      connection_id: operator.connectionId,
      source: `${transfer.source.server}:${transfer.source.path}`,
      destination: `${transfer.destination.server}:${transfer.destination.path}`,
    };
    const started = Date.now();
    try {
      const result = await this.gateway.transfer({ transfer, signal, onProgress });
      await this.record(operator, 'ssh.transfer', 'ssh_transfer', transfer.name, {
        ...base,
        bytes: result.bytes,
        sha256: result.sha256,
        duration_ms: result.durationMs,
      });
      return { ...result, source: transfer.source.server, destination: transfer.destination.server };
    } catch (err) {
      const cancelled = signal.aborted;
      await this.record(operator, 'ssh.transfer', 'ssh_transfer', transfer.name, {
        ...base,
        error_code: toAppError(err).error.code,
        duration_ms: Date.now() - started,
        cancelled,
      });
      if (cancelled) await this.record(operator, 'ssh.cancel', 'ssh_transfer', transfer.name, base);
      throw err;
    }
  }

  /** Takes the exclusive session for this connection (50004 with the holder when taken). */
  startSession(operator: Operator): Promise<Lease> {
    return this.leases.acquire(ownerOf(operator));
  }

  /** Ends the session: its owner may, an admin may end anyone's (50006 otherwise, 50005 with none). */
  async endSession(operator: Operator): Promise<{ ended: Lease; reason: 'ended_by_owner' | 'ended_by_admin' }> {
    const ended = await this.leases.end(operator, { force: operator.role === 'admin' });
    return { ended, reason: ended.owner.connectionId === operator.connectionId ? 'ended_by_owner' : 'ended_by_admin' };
  }

  /** An admin takes the live session over (11007 for anyone else, 50005 with none). */
  async takeOverSession(operator: Operator): Promise<{ lease: Lease; previous: LeaseOwner }> {
    if (operator.role !== 'admin') throw new AppError('FORBIDDEN', { message: 'Only admins can take over a session' });
    return this.leases.takeOver(ownerOf(operator));
  }

  /**
   * Re-reads the session (another process may hold it) and renews it when its owner's connection is
   * attached to the calling room. `known` is the owner the room showed so far: when that owner lost the
   * session meanwhile, `ended` says who and why (taken over when someone else holds it now, else expired).
   */
  async refreshSession(
    known: LeaseOwner | null,
    attached: (connectionId: string) => boolean | Promise<boolean>,
  ): Promise<SessionRefresh> {
    let lease = await this.leases.current();
    if (lease && (await attached(lease.owner.connectionId))) {
      // A failed renewal means the lease moved or lapsed just now: read who holds it instead.
      lease = (await this.leases.renew(lease.owner.connectionId)) ?? (await this.leases.current());
    }
    const now = lease?.owner.connectionId;
    if (!known || known.connectionId === now) return { lease };
    return { lease, ended: { connectionId: known.connectionId, reason: lease ? 'taken_over' : 'expired' } };
  }

  /** How often a room refreshes the session: a few times per TTL, so a renewal can miss once. */
  get sessionRefreshMs(): number {
    const ttlMs = this.leases.ttlSeconds * 1000;
    return Math.max(200, Math.min(ttlMs / 3, 2000));
  }

  /** A connection dropped: if it owns the session, the session waits for it only as long as the grace. */
  async connectionDropped(connectionId: string): Promise<void> {
    await this.leases.detach(connectionId);
  }

  /** A connection is gone for good: its session (if any) ends, audited with why. */
  connectionLeft(connectionId: string, consented: boolean): Promise<Lease | null> {
    return this.leases.endIfOwnedBy(connectionId, consented ? 'owner_left' : 'owner_disconnected');
  }

  /** RESOURCE_LOCKED (with the owner) when someone else holds the session. */
  async assertMayOperate(operator: Operator): Promise<void> {
    const lease = await this.leases.current();
    if (lease && lease.owner.connectionId !== operator.connectionId) {
      throw new AppError('RESOURCE_LOCKED', { detail: { owner: ownerView(lease.owner) } });
    }
  }

  /** The SSH part of the audit log, newest first. */
  listAudit(input: { action?: string; server?: string; actor_id?: number; cursor?: string; limit: number }) {
    return this.audit.list({ ...input, actionPrefix: 'ssh.', target_id: input.server });
  }

  private async record(
    actor: Actor,
    action: string,
    targetType: string,
    targetId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const em = this.em.fork();
    this.audit.record(em, actor, { action, targetType, targetId, detail });
    await em.flush();
  }
}

function ownerOf(operator: Operator): LeaseOwner {
  return { connectionId: operator.connectionId, userId: operator.id, username: operator.name };
}

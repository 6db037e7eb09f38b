import type { EntityManager } from '@mikro-orm/sql';
import { AppError } from '../../errors/index.ts';
import type { Actor, AuditLog } from '../admin/AuditLog.ts';

/** Who holds the session: one connection of one user. */
export interface LeaseOwner {
  connectionId: string;
  userId: number;
  username: string;
}

export interface Lease {
  owner: LeaseOwner;
  startedAt: Date;
  expiresAt: Date;
}

export type SessionEndReason =
  'ended_by_owner' | 'ended_by_admin' | 'owner_left' | 'owner_disconnected' | 'expired' | 'taken_over';

interface Row {
  owner_connection_id: string;
  owner_user_id: number;
  owner_username: string;
  started_at: Date | string;
  expires_at: Date | string;
}

const SYSTEM: Actor = { id: null, name: 'ssh-session-lease' };
const COLUMNS = 'owner_connection_id, owner_user_id, owner_username, started_at, expires_at';

/** The public form of the owner, as clients see it in errors and state. */
export function ownerView(owner: LeaseOwner) {
  return { connection_id: owner.connectionId, user_id: owner.userId, username: owner.username };
}

/**
 * The exclusive SSH session, held as a row in `ssh_session_lease`. Every change is one conditional
 * statement judged by the database clock, so two server processes can never both hold it: taking it
 * is an INSERT that does nothing when a live row exists, renewing is an UPDATE that only matches the
 * owner's live row. An unrenewed lease simply expires; whoever notices first reaps it (and audits it).
 */
export class SessionLeases {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditLog,
    private readonly options: { ttlSeconds: number; graceSeconds: number; resource?: string },
  ) {}

  get ttlSeconds(): number {
    return this.options.ttlSeconds;
  }

  private get resource(): string {
    return this.options.resource ?? 'ssh';
  }

  /** The live lease, or null. Expired rows are removed (and audited) on the way. */
  async current(): Promise<Lease | null> {
    await this.reapExpired();
    const rows = await this.query(
      `select ${COLUMNS} from ssh_session_lease where resource = ? and expires_at > now()`,
      [this.resource],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  /** Takes the session for `owner`; SESSION_ALREADY_ACTIVE (with the holder) when someone has it. */
  async acquire(owner: LeaseOwner): Promise<Lease> {
    await this.reapExpired();
    const rows = await this.query(
      `insert into ssh_session_lease (resource, owner_connection_id, owner_user_id, owner_username, started_at, renewed_at, expires_at)
       values (?, ?, ?, ?, now(), now(), now() + ?::interval)
       on conflict (resource) do nothing
       returning ${COLUMNS}`,
      [this.resource, owner.connectionId, owner.userId, owner.username, `${this.options.ttlSeconds} seconds`],
    );
    if (!rows[0]) {
      const holder = await this.current();
      throw new AppError('SESSION_ALREADY_ACTIVE', {
        detail: holder
          ? { owner: ownerView(holder.owner), expires_at: holder.expiresAt.toISOString() }
          : { retry: true },
      });
    }
    await this.record({ id: owner.userId, name: owner.username }, 'ssh.session.start', owner.connectionId, {});
    return toLease(rows[0]);
  }

  /** Extends the owner's live lease by the TTL; null when it is no longer theirs (expired or taken over). */
  async renew(connectionId: string, seconds = this.options.ttlSeconds): Promise<Lease | null> {
    const rows = await this.query(
      `update ssh_session_lease set renewed_at = now(), expires_at = now() + ?::interval
       where resource = ? and owner_connection_id = ? and expires_at > now()
       returning ${COLUMNS}`,
      [`${seconds} seconds`, this.resource, connectionId],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  /**
   * The owner's connection dropped: unless it comes back, the room holding it ends the lease after the
   * grace period. The row itself lives a little longer (at most 2 s), so that room ends it and says why
   * rather than the row quietly expiring; if that process dies, the row expires on its own.
   */
  detach(connectionId: string): Promise<Lease | null> {
    return this.renew(connectionId, this.options.graceSeconds + Math.min(this.options.ttlSeconds, 2));
  }

  /**
   * Ends the session. The owner may always end it; an admin (`force`) may end anyone's. Anyone else
   * gets NOT_SESSION_OWNER, and NO_ACTIVE_SESSION when there is none.
   */
  async end(actor: Actor & { connectionId: string }, options: { force?: boolean } = {}): Promise<Lease> {
    const lease = await this.current();
    if (!lease) throw new AppError('NO_ACTIVE_SESSION');
    const own = lease.owner.connectionId === actor.connectionId;
    if (!own && !options.force) throw new AppError('NOT_SESSION_OWNER', { detail: { owner: ownerView(lease.owner) } });
    const ended = await this.deleteOwnedBy(lease.owner.connectionId);
    if (!ended) throw new AppError('NO_ACTIVE_SESSION');
    await this.record(actor, 'ssh.session.end', lease.owner.connectionId, {
      reason: own ? 'ended_by_owner' : 'ended_by_admin',
      owner: ownerView(lease.owner),
    });
    return ended;
  }

  /** Ends the session of `connectionId` if it still holds it (owner gone past the grace period). */
  async endIfOwnedBy(connectionId: string, reason: SessionEndReason): Promise<Lease | null> {
    const ended = await this.deleteOwnedBy(connectionId);
    if (ended) await this.record(SYSTEM, 'ssh.session.end', connectionId, { reason, owner: ownerView(ended.owner) });
    return ended;
  }

  /** An admin takes the live session over: it becomes theirs with a fresh TTL. */
  async takeOver(admin: LeaseOwner): Promise<{ lease: Lease; previous: LeaseOwner }> {
    const lease = await this.current();
    if (!lease) throw new AppError('NO_ACTIVE_SESSION');
    const rows = await this.query(
      `update ssh_session_lease set owner_connection_id = ?, owner_user_id = ?, owner_username = ?,
         started_at = now(), renewed_at = now(), expires_at = now() + ?::interval
       where resource = ? and owner_connection_id = ? and expires_at > now()
       returning ${COLUMNS}`,
      [
        admin.connectionId,
        admin.userId,
        admin.username,
        `${this.options.ttlSeconds} seconds`,
        this.resource,
        lease.owner.connectionId,
      ],
    );
    if (!rows[0]) throw new AppError('NO_ACTIVE_SESSION', { detail: { retry: true } });
    await this.record({ id: admin.userId, name: admin.username }, 'ssh.session.takeover', admin.connectionId, {
      previous_owner: ownerView(lease.owner),
    });
    return { lease: toLease(rows[0]), previous: lease.owner };
  }

  private async deleteOwnedBy(connectionId: string): Promise<Lease | null> {
    const rows = await this.query(
      `delete from ssh_session_lease where resource = ? and owner_connection_id = ? returning ${COLUMNS}`,
      [this.resource, connectionId],
    );
    return rows[0] ? toLease(rows[0]) : null;
  }

  private async reapExpired(): Promise<void> {
    const rows = await this.query(
      `delete from ssh_session_lease where resource = ? and expires_at <= now() returning ${COLUMNS}`,
      [this.resource],
    );
    for (const row of rows) {
      const lease = toLease(row);
      await this.record(SYSTEM, 'ssh.session.end', lease.owner.connectionId, {
        reason: 'expired',
        owner: ownerView(lease.owner),
      });
    }
  }

  private async record(
    actor: Actor,
    action: string,
    connectionId: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    const em = this.em.fork();
    this.audit.record(em, actor, { action, targetType: 'ssh_session', targetId: connectionId, detail });
    await em.flush();
  }

  private query(sql: string, params: unknown[]): Promise<Row[]> {
    return this.em.getConnection().execute<Row[]>(sql, params, 'all');
  }
}

function toLease(row: Row): Lease {
  return {
    owner: { connectionId: row.owner_connection_id, userId: Number(row.owner_user_id), username: row.owner_username },
    startedAt: new Date(row.started_at),
    expiresAt: new Date(row.expires_at),
  };
}

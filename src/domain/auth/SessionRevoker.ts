import crypto from 'node:crypto';
import { raw, type EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import type { Logger } from 'pino';
import { User, type UserRole } from '../../../entities/User.ts';
import { RefreshToken } from '../../../entities/RefreshToken.ts';
import { TokenRevocation } from '../../../entities/TokenRevocation.ts';
import { RevocationList, type Revocation, type TokenIdentity } from './RevocationList.ts';

/** The PostgreSQL NOTIFY channel revocations are announced on, in the transaction that makes them. */
export const REVOCATION_CHANNEL = 'plaza_revocations';

/**
 * What live connections must hear when sessions end (the payload of the realtime bus's `revoked`
 * channel): `{ family_id }` one login ended, `{ user_id }` all of a user's sessions ended (ban, password),
 * `{ user_id, role }` the user's role changed (connections below a room's minimum role must close).
 */
export type RevokedEvent = { family_id: string } | { user_id: number } | { user_id: number; role: UserRole };

/** How much longer than an access token's life a revocation is kept: covers clock skew between processes. */
const RETENTION_MARGIN_MS = 60_000;

const Announcement = z.object({ id: z.number().int().positive(), origin: z.string() });

/**
 * Ends sessions, and knows every ended session that still matters. A revocation is written to the database
 * together with the change that causes it (ban, new password, new role, logout) and announced with NOTIFY in
 * the same transaction; this process applies it at once after commit, other processes when they hear the
 * announcement (see PgRevocationFeed) or reload. Checking a token (`revokes`) never touches the database.
 */
export class SessionRevoker {
  private readonly list: RevocationList;
  private readonly listeners = new Set<(event: RevokedEvent) => void>();
  /** Tells this process's own announcements apart from other processes'. */
  private readonly origin = crypto.randomUUID();
  private loading?: Promise<void>;
  private loaded = false;

  constructor(
    private readonly em: EntityManager,
    private readonly logger: Logger,
    private readonly options: { accessTtlSeconds: number },
  ) {
    this.list = new RevocationList(this.retentionMs);
  }

  private get retentionMs(): number {
    return this.options.accessTtlSeconds * 1000 + RETENTION_MARGIN_MS;
  }

  /** Hears every revocation that is news to this process (to close live connections). */
  onRevoked(listener: (event: RevokedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** True when the token was revoked. Resolves once the list has been loaded from the database. */
  async revokes(token: TokenIdentity): Promise<boolean> {
    if (!this.loaded) await this.ready();
    return this.list.revokes(token);
  }

  /** Loads the revocations once (the first token check waits for it). */
  ready(): Promise<void> {
    this.loading ??= this.reload({ announce: false }).catch((err) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  /** Ends one login: its refresh tokens and every access token issued in it. */
  async revokeFamily(familyId: string): Promise<void> {
    const revocation = await this.transaction(async (em) => {
      await em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
      return this.record(em, { familyId });
    });
    this.apply(revocation, true);
  }

  /**
   * Ends a user's access tokens, in one transaction with `change` (the ban, the new password, the new
   * role). With `role` (a role change) refresh tokens survive: the user refreshes into the new role.
   * Without it every refresh family ends too.
   */
  async revokeUser(
    userId: number,
    options: { role?: UserRole } = {},
    change?: (em: EntityManager) => Promise<void>,
  ): Promise<void> {
    const revocation = await this.transaction(async (em) => {
      await change?.(em);
      await em.nativeUpdate(User, { id: userId }, { tokenVersion: raw('token_version + 1') });
      const { tokenVersion } = await em.findOneOrFail(
        User,
        { id: userId },
        { fields: ['tokenVersion'], refresh: true },
      );
      if (!options.role)
        await em.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
      return this.record(em, { userId, tokenVersion, role: options.role ?? null });
    });
    this.apply(revocation, true);
  }

  /**
   * An announcement heard on the NOTIFY channel: the revocation it names is read back from the table
   * (the payload only says where to look), applied and passed on when it is news.
   */
  async receive(payload: string): Promise<void> {
    const parsed = Announcement.safeParse(safeJson(payload));
    if (!parsed.success) {
      this.logger.warn({ channel: REVOCATION_CHANNEL }, 'ignored a malformed revocation announcement');
      return;
    }
    if (parsed.data.origin === this.origin) return;
    const row = await this.em.fork().findOne(TokenRevocation, { id: parsed.data.id });
    if (row) this.apply(toRevocation(row), true);
  }

  /**
   * Reads every revocation that can still matter. Run at start and after the announcement feed
   * reconnects, so whatever was announced while nobody listened is caught up and passed on.
   */
  async reload(options: { announce: boolean } = { announce: true }): Promise<void> {
    const since = new Date(Date.now() - this.retentionMs);
    const rows = await this.em.fork().find(TokenRevocation, { revokedAt: { $gt: since } }, { orderBy: { id: 'asc' } });
    for (const row of rows) this.apply(toRevocation(row), options.announce);
    this.loaded = true;
  }

  /** Drops revocations no unexpired token can be affected by, in memory and in the table. */
  async purgeExpired(): Promise<number> {
    this.list.prune();
    return this.em
      .fork()
      .nativeDelete(TokenRevocation, { revokedAt: { $lt: new Date(Date.now() - this.retentionMs) } });
  }

  /**
   * A transaction on a clean unit of work: entities the caller holds are not flushed over the rows the
   * change updates natively.
   */
  private transaction<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.em.fork().transactional(work);
  }

  private async record(
    em: EntityManager,
    data: { familyId: string } | { userId: number; tokenVersion: number; role: UserRole | null },
  ) {
    const row = em.create(TokenRevocation, { ...data, revokedAt: new Date() });
    await em.flush();
    await em.execute('select pg_notify(?, ?)', [
      REVOCATION_CHANNEL,
      JSON.stringify({ id: row.id, origin: this.origin }),
    ]);
    return toRevocation(row);
  }

  private apply(revocation: Revocation, announce: boolean): void {
    if (!this.list.add(revocation) || !announce) return;
    const event: RevokedEvent =
      revocation.kind === 'family'
        ? { family_id: revocation.familyId }
        : revocation.role
          ? { user_id: revocation.userId, role: revocation.role }
          : { user_id: revocation.userId };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // The revocation holds whatever a listener does; a failed notice must not undo or hide it.
        this.logger.error({ err, event }, 'a revocation listener failed');
      }
    }
  }
}

function toRevocation(row: TokenRevocation): Revocation {
  if (row.familyId) return { kind: 'family', familyId: row.familyId, revokedAt: row.revokedAt };
  return {
    kind: 'user',
    userId: row.userId!,
    tokenVersion: row.tokenVersion!,
    role: row.role ?? null,
    revokedAt: row.revokedAt,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

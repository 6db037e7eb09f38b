import net from 'node:net';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Leadership } from '../../domain/ssh/ports.ts';

/** Whether this process leads, and who hears when that changes: what every kind of leadership shares. */
abstract class ObservedLeadership implements Leadership {
  private leading = false;
  private readonly listeners = new Set<(leader: boolean) => void>();

  get isLeader(): boolean {
    return this.leading;
  }

  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  /** Tells the listeners of a change (only of a change). */
  protected set(leader: boolean): void {
    if (this.leading === leader) return;
    this.leading = leader;
    for (const listener of this.listeners) listener(leader);
  }
}

export interface LeaderLockOptions {
  /** How often a candidate tries to take the lock, and the leader proves its connection alive. */
  intervalMs: number;
}

/**
 * One leader among the processes on one PostgreSQL: the process whose dedicated connection holds a
 * session-level advisory lock. The lock lives and dies with that connection: when the leader's process
 * or connection dies, PostgreSQL releases it and the next candidate's try (every `intervalMs`) takes it.
 * A leader whose connection fails, or stops answering within the interval, steps down at once and
 * competes again from a new connection, so two leaders overlap for at most about one interval. A leader
 * that lost its lock first stands back for two intervals, so leadership moves to a candidate that is
 * healthy instead of returning to the one whose connection just failed.
 */
export class PgLeaderLock extends ObservedLeadership {
  private client?: pg.Client;
  private socket?: net.Socket;
  private stopped = true;
  private timer?: NodeJS.Timeout;
  /** Until then a leader that just lost its lock does not compete. */
  private standBackUntil = 0;

  constructor(
    private readonly url: string,
    /** Names the lock: every process competing for the same work uses the same name. */
    private readonly name: string,
    private readonly log: Logger,
    private readonly options: LeaderLockOptions = { intervalMs: 2000 },
  ) {
    super();
  }

  /** Makes the first try now (never throws: a database that is down is tried again later). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const [client, socket] = [this.client, this.socket];
    this.client = undefined;
    this.set(false);
    if (!client) return;
    client.on('error', () => undefined);
    // Ending the connection releases the lock; never wait long for a peer that stopped answering.
    await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    socket?.destroy();
  }

  private async tick(): Promise<void> {
    try {
      if (!this.isLeader && Date.now() < this.standBackUntil) return;
      const client = this.client ?? (await this.connect());
      if (this.isLeader) {
        await this.query(client, 'select 1');
      } else {
        const { rows } = await this.query(client, 'select pg_try_advisory_lock(hashtextextended($1, 0)) as won', [
          this.name,
        ]);
        if (rows[0]?.won === true && this.client === client) this.set(true);
      }
    } catch (err) {
      if (!this.stopped) this.log.warn({ err, lock: this.name }, 'leader lock connection failed; trying again');
      this.drop();
    } finally {
      if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.options.intervalMs).unref();
    }
  }

  private async connect(): Promise<pg.Client> {
    const socket = new net.Socket();
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'plaza-leader',
      keepAlive: true,
      connectionTimeoutMillis: this.options.intervalMs * 2,
      stream: () => socket,
    });
    this.client = client;
    this.socket = socket;
    // A terminated backend or a reset connection: the lock is gone with it, so is leadership.
    client.on('error', (err) => {
      if (this.client !== client) return;
      this.log.warn({ err, lock: this.name }, 'leader lock connection lost');
      this.drop();
    });
    client.on('end', () => {
      if (this.client === client) this.drop();
    });
    await client.connect();
    return client;
  }

  private query(client: pg.Client, sql: string, params: unknown[] = []) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the leader lock connection did not answer')), this.options.intervalMs);
      timer.unref();
    });
    return Promise.race([client.query<{ won?: boolean }>(sql, params), timeout]).finally(() => clearTimeout(timer));
  }

  /** Forgets the connection (cutting it if wedged); whoever held the lock through it no longer leads. */
  private drop(): void {
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.on('error', () => undefined);
      this.socket?.destroy();
    }
    if (this.isLeader) this.standBackUntil = Date.now() + 2 * this.options.intervalMs;
    this.set(false);
  }
}

/** The one process on an embedded database is always the leader. */
export class SoleLeader extends ObservedLeadership {
  async start(): Promise<void> {
    this.set(true);
  }

  async stop(): Promise<void> {
    this.set(false);
  }
}

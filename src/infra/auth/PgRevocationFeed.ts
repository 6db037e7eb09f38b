import net from 'node:net';
import pg from 'pg';
import type { Logger } from 'pino';
import { REVOCATION_CHANNEL, type SessionRevoker } from '../../domain/auth/SessionRevoker.ts';

export interface RevocationFeedOptions {
  /** How often the idle listening connection proves it is alive (a silently dead one hears nothing). */
  heartbeatMs: number;
  /** First reconnection delay; doubled after each failure up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

const DEFAULTS: RevocationFeedOptions = { heartbeatMs: 10_000, backoffMs: 250, maxBackoffMs: 10_000 };

/**
 * Hears revocations made by other processes (other Plaza servers, the server CLI) on a dedicated
 * PostgreSQL connection that LISTENs on the revocation channel. It reconnects by itself (a killed
 * backend, a restarted or unreachable server, a connection that stopped answering its heartbeat), and after
 * every (re)connection reloads the revocations so nothing announced while it was away is missed.
 */
export class PgRevocationFeed {
  private client?: pg.Client;
  /** The connection's socket, ours so a wedged connection can be cut without waiting for its peer. */
  private socket?: net.Socket;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private heartbeat?: NodeJS.Timeout;
  private backoff: number;
  private readonly options: RevocationFeedOptions;

  constructor(
    private readonly url: string,
    private readonly revoker: SessionRevoker,
    private readonly log: Logger,
    options: Partial<RevocationFeedOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
    this.backoff = this.options.backoffMs;
  }

  /** Connects and catches up once; on failure keeps retrying in the background (never throws). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    const [client, socket] = [this.client, this.socket];
    this.client = undefined;
    if (!client) return;
    // A polite goodbye, but never wait long for a peer that stopped answering.
    await Promise.race([
      client.end().catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, 1000).unref()),
    ]);
    socket?.destroy();
  }

  private async connect(): Promise<void> {
    const socket = new net.Socket();
    const client = new pg.Client({
      connectionString: this.url,
      application_name: 'plaza-revocations',
      keepAlive: true,
      connectionTimeoutMillis: this.options.heartbeatMs,
      stream: () => socket,
    });
    this.client = client;
    this.socket = socket;
    client.on('notification', (message) => {
      if (message.channel !== REVOCATION_CHANNEL || !message.payload) return;
      this.revoker
        .receive(message.payload)
        .catch((err) => this.log.warn({ err }, 'applying an announced revocation failed'));
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      // Listening first, then reading: whatever commits in between is both read and announced.
      await this.revoker.reload();
      if (this.client !== client) return; // lost (or stopped) while catching up
      this.backoff = this.options.backoffMs;
      this.heartbeat = setInterval(() => this.beat(client), this.options.heartbeatMs).unref();
      this.log.info('listening for revocations');
    } catch (err) {
      this.lost(client, err);
    }
  }

  private beat(client: pg.Client): void {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('heartbeat timed out')), this.options.heartbeatMs).unref();
    });
    Promise.race([client.query('select 1'), timeout])
      .catch((err) => this.lost(client, err))
      .finally(() => clearTimeout(timer));
  }

  /** Drops a connection that failed (once per connection) and schedules the next one. */
  private lost(client: pg.Client, err?: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    client.removeAllListeners('notification');
    // The connection may be wedged: cut it, and keep an error listener for its last words.
    client.on('error', () => undefined);
    this.socket?.destroy();
    if (this.stopped) return;
    this.log.warn({ err, retry_ms: this.backoff }, 'revocation feed lost its database connection; reconnecting');
    this.retry = setTimeout(() => void this.connect(), this.backoff).unref();
    this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs);
  }
}

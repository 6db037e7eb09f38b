import {
  matchMaker,
  Room,
  SchemaSerializer,
  type Deferred,
  type RoomException,
  type RoomMethodName,
  type Serializer,
} from '@colyseus/core';
import { RequestContext } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { z } from 'zod';
import { AppError, toAppError } from '../../src/errors/index.ts';
import type { Database } from '../../src/db/openDatabase.ts';
import { channels, keys, type RevocationEvent } from '../../src/domain/realtime/RealtimeBus.ts';
import type { ConnectionView } from '../../src/domain/realtime/RealtimeAdminService.ts';
import { roleAtLeast, type UserRole } from '../../entities/User.ts';
import { principalOf, refusal, type PlazaClient } from './roomAuth.ts';
import type { PlazaMetrics } from '../../src/metrics/PlazaMetrics.ts';
import { FittedSchemaSerializer } from './FittedSchemaSerializer.ts';

export { principalOf, type PlazaClient } from './roomAuth.ts';

/** Close codes a Plaza room sends (Colyseus' own: 4000 consented leave, 4002 closed with an error). */
export const CloseCodes = {
  /** The session ended (ban, logout, password change, refresh-token reuse): sign in again. */
  REVOKED: 4401,
  /** No longer allowed in this room (removed from the group, role lowered): do not rejoin it. */
  FORBIDDEN: 4403,
  /** The connection stopped reading: more than ROOM_MAX_BUFFERED_BYTES waited unsent. Join again with last_seen_id. */
  SLOW_CONSUMER: 4408,
} as const;

/** How often a room looks for connections that stopped reading (on its patch tick, at most this often). */
const SLOW_CONSUMER_CHECK_MS = 250;

/** Settings every room shares, from the configuration. */
export interface RoomSettings {
  /** Colyseus' own frame cap per connection (it closes with 4002 above it): far above the application rate. */
  maxMessagesPerSecond: number;
  reconnectGraceSeconds: number;
  maxConnectionsPerUser: number;
  /** Unsent bytes (the socket's bufferedAmount) above which a connection is closed as a slow consumer (4408). */
  maxBufferedBytes: number;
  /** How long a sender waits for a store before it is told 30017 (or 30014 if the store never began). */
  storeTimeoutMs: number;
  /** The per-user application rate, one budget across every room of the process. */
  limiter: RateLimiterAbstract;
  metrics: PlazaMetrics;
  /** The client's address as the transport resolved it (X-Forwarded-For only when TRUST_PROXY is set). */
  clientAddress: (client: PlazaClient) => string | null;
}

/** What every Plaza room receives from rooms/index.ts through `defineRoom(X, deps)`: only what it uses. */
export interface RoomDeps<S> {
  services: S & { orm: Database };
  logger: Logger;
  settings: RoomSettings;
}

interface Held {
  client: PlazaClient;
  /** Set while the connection is dropped and its seat waits for a reconnect. */
  seat?: Deferred<unknown> | Promise<unknown>;
}

/**
 * The one base of every Plaza room (home, chat, ssh). It gives them all the same edges:
 *
 * - every message parsed with zod (30008 malformed, 30009 too large), unknown types answered (30013),
 *   the per-user application rate answered for each extra message (30011), the connection kept;
 * - every join (joinOrCreate, join, joinById, create, reconnect) checked against the room's own
 *   identity by `admit`, and counted against the per-user connection cap (30020);
 * - revocation heard on the bus: ended sessions close with 4401, a role below `minimumRole` with 4403,
 *   and seats kept for a reconnect are cancelled the same way;
 * - every connection listed for the admin views; errors in the catalogue form; no throwing handler
 *   takes down the room or the process.
 *
 * - every room, session, message and store counted in the metrics, by room type.
 *
 * Subclasses implement the hooks `admit`, `joined`, `dropped`, `rejoined`, `left` and `disposing`,
 * not the Colyseus lifecycle methods, which this class owns.
 */
export abstract class PlazaRoom<S, State extends object = object> extends Room<{ state: State; client: PlazaClient }> {
  /** Least role that may be in this room. */
  protected minimumRole: UserRole = 'user';
  /** The chat group a connection of this room is in, for the admin views (null: none). */
  protected listedGroupId: number | null = null;
  protected services!: S & { orm: Database };
  protected settings!: RoomSettings;
  private logger!: Logger;
  private childLogger: Logger | undefined;
  private readonly held = new Map<string, Held>();
  /** Connections this room is closing itself: no seat is kept for them and nothing they send counts. */
  private readonly closing = new Set<string>();
  private lastSlowConsumerCheck = 0;

  override onCreate(options: RoomDeps<S>): void | Promise<void> {
    this.services = options.services;
    this.settings = options.settings;
    const id = this.fixedRoomId();
    if (id) this.roomId = id;
    this.logger = options.logger;
    this.maxMessagesPerSecond = this.settings.maxMessagesPerSecond;
    this.settings.metrics.rooms.inc({ room: this.roomName });
    this.onMessage('*', (client: PlazaClient, type: string | number) =>
      // A client chooses unknown type names: one label for all of them keeps the series bounded.
      this.handle(client, 'unknown', () => {
        throw new AppError('UNKNOWN_ROOM_MESSAGE', { detail: { type } });
      }),
    );
    void this.presence.subscribe(channels.revoked, (event: RevocationEvent) => this.onRevoked(event));
  }

  /**
   * The room's logger (room name and id bound), made when first used: most rooms (a home per signed-in
   * user) never log, and a pino child per room is an allocation on every room's creation.
   */
  protected get log(): Logger {
    return (this.childLogger ??= this.logger.child({ room: this.roomName, room_id: this.roomId }));
  }

  /**
   * The room's own id when it must be one per actor (a user's home, a group's chat): a second `create`
   * then lands in the existing room instead of forking it, and the driver's atomic insert settles races.
   */
  protected fixedRoomId(): string | undefined {
    return undefined;
  }

  /** Refuses (throws an AppError) a connection this room does not allow; runs on every join and reconnect. */
  protected abstract admit(client: PlazaClient, options: unknown): Promise<void> | void;
  /** After a join was admitted. */
  protected joined(_client: PlazaClient, _options: unknown): Promise<void> | void {}
  /** A connection dropped; its seat waits for a reconnect. */
  protected dropped(_client: PlazaClient): Promise<void> | void {}
  /** A dropped connection came back within its grace. */
  protected rejoined(_client: PlazaClient): Promise<void> | void {}
  /** A connection is gone for good (left, closed, or its grace ran out). */
  protected left(_client: PlazaClient, _code?: number): Promise<void> | void {}

  /** Before each state patch (Colyseus' patch tick): state changes gathered between patches are applied here. */
  protected beforePatch(_now: number): void {}

  /** The room is closing: finish what it owns (stores in flight, timers). */
  protected disposing(): Promise<void> | void {}

  /** Initial size of the state's encode buffers (default: Colyseus' 16 KB); they grow when the state does. */
  protected stateBufferBytes(): number | undefined {
    return undefined;
  }

  /** Colyseus installs its schema serializer when the state is set: ours keeps grown buffers (see FittedSchemaSerializer). */
  override setSerializer(serializer: Serializer<State>): void {
    const fitted =
      serializer instanceof SchemaSerializer && !(serializer instanceof FittedSchemaSerializer)
        ? (new FittedSchemaSerializer(this.stateBufferBytes()) as unknown as Serializer<State>)
        : serializer;
    super.setSerializer(fitted);
  }

  /** Seconds a dropped connection keeps its seat. */
  protected reconnectGraceSeconds(): number {
    return this.settings.reconnectGraceSeconds;
  }

  override async onJoin(client: PlazaClient, options: unknown): Promise<void> {
    try {
      await this.admit(client, options);
      await this.hold(client);
    } catch (err) {
      throw this.refuse(client, err);
    }
    try {
      await this.joined(client, options);
    } catch (err) {
      await this.release(client);
      throw this.refuse(client, err);
    }
  }

  override async onDrop(client: PlazaClient): Promise<void> {
    const held = this.held.get(client.sessionId);
    if (!held || this.closing.has(client.sessionId)) return;
    const seat = this.allowReconnection(client, this.reconnectGraceSeconds());
    seat.catch(() => undefined);
    held.seat = seat;
    await this.dropped(client);
  }

  override async onReconnect(client: PlazaClient): Promise<void> {
    const held = this.held.get(client.sessionId);
    if (!held) throw this.refuse(client, new AppError('TOKEN_INVALID'));
    held.client = client;
    held.seat = undefined;
    try {
      // The seat reservation carries the principal as JSON, so its expiry may arrive as a string.
      if (new Date(principalOf(client).expiresAt).getTime() <= Date.now()) throw new AppError('TOKEN_INVALID');
      await this.admit(client, undefined);
    } catch (err) {
      throw this.refuse(client, err);
    }
    await this.rejoined(client);
  }

  /** Colyseus calls this on every patch tick; subclasses use `beforePatch`. */
  override onBeforePatch(): void {
    const now = this.clock.currentTime;
    if (now - this.lastSlowConsumerCheck >= SLOW_CONSUMER_CHECK_MS) {
      this.lastSlowConsumerCheck = now;
      this.closeSlowConsumers();
    }
    this.beforePatch(now);
  }

  override async onDispose(): Promise<void> {
    this.settings.metrics.rooms.dec({ room: this.roomName });
    await this.disposing();
  }

  override async onLeave(client: PlazaClient, code?: number): Promise<void> {
    if (!this.held.has(client.sessionId)) return;
    this.closing.delete(client.sessionId);
    await this.release(client);
    await this.left(client, code);
  }

  /** A join or reconnect refused: the catalogue form for the SDK; an unexpected failure is logged. */
  private refuse(client: PlazaClient, err: unknown) {
    const { error } = toAppError(err);
    if (error.status === 401) this.settings.metrics.authFailures.inc({ edge: 'room', code: String(error.code) });
    if (toAppError(err).unexpected) this.log.error({ err, user_id: client.auth?.userId }, 'join failed');
    return refusal(err);
  }

  override onUncaughtException(error: RoomException, methodName: RoomMethodName): void {
    this.log.error({ err: error.cause ?? error, method: methodName }, 'uncaught room exception');
  }

  /**
   * Registers a message type: the payload is parsed with `schema`; `limited` spends the sender's share
   * of the application rate. Failures reach the sender as `{ type: "error", ... }`; nobody else is affected.
   */
  protected on<T extends z.ZodType>(
    type: string,
    schema: T,
    handler: (client: PlazaClient, message: z.infer<T>) => unknown,
    options: { limited?: boolean } = {},
  ): void {
    this.onMessage(type, (client: PlazaClient, raw: unknown) =>
      this.handle(
        client,
        type,
        async () => {
          const parsed = schema.safeParse(raw ?? {});
          if (!parsed.success) {
            // Too long a text or list is "too large"; a number above its range is merely invalid.
            const tooBig = parsed.error.issues.some(
              (issue) => issue.code === 'too_big' && issue.origin !== 'number' && issue.origin !== 'int',
            );
            throw new AppError(tooBig ? 'ROOM_MESSAGE_TOO_LARGE' : 'ROOM_MESSAGE_INVALID', {
              detail: {
                type,
                issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
              },
            });
          }
          if (options.limited) await this.spend(client, type);
          await handler(client, parsed.data);
        },
        raw,
      ),
    );
  }

  /** Runs `work` with its own EntityManager context, as each room handler touching the DB must. */
  protected withDb<T>(work: () => Promise<T>): Promise<T> {
    return RequestContext.create(this.services.orm.em, work);
  }

  /**
   * Stores through `work`. Only a database that cannot be reached becomes 30014 (nothing stored;
   * retry); any other failure keeps its own code (a validation error is 30008, never "retryable").
   */
  protected async persist<T>(work: () => Promise<T>): Promise<T> {
    const stop = this.settings.metrics.chatStoreSeconds.startTimer({ room: this.roomName });
    try {
      const stored = await this.withDb(work);
      stop({ result: 'ok' });
      return stored;
    } catch (err) {
      const { error } = toAppError(err);
      stop({ result: error.key === 'SERVICE_UNAVAILABLE' ? 'unavailable' : 'error' });
      if (error.key !== 'SERVICE_UNAVAILABLE') throw err;
      this.log.warn({ err }, 'storing a message failed: the database is unavailable');
      throw new AppError('MESSAGE_STORE_UNAVAILABLE', { detail: { retryable: true } });
    }
  }

  /**
   * `persist` with the store deadline: past it the sender hears 30017 (not confirmed, may still be
   * stored) and the store goes on; its outcome is answered when it comes.
   */
  protected async persistInTime<T>(
    client: PlazaClient,
    context: Record<string, unknown>,
    work: () => Promise<T>,
  ): Promise<T> {
    const timer = setTimeout(
      () => this.sendError(client, new AppError('MESSAGE_STORE_UNCONFIRMED', { detail: { retryable: true } }), context),
      this.settings.storeTimeoutMs,
    );
    try {
      return await this.persist(work);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends a catalogue error to one client: `{ type: "error", message, detail, error_code }`. `context`
   * (the message type, its client_msg_id) joins the detail so a client can tell which send it answers.
   */
  protected sendError(client: PlazaClient, err: unknown, context?: Record<string, unknown>): void {
    const { error, unexpected } = toAppError(err);
    if (unexpected) this.log.error({ err, user_id: client.auth?.userId }, 'room handler failed');
    // A validation failure in a room is a malformed room message, whichever layer found it.
    const shown =
      error.key === 'VALIDATION_FAILED'
        ? new AppError('ROOM_MESSAGE_INVALID', { message: error.message, detail: error.detail })
        : error;
    const body = shown.toRoomMessage();
    client.send('error', context ? { ...body, detail: withContext(body.detail, context) } : body);
  }

  /** This room's live connections of one user. */
  protected clientsOf(userId: number): PlazaClient[] {
    return this.clients.filter((c) => c.auth?.userId === userId);
  }

  /**
   * Closes every connection (live or waiting for its reconnect) whose principal matches, with `code`
   * and `error` first. Used for revocation and by rooms for their own reasons (a member removed).
   */
  protected evictWhere(match: (client: PlazaClient) => boolean, code: number, error: AppError): void {
    for (const [sessionId, held] of this.held) {
      if (!match(held.client)) continue;
      if (held.seat) {
        // Waiting for a reconnect: the seat goes; Colyseus then calls onLeave.
        const seat = held.seat as { reject?: (reason: unknown) => void };
        held.seat = undefined;
        seat.reject?.(new Error('evicted'));
        continue;
      }
      if (this.closing.has(sessionId)) continue;
      this.closing.add(sessionId);
      held.client.send('error', error.toRoomMessage());
      held.client.leave(code, error.message);
    }
  }

  /**
   * A connection that stopped reading (a stalled phone, a paused socket) would buffer everything the room
   * sends without bound, in this process's memory. Past `maxBufferedBytes` unsent it is closed with 4408;
   * everyone else goes on. Its close frame queues behind what is unsent: `ws` ends the socket if the peer
   * never reads it.
   */
  private closeSlowConsumers(): void {
    const bound = this.settings.maxBufferedBytes;
    for (const client of this.clients) {
      // `ref` is the transport's socket (the `ws` WebSocket): bufferedAmount is its public count of unsent bytes.
      const buffered = (client.ref as unknown as { bufferedAmount?: number }).bufferedAmount ?? 0;
      if (buffered <= bound || this.closing.has(client.sessionId)) continue;
      this.closing.add(client.sessionId);
      this.settings.metrics.slowConsumers.inc({ room: this.roomName });
      this.log.warn({ user_id: client.auth?.userId, buffered_bytes: buffered }, 'closing a slow consumer');
      client.leave(CloseCodes.SLOW_CONSUMER, 'Too far behind: the connection stopped reading');
    }
  }

  private onRevoked(event: RevocationEvent): void {
    const ended = new AppError('TOKEN_INVALID', { message: 'Your session has ended' });
    this.evictWhere(
      (client) => {
        const auth = principalOf(client);
        return (
          (event.family_id !== undefined && auth.familyId === event.family_id) ||
          (event.user_id === auth.userId && event.role === undefined)
        );
      },
      CloseCodes.REVOKED,
      ended,
    );
    if (event.user_id === undefined || event.role === undefined) return;
    const role = event.role;
    const mine = (client: PlazaClient) => principalOf(client).userId === event.user_id;
    if (roleAtLeast(role, this.minimumRole)) {
      for (const held of this.held.values()) if (mine(held.client)) principalOf(held.client).role = role;
    } else {
      this.evictWhere(
        mine,
        CloseCodes.FORBIDDEN,
        new AppError('FORBIDDEN', { message: `Your role no longer allows the ${this.roomName} room` }),
      );
    }
  }

  private async handle(client: PlazaClient, type: string, work: () => unknown, raw?: unknown): Promise<void> {
    if (this.closing.has(client.sessionId)) return;
    const counted = { room: this.roomName, type };
    try {
      await work();
      this.settings.metrics.roomMessages.inc({ ...counted, result: 'ok' });
    } catch (err) {
      const code = String(toAppError(err).error.code);
      this.settings.metrics.roomMessages.inc({ ...counted, result: code });
      if (toAppError(err).error.key === 'ROOM_RATE_LIMITED')
        this.settings.metrics.rateLimited.inc({ edge: 'room', code });
      const clientMsgId = (raw as { client_msg_id?: unknown } | null | undefined)?.client_msg_id;
      this.sendError(client, err, typeof clientMsgId === 'string' ? { type, client_msg_id: clientMsgId } : { type });
    }
  }

  private async spend(client: PlazaClient, type: string): Promise<void> {
    try {
      await this.settings.limiter.consume(String(principalOf(client).userId));
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new AppError('ROOM_RATE_LIMITED', { detail: { type, retryable: true, retry_after_ms: err.msBeforeNext } });
    }
  }

  /** Counts the connection against the user's cap and lists it for the admin views. */
  private async hold(client: PlazaClient): Promise<void> {
    const auth = principalOf(client);
    const count = await this.presence.hincrby(keys.connectionCounts, String(auth.userId), 1);
    if (count > this.settings.maxConnectionsPerUser) {
      await this.presence.hincrby(keys.connectionCounts, String(auth.userId), -1);
      throw new AppError('TOO_MANY_CONNECTIONS', { detail: { max_connections: this.settings.maxConnectionsPerUser } });
    }
    this.held.set(client.sessionId, { client });
    this.settings.metrics.sessions.inc({ room: this.roomName });
    const record: ConnectionView = {
      session_id: client.sessionId,
      user_id: auth.userId,
      username: auth.username,
      room: this.roomName,
      room_id: this.roomId,
      group_id: this.listedGroupId,
      connected_at: new Date().toISOString(),
      process_id: matchMaker.processId,
      address: this.settings.clientAddress(client),
    };
    await this.presence.hset(keys.connections, client.sessionId, JSON.stringify(record));
  }

  private async release(client: PlazaClient): Promise<void> {
    if (!this.held.delete(client.sessionId)) return;
    this.settings.metrics.sessions.dec({ room: this.roomName });
    await this.presence.hincrby(keys.connectionCounts, String(principalOf(client).userId), -1);
    await this.presence.hdel(keys.connections, client.sessionId);
  }
}

function withContext(detail: unknown, context: Record<string, unknown>): unknown {
  if (detail === null || detail === undefined) return context;
  if (typeof detail === 'object' && !Array.isArray(detail)) return { ...context, ...detail };
  return { ...context, issues: detail };
}

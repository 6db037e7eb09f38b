import type { Client } from '@colyseus/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { z } from 'zod';
import { AppError } from '../../src/errors/index.ts';
import type { Config } from '../../src/config.ts';
import { channels, keys } from '../../src/domain/realtime/RealtimeBus.ts';
import type { ConnectionView } from '../../src/domain/realtime/RealtimeAdminService.ts';
import { PlazaRoom, type PlazaClient, type RoomDeps } from './PlazaRoom.ts';

/** Close code sent to a connection whose session was revoked (ban, logout, password change). */
export const CLOSE_REVOKED = 4401;

export interface RealtimeRoomOptions {
  config: Config;
}

/** Where one live connection is, as the admin views list it. */
export type ConnectionRecord = ConnectionView;

/**
 * Base of the chat and home rooms: every message is parsed with zod in the handler (a bad one gets an
 * `error` reply and the connection stays), chat-like messages are rate limited per user, unknown types
 * are answered, revoked sessions are closed, and every connection is listed for the admin views.
 */
export abstract class RealtimeRoom<Options extends {} = {}> extends PlazaRoom<Options & RealtimeRoomOptions> {
  protected config!: Config;
  private limiter!: RateLimiterMemory;

  override onCreate(options: Options & RealtimeRoomOptions & RoomDeps): void | Promise<void> {
    super.onCreate(options);
    this.config = options.config;
    this.maxMessagesPerSecond = this.config.ROOM_MAX_MESSAGES_PER_SECOND;
    this.limiter = new RateLimiterMemory({ points: this.config.CHAT_RATE_PER_SECOND * 2, duration: 2 });
    this.onMessage('*', (client: Client, type: string | number) => {
      this.sendError(client, new AppError('UNKNOWN_ROOM_MESSAGE', { detail: { type } }));
    });
    void this.presence.subscribe(channels.revoked, (event: { user_id?: number; family_id?: string }) => {
      for (const client of [...this.clients] as PlazaClient[]) {
        if ((event.user_id !== undefined && client.auth!.userId === event.user_id) || (event.family_id !== undefined && client.auth!.familyId === event.family_id)) {
          client.send('error', new AppError('TOKEN_INVALID', { message: 'Your session has ended' }).toRoomMessage());
          client.leave(CLOSE_REVOKED, 'session revoked');
        }
      }
    });
  }

  /**
   * Registers a message type: the payload is parsed with `schema`; `limited` applies the per-user
   * send rate. Failures reach the sender as `{ type: "error", ... }`; nobody else is affected.
   */
  protected on<S extends z.ZodType>(type: string, schema: S, handler: (client: PlazaClient, message: z.infer<S>) => unknown, options: { limited?: boolean } = {}): void {
    this.onMessage(type, this.guarded(async (client: PlazaClient, raw: unknown) => {
      const parsed = schema.safeParse(raw ?? {});
      if (!parsed.success) {
        // Too long a text or list is "too large"; a number above its range is merely invalid.
        const tooBig = parsed.error.issues.some((issue) => issue.code === 'too_big' && issue.origin !== 'number' && issue.origin !== 'int');
        throw new AppError(tooBig ? 'ROOM_MESSAGE_TOO_LARGE' : 'ROOM_MESSAGE_INVALID', {
          detail: { type, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
        });
      }
      if (options.limited) {
        try {
          await this.limiter.consume(String(client.auth!.userId));
        } catch {
          throw new AppError('ROOM_RATE_LIMITED', { detail: { type, retryable: true } });
        }
      }
      await handler(client, parsed.data);
    }));
  }

  /**
   * Stores a message through `work`; a database failure or a store slower than CHAT_STORE_TIMEOUT_MS
   * reaches the sender as 30014 (retryable) and nothing is sent to anyone.
   */
  protected async store<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('store timed out')), this.config.CHAT_STORE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.withDb(work), timeout]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.log.warn({ err }, 'storing a message failed');
      throw new AppError('MESSAGE_STORE_UNAVAILABLE', { detail: { retryable: true } });
    } finally {
      clearTimeout(timer);
    }
  }

  protected async listConnection(client: PlazaClient, groupId: number | null): Promise<void> {
    const record: ConnectionRecord = {
      session_id: client.sessionId,
      user_id: client.auth!.userId,
      username: client.auth!.username,
      room: this.roomName,
      room_id: this.roomId,
      group_id: groupId,
      connected_at: new Date().toISOString(),
    };
    await this.presence.hset(keys.connections, client.sessionId, JSON.stringify(record));
  }

  protected async unlistConnection(client: Client): Promise<void> {
    await this.presence.hdel(keys.connections, client.sessionId);
  }

  /**
   * allowReconnection for RECONNECT_GRACE seconds. Colyseus refuses clients whose join-ack buffer still
   * exists; with @colyseus/sdk 0.18.4 that buffer stays (empty) after a normal join, so it is cleared here.
   */
  protected keepSeat(client: Client): Promise<unknown> {
    const raw = client as unknown as { _enqueuedMessages?: unknown[] };
    if (Array.isArray(raw._enqueuedMessages) && raw._enqueuedMessages.length === 0) delete raw._enqueuedMessages;
    return Promise.resolve(this.allowReconnection(client, this.config.RECONNECT_GRACE));
  }

  protected clientsOf(userId: number): PlazaClient[] {
    return (this.clients as unknown as PlazaClient[]).filter((c) => c.auth!.userId === userId);
  }
}

import { Room, ServerError, type AuthContext, type Client, type RoomException, type RoomMethodName } from '@colyseus/core';
import { RequestContext } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { AppError, toAppError } from '../../src/errors/index.ts';
import type { Principal } from '../../src/domain/auth/TokenService.ts';
import { roleAtLeast, type UserRole } from '../../entities/User.ts';
import type { Services } from '../../src/services.ts';

/** What every Plaza room receives from main.ts through `defineRoom(X, deps)`. */
export interface RoomDeps {
  services: Services;
  logger: Logger;
}

/** `client.auth` in every Plaza room. */
export type PlazaClient = Client<{ auth: Principal }>;

/**
 * Builds the static `onAuth` of a room class: the access token (SDK `client.auth.token`) is checked at
 * matchmaking, before a seat or a room exists. A refusal reaches the SDK as a MatchMakeError whose
 * `code` is the HTTP status and whose message starts with the catalogue code: "[11002] Access token ...".
 */
export function authenticateWith(services: Services, minimumRole: UserRole = 'user') {
  return async (token: string, _options: unknown, _context: AuthContext): Promise<Principal> => {
    try {
      if (!token) throw new AppError('UNAUTHENTICATED');
      const principal = await RequestContext.create(services.orm.em, () => services.tokens.authenticate(token));
      if (!roleAtLeast(principal.role, minimumRole)) throw new AppError('FORBIDDEN');
      return principal;
    } catch (err) {
      const { error } = toAppError(err);
      throw new ServerError(error.status, `[${error.code}] ${error.message}`);
    }
  };
}

/**
 * Base of every Plaza room: dependencies from `defineRoom` options, a fresh ORM context per unit of
 * work, the catalogue error form for clients, and an exception handler so no throwing handler ever
 * takes down the room or the process.
 */
export abstract class PlazaRoom<Options extends {} = {}> extends Room {
  protected deps!: RoomDeps;
  protected log!: Logger;

  override onCreate(options: Options & RoomDeps): void | Promise<void> {
    this.deps = { services: options.services, logger: options.logger };
    this.log = options.logger.child({ room: this.roomName, room_id: this.roomId });
  }

  protected get services(): Services {
    return this.deps.services;
  }

  /** Runs `work` with its own EntityManager context, as each room handler touching the DB must. */
  protected withDb<T>(work: () => Promise<T>): Promise<T> {
    return RequestContext.create(this.services.orm.em, work);
  }

  /** Sends a catalogue error to one client: `{ type: "error", message, detail, error_code }`. */
  protected sendError(client: Client, err: unknown): void {
    const { error, unexpected } = toAppError(err);
    if (unexpected) this.log.error({ err, user_id: (client.auth as Principal | undefined)?.userId }, 'room handler failed');
    client.send('error', error.toRoomMessage());
  }

  /**
   * Wraps a message handler so that any AppError (or unexpected failure) reaches the sender as an
   * `error` message instead of escaping.
   */
  protected guarded<M>(handler: (client: PlazaClient, message: M) => unknown | Promise<unknown>) {
    return async (client: PlazaClient, message: M) => {
      try {
        await handler(client, message);
      } catch (err) {
        this.sendError(client, err);
      }
    };
  }

  override onUncaughtException(error: RoomException, methodName: RoomMethodName): void {
    this.log.error({ err: error.cause ?? error, method: methodName }, 'uncaught room exception');
  }
}

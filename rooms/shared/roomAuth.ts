import { ServerError, type AuthContext, type Client } from '@colyseus/core';
import { AppError, toAppError } from '../../src/errors/index.ts';
import type { Principal, TokenService } from '../../src/domain/auth/TokenService.ts';
import type { Database } from '../../src/db/openDatabase.ts';
import { roleAtLeast, type UserRole } from '../../entities/User.ts';

/** `client.auth` in every Plaza room: the principal its access token established. */
export type PlazaClient = Client<{ auth: Principal }>;

/** What the token check at matchmaking needs. */
export interface AuthServices {
  orm: Database;
  tokens: TokenService;
}

/**
 * A refusal as Colyseus carries it to the SDK: a `MatchMakeError` whose `code` is the HTTP status and
 * whose message starts with the catalogue code, "[30002] You are not a member of this chat group".
 */
export function refusal(err: unknown): ServerError {
  const { error } = toAppError(err);
  return new ServerError(error.status, `[${error.code}] ${error.message}`);
}

/** The principal of a connection (every Plaza connection has one: onAuth refuses the rest). */
export function principalOf(client: PlazaClient): Principal {
  if (!client.auth) throw new AppError('UNAUTHENTICATED');
  return client.auth;
}

/**
 * Builds the static `onAuth` of a room class: the access token (SDK `client.auth.token`) is checked at
 * matchmaking, before a seat or a room exists. Every way in except a reconnect passes here; what the
 * room itself allows (its group, its owner) is checked again by the room on every join.
 */
export function authenticateWith(services: AuthServices, minimumRole: UserRole = 'user') {
  return async (token: string, _options: unknown, _context: AuthContext): Promise<Principal> => {
    try {
      if (!token) throw new AppError('UNAUTHENTICATED');
      // A token check reads no database through the request's context (TokenService: signature and revocation
      // list in memory; the list's first load forks its own EntityManager), so it needs no context of its own.
      const principal = await services.tokens.authenticate(token);
      if (!roleAtLeast(principal.role, minimumRole)) throw new AppError('FORBIDDEN');
      return principal;
    } catch (err) {
      throw refusal(err);
    }
  };
}

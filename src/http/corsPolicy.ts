import { matchMaker } from '@colyseus/core';

const BASE_HEADERS = {
  'Access-Control-Allow-Headers': 'Origin, X-Requested-With, Content-Type, Accept, Authorization, X-Request-Id',
  'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
  'Access-Control-Expose-Headers': 'X-Request-Id, Retry-After',
  'Access-Control-Max-Age': '600',
};

/** The CORS headers of one response: the fixed ones, plus what the caller's origin is allowed. */
export type CorsHeaders = Readonly<Record<string, string>>;

/**
 * The one place CORS is decided: '*' allows any origin (without credentials), a list allows those
 * origins (with credentials), empty allows none (same-origin only). Every answer is worked out once.
 */
export class CorsPolicy {
  private readonly base: CorsHeaders = Object.freeze({ ...BASE_HEADERS });
  private readonly any: CorsHeaders;
  private readonly allowed = new Map<string, CorsHeaders>();

  constructor(origins: string) {
    const allowAny = origins.trim() === '*';
    this.any = Object.freeze(allowAny ? { ...BASE_HEADERS, 'Access-Control-Allow-Origin': '*' } : this.base);
    for (const origin of origins.split(',').map((o) => o.trim())) {
      if (!origin || origin === '*') continue;
      this.allowed.set(
        origin,
        Object.freeze({
          ...BASE_HEADERS,
          'Access-Control-Allow-Origin': origin,
          'Access-Control-Allow-Credentials': 'true',
          Vary: 'Origin',
        }),
      );
    }
  }

  /** The headers for a request from `origin` (its `Origin` header; none for same-origin requests). */
  headersFor(origin: string | undefined): CorsHeaders {
    if (!origin) return this.base;
    return this.allowed.get(origin) ?? this.any;
  }

  /**
   * Colyseus answers its own routes (matchmaking) with its own CORS headers, by default reflecting any
   * origin with credentials: this puts the same policy there, through its documented override.
   */
  installInColyseus(): void {
    const controller = matchMaker.controller as { DEFAULT_CORS_HEADERS: Record<string, string> };
    controller.DEFAULT_CORS_HEADERS = { ...BASE_HEADERS };
    matchMaker.controller.getCorsHeaders = (headers: Headers): Record<string, string> => ({
      ...this.headersFor(headers.get('origin') ?? undefined),
    });
  }
}

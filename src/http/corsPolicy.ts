import { matchMaker } from '@colyseus/core';

const BASE_HEADERS = {
  'Access-Control-Allow-Headers': 'Origin, X-Requested-With, Content-Type, Accept, Authorization, X-Request-Id',
  'Access-Control-Allow-Methods': 'GET,HEAD,PUT,PATCH,POST,DELETE',
  'Access-Control-Expose-Headers': 'X-Request-Id, Retry-After',
  'Access-Control-Max-Age': '600',
};

/**
 * Colyseus answers every HTTP request (preflights included) with its own CORS headers before Express
 * sees it, and by default reflects any origin with credentials. This installs our allowlist there,
 * the one place CORS is decided: '*' allows any origin (without credentials), a list allows those
 * origins, empty allows none (same-origin only).
 */
export function installCorsPolicy(origins: string): void {
  const allowAny = origins.trim() === '*';
  const allowed = new Set(
    origins
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o && o !== '*'),
  );
  (matchMaker.controller as { DEFAULT_CORS_HEADERS: Record<string, string> }).DEFAULT_CORS_HEADERS = BASE_HEADERS;
  matchMaker.controller.getCorsHeaders = (headers: Headers): Record<string, string> => {
    const origin = headers.get('origin');
    if (!origin) return {};
    if (allowAny) return { 'Access-Control-Allow-Origin': '*' };
    if (allowed.has(origin))
      return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
    return {};
  };
}

import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

const overHttps = () => helmet();
const overHttp = () =>
  helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    strictTransportSecurity: false,
  });

/**
 * helmet's security headers, with the two that only make sense over HTTPS sent only over HTTPS: the
 * CSP's `upgrade-insecure-requests` (over plain HTTP on any host but localhost a browser would rewrite
 * every script and style of /docs and the monitor to https:// and show a blank page) and HSTS.
 * `req.secure` holds behind a TLS-terminating proxy when TRUST_PROXY is set and it sends
 * `X-Forwarded-Proto: https`. helmet's headers are the same for every request (no nonce), so they are
 * worked out once and set as a list instead of running its twelve middlewares per request.
 */
export function securityHeaders(): RequestHandler {
  const headers = fixedSecurityHeaders();
  return (req, res, next) => {
    setAll(res, req.secure ? headers.https : headers.http);
    next();
  };
}

/** Sets a header list on a response. */
export function setAll(res: ServerResponse, headers: HeaderList): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

/** Header name → value, as a response sets them. */
export type HeaderList = [string, string][];

/**
 * The very headers `securityHeaders()` sets, worked out once: helmet's are the same for every request
 * (no nonce), so a route too cheap to run twelve middlewares (the liveness probe) can set them itself.
 */
export function fixedSecurityHeaders(): { https: HeaderList; http: HeaderList } {
  return { https: recordHeaders(overHttps()), http: recordHeaders(overHttp()) };
}

function recordHeaders(middleware: ReturnType<typeof helmet>): HeaderList {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | number | string[]) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
  } as unknown as ServerResponse;
  let done = false;
  middleware({ headers: {} } as IncomingMessage, res, () => (done = true));
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be precomputed');
  return [...headers];
}

import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * helmet's security headers, with the two that only make sense over HTTPS sent only over HTTPS: the
 * CSP's `upgrade-insecure-requests` (over plain HTTP on any host but localhost a browser would rewrite
 * every script and style of /docs and the monitor to https:// and show a blank page) and HSTS.
 * `req.secure` holds behind a TLS-terminating proxy when TRUST_PROXY is set and it sends
 * `X-Forwarded-Proto: https`.
 */
export function securityHeaders(): RequestHandler {
  const overHttps = helmet();
  const overHttp = helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    strictTransportSecurity: false,
  });
  return (req, res, next) => (req.secure ? overHttps : overHttp)(req, res, next);
}

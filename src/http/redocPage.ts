import { createRequire } from 'node:module';
import type { Application } from 'express';

const BUNDLE = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

/**
 * The page's only script is Redoc's own bundle, served from node_modules (no CDN: the page works offline
 * and under `script-src 'self'`); Redoc finds the `<redoc>` element and reads its attributes itself, so
 * no inline script is needed.
 */
const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Plaza API</title>
  </head>
  <body>
    <redoc spec-url="/openapi.json" path-in-middle-panel="true"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>
  </body>
</html>
`;

/**
 * Serves Redoc at /redoc, a second reference page beside Swagger UI at /docs, from the same /openapi.json.
 * Redoc runs its search index in a worker it builds from a blob: the page's policy allows exactly that.
 */
export function redocPage(app: Application): void {
  app.get('/redoc', (_req, res) => {
    const csp = res.getHeader('content-security-policy');
    if (typeof csp === 'string') res.setHeader('content-security-policy', `${csp};worker-src 'self' blob:`);
    res.type('html').send(PAGE);
  });
  app.get('/redoc/redoc.standalone.js', (_req, res, next) => {
    res.sendFile(BUNDLE, { maxAge: '1d', headers: { 'content-type': 'text/javascript; charset=utf-8' } }, next);
  });
}

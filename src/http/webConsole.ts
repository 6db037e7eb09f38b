import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Request, type RequestHandler } from 'express';

/** Where `web/build.ts` writes the console (gitignored; built by `npm start` and the test root hook). */
const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const INDEX = `${DIST}index.html`;

/** Browsers navigating ask for HTML first; API clients (fetch, curl -H 'Accept: application/json') do not. */
function wantsPage(req: Request): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['html', 'json']) === 'html';
}

/**
 * The web console, a single-page app. Its pages live under /console, a prefix no API route uses, so a
 * reload of any page serves the app; `/` serves it too when a browser asks (an `Accept: application/json`
 * request to `/` still gets the welcome document, also at `/api`). Files revalidate on every load (ETag),
 * so a rebuilt console is picked up at once.
 */
export function webConsole(): { front: RequestHandler; fallback: RequestHandler } {
  const sendIndex: RequestHandler = (req, res, next) => {
    if (!wantsPage(req) || !fs.existsSync(INDEX)) return next();
    res.sendFile(INDEX, { headers: { 'cache-control': 'no-cache' } }, next);
  };
  const front = express.Router();
  front.use(
    '/assets',
    express.static(`${DIST}assets`, { cacheControl: true, maxAge: 0, index: false, fallthrough: true }),
  );
  front.get('/', sendIndex);
  front.get(['/console', '/console/*rest'], sendIndex);
  // Elsewhere only a request that names HTML (a browser's navigation) gets the app: a mistyped API path
  // from curl or fetch keeps its JSON 404.
  const fallback: RequestHandler = (req, res, next) =>
    (req.headers.accept ?? '').includes('text/html') ? sendIndex(req, res, next) : next();
  return { front, fallback };
}

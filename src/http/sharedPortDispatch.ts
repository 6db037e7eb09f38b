import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { CorsPolicy } from './corsPolicy.ts';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Colyseus' own HTTP routes (matchmaking, its health check): the public `Server.router`. */
export interface ColyseusRoutes {
  findRoute(method: string, path: string): unknown;
}

/**
 * Owns the `request` event of the port REST and Colyseus share, once Colyseus has bound its routes
 * (after `listen`). Colyseus' own listener would otherwise run first for every request: it builds a
 * WHATWG `Headers` of the request for its CORS check and looks up its router before handing anything
 * else to Express. Here CORS is decided once from `cors` (preflights answered 204, as Colyseus did),
 * Colyseus' routes go to Colyseus' listener exactly as before, a plain `GET /health` is answered by
 * `probe`, and everything else goes straight to the Express app.
 */
export function dispatchSharedPort(
  server: Server,
  parts: { cors: CorsPolicy; colyseus: ColyseusRoutes; app: RequestListener; probe: RequestListener },
): void {
  const colyseusListeners = server.listeners('request') as RequestListener[];
  if (colyseusListeners.length === 0) throw new Error('Colyseus has not bound its routes yet: dispatch after listen');
  server.removeAllListeners('request');
  const { cors, colyseus, app, probe } = parts;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const headers = cors.headersFor(req.headers.origin);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, headers);
      res.end();
      return;
    }
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    if (colyseus.findRoute(req.method ?? 'GET', query < 0 ? url : url.slice(0, query)) !== undefined) {
      for (const listener of colyseusListeners) listener.call(server, req, res);
      return;
    }
    for (const name in headers) res.setHeader(name, headers[name]);
    // The liveness probe in its plain form (no proxy header for Express to weigh) needs nothing of Express.
    if (url === '/health' && req.method === 'GET' && req.headers['x-forwarded-proto'] === undefined) probe(req, res);
    else app(req, res);
  });
}

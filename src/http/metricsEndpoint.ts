import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Application } from 'express';
import type { PlazaMetrics } from '../metrics/PlazaMetrics.ts';

/**
 * `GET /metrics` on the public port, only for a caller presenting `METRICS_TOKEN` as a bearer token.
 * Without a token configured the route does not exist there (404 like any unknown path).
 */
export function mountMetrics(app: Application, metrics: PlazaMetrics, token: string | undefined): void {
  if (!token) return;
  const expected = crypto.createHash('sha256').update(token).digest();
  app.get('/metrics', async (req, res) => {
    const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const digest = crypto.createHash('sha256').update(given).digest();
    if (!crypto.timingSafeEqual(digest, expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).type('text/plain').send('metrics need the METRICS_TOKEN bearer token\n');
      return;
    }
    const { contentType, body } = await metrics.text();
    res.type(contentType).send(body);
  });
}

/**
 * A listener of its own for Prometheus (METRICS_PORT, loopback unless METRICS_HOST says otherwise),
 * serving only `GET /metrics`, so the metrics never share the public port.
 */
export async function startMetricsServer(
  metrics: PlazaMetrics,
  host: string,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    metrics.text().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      () => res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

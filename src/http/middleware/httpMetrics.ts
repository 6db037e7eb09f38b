import type { Request, RequestHandler } from 'express';
import type { PlazaMetrics } from '../../metrics/PlazaMetrics.ts';

/**
 * Counts and times every answered request by its route template (`/posts/:id`, never the raw path, so
 * ids do not become series), and counts refusals of credentials (401) and of rate limits (429).
 */
export function httpMetrics(metrics: PlazaMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeTemplate(req), status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      const code = String(res.locals.errorCode ?? '');
      if (res.statusCode === 401) metrics.authFailures.inc({ edge: 'http', code });
      if (res.statusCode === 429) metrics.rateLimited.inc({ edge: 'http', code });
    });
    next();
  };
}

/** The matched route's template; requests no route matched share one label. */
function routeTemplate(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return `${req.baseUrl}${route}`;
  if (req.baseUrl) return `${req.baseUrl}/*`;
  return 'unmatched';
}

import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AppError, toAppError } from '../../errors/index.ts';

/** Unknown routes answer 404 in the error shape, like everything else. */
export const notFound: RequestHandler = (req) => {
  throw new AppError('ROUTE_NOT_FOUND', { detail: { method: req.method, path: req.path } });
};

/** The one place REST errors are translated to responses. No stack trace ever leaves the server. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { error, unexpected } = fromExpress(err);
    const requestId = String(res.getHeader('X-Request-Id') ?? '');
    if (unexpected) logger.error({ err, request_id: requestId }, 'unexpected error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [name, value] of Object.entries(error.headers ?? {})) res.setHeader(name, value);
    // For the request metrics (httpMetrics), which count refusals by code.
    res.locals.errorCode = error.code;
    res.status(error.status).json(error.toHttpBody(requestId));
  };
}

/** body-parser and multer report their failures with their own shapes; map those first. */
function fromExpress(err: unknown): { error: AppError; unexpected: boolean } {
  const type = (err as { type?: string } | null)?.type;
  if (type === 'entity.parse.failed') return { error: new AppError('MALFORMED_JSON'), unexpected: false };
  if (type === 'entity.too.large') return { error: new AppError('PAYLOAD_TOO_LARGE'), unexpected: false };
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') {
    return { error: new AppError('UNSUPPORTED_MEDIA_TYPE'), unexpected: false };
  }
  return toAppError(err);
}

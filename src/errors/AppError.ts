import { ErrorCodes, type ErrorKey } from './codes.ts';

/** The single error type the domain throws. Each edge (HTTP, rooms) translates it exactly once. */
export class AppError extends Error {
  override name = 'AppError';
  readonly key: ErrorKey;
  readonly code: number;
  readonly status: number;
  readonly detail?: unknown;
  /** Extra response headers (e.g. Retry-After) the HTTP edge should send. */
  readonly headers?: Record<string, string>;

  constructor(key: ErrorKey, options: { message?: string; detail?: unknown; headers?: Record<string, string>; cause?: unknown } = {}) {
    const spec = ErrorCodes[key];
    super(options.message ?? spec.message, { cause: options.cause });
    this.key = key;
    this.code = spec.code;
    this.status = spec.status;
    this.detail = options.detail;
    this.headers = options.headers;
  }

  /** REST body: `{ error: { code, message, detail?, request_id } }`. */
  toHttpBody(requestId: string) {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.detail === undefined ? {} : { detail: this.detail }),
        request_id: requestId,
      },
    };
  }

  /** Room message body: `{ type: "error", message, detail, error_code }`. */
  toRoomMessage() {
    return { type: 'error' as const, message: this.message, detail: this.detail ?? null, error_code: this.code };
  }
}

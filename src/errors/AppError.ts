import { ErrorCodes, type ErrorKey, type ErrorSpec } from './codes.ts';

/** The single error type the domain throws. Each edge (HTTP, rooms) translates it exactly once. */
export class AppError extends Error {
  override name = 'AppError';
  readonly key: ErrorKey;
  readonly code: number;
  readonly status: number;
  readonly detail?: unknown;
  /** Extra response headers (e.g. Retry-After) the HTTP edge should send. */
  readonly headers?: Record<string, string>;

  constructor(
    key: ErrorKey,
    options: { message?: string; detail?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    const spec: ErrorSpec = ErrorCodes[key];
    super(options.message ?? spec.message, { cause: options.cause });
    this.key = key;
    this.code = spec.code;
    this.status = spec.status;
    this.detail = options.detail;
    const retryAfter = 'retryAfterSeconds' in spec ? { 'Retry-After': String(spec.retryAfterSeconds) } : undefined;
    this.headers = retryAfter || options.headers ? { ...retryAfter, ...options.headers } : undefined;
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

  /**
   * Room message body: `{ type: "error", message, detail, error_code }`. A general code with a room form
   * (a request validation failure is a malformed room message) is sent as that room code.
   */
  toRoomMessage() {
    const spec: ErrorSpec = ErrorCodes[this.key];
    const room = 'room' in spec ? ErrorCodes[spec.room] : undefined;
    const message = room && this.message === spec.message ? room.message : this.message;
    return { type: 'error' as const, message, detail: this.detail ?? null, error_code: room?.code ?? this.code };
  }
}

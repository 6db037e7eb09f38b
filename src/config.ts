import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const seconds = z.coerce.number().int().positive();

/**
 * Every setting Plaza reads, with a laptop-safe default. `loadConfig` is the only reader of the
 * environment; everything else receives the parsed `Config`.
 */
const envSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface to bind.'),
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(2567)
    .describe('HTTP and WebSocket port (0 = any free port).'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional()
    .describe('PostgreSQL connection URL. Unset: the embedded PGlite database in PGLITE_DIR.'),
  PGLITE_DIR: z
    .string()
    .min(1)
    .optional()
    .describe("Embedded database directory ('memory://' keeps it in memory). Unset: DATA_DIR/pglite."),
  DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .describe(
      'Where Plaza keeps local state (generated JWT secret, uploads, the mail drop, the spool; the embedded database and backups unless PGLITE_DIR / BACKUP_DIR say otherwise).',
    ),
  BACKUP_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where `npm run cli -- backup` writes database backups and `restore` looks for them. Unset: DATA_DIR/backups.',
    ),
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('HMAC secret for access tokens. Unset: a random one is generated once and kept in DATA_DIR/jwt-secret.'),
  ACCESS_TOKEN_TTL: seconds.default(900).describe('Access token lifetime in seconds.'),
  REFRESH_TOKEN_TTL: seconds.default(30 * 24 * 3600).describe('Refresh token lifetime in seconds.'),
  PASSWORD_RESET_TTL: seconds.default(1800).describe('Password reset token lifetime in seconds.'),
  EMAIL_VERIFICATION: z
    .enum(['off', 'optional', 'required'])
    .optional()
    .describe(
      "Sign-up e-mail verification: 'off' sends nothing; 'optional' mails a token and lets the user in meanwhile; 'required' refuses sign-in (11010) until the address is confirmed. Unset: 'optional' with SMTP_URL, else 'off'.",
    ),
  EMAIL_TOKEN_TTL: seconds
    .default(24 * 3600)
    .describe('Lifetime in seconds of e-mail verification and e-mail change tokens.'),
  DELETED_USERNAME_HOLD: z.coerce
    .number()
    .int()
    .min(0)
    .default(30 * 24 * 3600)
    .describe(
      'Seconds the username of a deleted account stays reserved before anyone may register it (0: freed at once).',
    ),
  AUTH_FAILURES_PER_ACCOUNT_IP: z.coerce
    .number()
    .int()
    .positive()
    .default(10)
    .describe(
      'Failed logins on one account from one client address per AUTH_RATE_WINDOW; then that address gets 429 for that account.',
    ),
  AUTH_FAILURES_PER_IP: z.coerce
    .number()
    .int()
    .positive()
    .default(100)
    .describe(
      'Failed logins (and, counted apart, failed refreshes and password resets) from one client address per AUTH_RATE_WINDOW; sized for an office behind one NAT.',
    ),
  AUTH_FAILURES_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .positive()
    .default(100)
    .describe(
      'Failed logins on one account from all addresses together per AUTH_ACCOUNT_WINDOW: the ceiling for guessing spread over many addresses.',
    ),
  AUTH_ACCOUNT_WINDOW: seconds.default(3600).describe('Window of AUTH_FAILURES_PER_ACCOUNT, in seconds.'),
  AUTH_RATE_PER_IP: z.coerce
    .number()
    .int()
    .positive()
    .default(100)
    .describe('Registrations, and password-reset requests, from one client address per AUTH_RATE_WINDOW.'),
  AUTH_RATE_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .positive()
    .default(5)
    .describe('Password-reset requests for one e-mail address per AUTH_RATE_WINDOW.'),
  AUTH_RATE_WINDOW: seconds
    .default(900)
    .describe('Window of the per-address and per-(account, address) auth limits, in seconds.'),
  JSON_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, "must look like '100kb'")
    .default('100kb')
    .describe(
      'Largest accepted JSON body from a signed-in caller (anonymous callers: at most 16kb, read only after the access check; AI jobs: their own limit).',
    ),
  CORS_ORIGINS: z
    .string()
    .default('')
    .describe("Comma-separated allowed origins; '*' for any; empty for same-origin only."),
  TRUST_PROXY: bool.default(false).describe('Trust X-Forwarded-* headers (set behind a reverse proxy).'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional()
    .describe(
      'Redis shared by several Plaza processes (e.g. redis://127.0.0.1:6379/0; one database number per deployment). Unset: one process. Needs DATABASE_URL and JWT_SECRET; see docs/scaling.md.',
    ),
  PUBLIC_ADDRESS: z
    .string()
    .regex(/^[^\s/:]+(:\d+)?(\/[^\s]*)?$/, 'must be host[:port][/path], without a scheme')
    .optional()
    .describe(
      "How clients reach this process's rooms when several processes run (e.g. plaza.example.com/p1 behind nginx, or 127.0.0.1:2568). Unset: the address the client used for matchmaking.",
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
  LOG_PRETTY: bool.default(false).describe('Human-readable logs instead of JSON lines.'),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe(
      'Base URL of the links Plaza sends (password reset: PUBLIC_URL/console/reset?token=…). Unset: the address the server actually listens on.',
    ),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional()
    .describe(
      'Send e-mail over SMTP. Unset: e-mail waits in the mail drop (DATA_DIR/mail) for the operator: `npm run cli -- outbox`.',
    ),
  MAIL_FROM: z.string().default('Plaza <no-reply@plaza.local>').describe('Sender address of outgoing e-mail.'),
  MAIL_RETRY_BASE: seconds
    .default(30)
    .describe('Seconds before a failed SMTP send is tried again; doubled after each failure (at most an hour).'),
  MAIL_RETRY_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(8)
    .describe('SMTP attempts per message before it is left in the mail drop for the operator.'),
  DB_CONSOLE_ENABLED: bool.default(false).describe('Enable the admin read-only SQL console (/admin/db/*).'),
  DB_CONSOLE_MAX_ROWS: z.coerce
    .number()
    .int()
    .min(1)
    .max(100000)
    .default(1000)
    .describe('Most rows one console query returns.'),
  DB_CONSOLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe(
      'Console statement timeout in ms. PostgreSQL ends the statement itself; the embedded PGlite on disk (its own thread) is interrupted and reopened, database requests meanwhile answering 503; an in-memory PGlite cannot enforce it.',
    ),
  // PostgreSQL connection pool and start-up (the embedded PGlite has no network to wait on)
  DB_CONNECT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe('PostgreSQL: most milliseconds to open one connection.'),
  DB_ACQUIRE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe(
      'PostgreSQL: most milliseconds a request waits for a pooled connection (opening one included) before answering 503.',
    ),
  DB_IDLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(30_000)
    .describe('PostgreSQL: an unused pooled connection is closed after this many milliseconds.'),
  DB_STATEMENT_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(15_000)
    .describe(
      'PostgreSQL: statement_timeout of every session (0 = none). A query unanswered 2 s past it (or past the console timeout, if longer) is failed and its connection dropped.',
    ),
  DB_STARTUP_WAIT: z.coerce
    .number()
    .int()
    .min(0)
    .default(60)
    .describe('Seconds start-up keeps retrying an unreachable PostgreSQL (with backoff, saying why) before giving up.'),
  WS_MAX_PAYLOAD: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024)
    .describe('Largest WebSocket frame accepted, in bytes.'),
  // Operations (docs/operations.md)
  METRICS_PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .optional()
    .describe(
      'Serve Prometheus metrics (GET /metrics) on this port of METRICS_HOST, apart from the public port (0 = any free port). Unset: no metrics listener.',
    ),
  METRICS_HOST: z
    .string()
    .min(1)
    .default('127.0.0.1')
    .describe('Interface of the METRICS_PORT listener (loopback: only this machine can scrape).'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .describe(
      'Also serve GET /metrics on the public port to callers sending `Authorization: Bearer <METRICS_TOKEN>`. Unset: /metrics is not on the public port.',
    ),
  DB_WATCH_INTERVAL: z.coerce
    .number()
    .positive()
    .default(5)
    .describe(
      'Seconds between checks that the database answers; a failed check starts an outage (one database_unavailable event), the next good one ends it.',
    ),
  ALERT_EMAIL: z
    .email()
    .optional()
    .describe('With SMTP_URL: e-mail database_unavailable / database_recovered alerts to this address.'),
  BACKUP_INTERVAL: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe(
      'Seconds between scheduled full backups into BACKUP_DIR (0 = none). With several processes on one PostgreSQL, one of them takes them.',
    ),
  BACKUP_KEEP: z.coerce
    .number()
    .int()
    .min(1)
    .default(7)
    .describe('Backups kept in BACKUP_DIR after a scheduled backup; older ones are deleted.'),
  RETENTION_INTERVAL: seconds
    .default(3600)
    .describe('Seconds between retention passes (one process applies them; see the *_RETENTION_DAYS settings).'),
  AI_RESULT_RETENTION_DAYS: z.coerce
    .number()
    .min(0)
    .default(90)
    .describe('Days a finished AI job keeps its stored dataset and result (0 = forever); the job row stays.'),
  SSH_AUDIT_RETENTION_DAYS: z.coerce
    .number()
    .min(0)
    .default(365)
    .describe('Days SSH audit entries (commands, transfers, sessions) are kept (0 = forever).'),
  OUTBOX_RETENTION_DAYS: z.coerce
    .number()
    .min(0)
    .default(30)
    .describe('Days the record of a delivered e-mail is kept (0 = forever); undelivered mail is never deleted.'),
  TOKEN_RETENTION_DAYS: z.coerce
    .number()
    .min(0)
    .default(7)
    .describe('Days expired refresh and password-reset tokens are kept after they expire (0 = forever).'),
  // Boards and files
  VIEW_FLUSH_INTERVAL: z.coerce
    .number()
    .positive()
    .default(10)
    .describe('Seconds between writes of batched post view counts (also flushed on shutdown).'),
  FILE_LINK_TTL: seconds
    .default(300)
    .describe('Lifetime in seconds of the signed file links (POST /files/:id/link) the web console shows images with.'),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .max(2 ** 31)
    .default(10 * 1024 * 1024)
    .describe('Largest accepted uploaded file, in bytes.'),
  UPLOAD_MAX_FILES: z.coerce
    .number()
    .int()
    .positive()
    .max(100)
    .default(10)
    .describe('Most files in one upload request, and most attachments on one post or comment.'),
  UPLOAD_ALLOWED_TYPES: z
    .string()
    .min(1)
    .default(
      'image/png,image/jpeg,image/gif,image/webp,image/bmp,image/tiff,image/avif,application/pdf,text/plain,' +
        'application/zip,application/x-cfb,application/rtf,application/vnd.openxmlformats-officedocument.*,application/vnd.oasis.opendocument.*,' +
        'application/x-hwp,application/hwp+zip',
    )
    .describe(
      "Comma-separated allowlist of types detected from the file's bytes: MIME types ('image/png', 'image/*') or extensions ('pdf').",
    ),
  UPLOAD_QUOTA_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 ** 3)
    .describe(
      'Bytes of files one user may keep (uploads and attachments); an upload beyond it gets 42010. Admins are exempt.',
    ),
  CONTENT_RATE_WINDOW: seconds
    .default(60)
    .describe('Window in seconds of the per-user limits on posts, comments and uploads.'),
  POST_RATE_PER_USER: z.coerce
    .number()
    .int()
    .positive()
    .default(10)
    .describe('Posts one user may create per CONTENT_RATE_WINDOW; more get 429 with Retry-After. Admins are exempt.'),
  COMMENT_RATE_PER_USER: z.coerce
    .number()
    .int()
    .positive()
    .default(30)
    .describe('Comments one user may create per CONTENT_RATE_WINDOW; more get 429 with Retry-After.'),
  UPLOAD_RATE_PER_USER: z.coerce
    .number()
    .int()
    .positive()
    .default(20)
    .describe('Upload requests one user may make per CONTENT_RATE_WINDOW; more get 429 with Retry-After.'),
  // realtime
  CHAT_RETENTION_DEFAULT: z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .describe('Messages a new chat group keeps (oldest pruned). Unset: keep all.'),
  CHAT_WINDOW: z.coerce
    .number()
    .int()
    .min(0)
    .max(200)
    .default(50)
    .describe('Latest messages sent (as `sync`) to a client that joins a chat room without last_seen_id.'),
  CHAT_STATE_MEMBERS_MAX: z.coerce
    .number()
    .int()
    .min(0)
    .default(200)
    .describe(
      "Largest chat group whose members are in the room's synced state; a larger group sets membersPaged and serves its members through the `members` request (each join would otherwise encode, and every join patch, every member).",
    ),
  CHAT_RATE_PER_SECOND: z.coerce
    .number()
    .int()
    .positive()
    .default(10)
    .describe(
      'Sends and history/sync requests one user may make per second across rooms (burst 2x); each one over it gets error 30011.',
    ),
  ROOM_MAX_MESSAGES_PER_SECOND: z.coerce
    .number()
    .int()
    .positive()
    .default(250)
    .describe(
      "Colyseus' own frame cap per connection: above it the connection is closed with 4002 and no error. Keep it far above CHAT_RATE_PER_SECOND.",
    ),
  ROOM_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * 1024 * 1024)
    .describe(
      'Bytes a room connection may leave unsent (its socket buffer) before it is closed with 4408 as a slow consumer, instead of buffering without bound.',
    ),
  ROOM_MAX_CONNECTIONS_PER_USER: z.coerce
    .number()
    .int()
    .positive()
    .default(20)
    .describe('Room connections one user may hold at once (all devices and rooms); one more is refused with 30020.'),
  CHAT_MAX_GROUPS_PER_USER: z.coerce
    .number()
    .int()
    .positive()
    .default(50)
    .describe('Chat groups one user may own (and still be in); creating one more answers 30019.'),
  CHAT_GROUPS_PER_HOUR: z.coerce
    .number()
    .int()
    .positive()
    .default(10)
    .describe('Chat groups one user may create per hour; more answer 429 (10005) with Retry-After.'),
  RECONNECT_GRACE: z.coerce
    .number()
    .int()
    .min(0)
    .default(20)
    .describe('Seconds a dropped room connection keeps its seat for a reconnect.'),
  PRESENCE_GRACE: z.coerce
    .number()
    .min(0)
    .default(5)
    .describe('Seconds after the last device leaves home before the user shows offline.'),
  SPOOL_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Where this process spools chat messages and DMs while the database is away (locked by one process). Unset: DATA_DIR/spool.',
    ),
  SPOOL_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024)
    .describe(
      'While the database is away, chat messages and DMs wait in a spool file (SPOOL_DIR); past this many bytes new ones are refused with 30030.',
    ),
  SPOOL_MAX_AGE: seconds
    .default(86_400)
    .describe(
      'Seconds the oldest spooled message may wait for the database; past it new messages are refused with 30030 (nothing spooled is dropped).',
    ),
  CHAT_STORE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(5000)
    .describe(
      'A chat/DM message not confirmed stored within this many ms is answered 30017 (it may still be stored), or 30014 if storing never began.',
    ),
  MONITOR_TOKEN_TTL: seconds.default(900).describe('Lifetime of the admin monitor sign-in cookie, in seconds.'),
  SHUTDOWN_TIMEOUT: seconds
    .default(10)
    .describe(
      'Seconds to wait for rooms and requests to finish on a stop signal; the whole shutdown gives up (exit 1) after twice this.',
    ),
  HTTP_HEADERS_TIMEOUT: seconds.default(20).describe('Seconds a client may take to send the headers of a request.'),
  HTTP_REQUEST_TIMEOUT: seconds
    .default(120)
    .describe(
      'Seconds a client may take to send a whole request, body included (a stalled upload is cut with 408); downloads and WebSockets are not limited.',
    ),
  // AI jobs (docs/ai.md)
  AI_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(1, os.availableParallelism() - 1))
    .describe('AI worker threads (default: cores - 1, at least 1, so jobs leave a core to chat).'),
  AI_POOL_QUEUE: z.coerce
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(2)
    .describe('Tasks the pool may hold beyond its threads; the rest of the queue waits in the database.'),
  AI_WORKER_MEMORY_MB: z.coerce
    .number()
    .int()
    .min(16)
    .default(256)
    .describe('Heap limit of each AI worker thread (resourceLimits); a job that exceeds it fails alone.'),
  AI_MAX_ACTIVE_JOBS_PER_USER: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe('Queued + running AI jobs one user may have; more answer 429.'),
  AI_MAX_INPUT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024)
    .describe('Largest AI job input (CSV dataset plus JSON input), in bytes.'),
  AI_POLL_INTERVAL: z.coerce
    .number()
    .int()
    .min(50)
    .default(1000)
    .describe('Milliseconds between checks of the job queue for work submitted elsewhere.'),
  AI_HEARTBEAT_INTERVAL: z.coerce
    .number()
    .int()
    .min(100)
    .default(5000)
    .describe('Milliseconds between heartbeats of running jobs; a job silent for 3 heartbeats is recovered.'),
  AI_MAX_ATTEMPTS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10)
    .default(2)
    .describe('Starts an AI job gets before a crash or restart fails it instead of re-queueing it.'),
  AI_TEST_MODELS: bool
    .default(false)
    .describe('TEST ONLY: registers the test-spin and test-memory-hog models. Never enable in production.'),
  // SSH control room
  SSH_SERVERS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'JSON or YAML file listing SSH targets and named transfers (docs/ssh.md). Unset: the ssh room has no targets.',
    ),
  SSH_HEALTH_INTERVAL: z.coerce
    .number()
    .positive()
    .default(30)
    .describe('Seconds between health checks of each SSH target.'),
  SSH_HEALTH_FAILURES: z.coerce
    .number()
    .int()
    .positive()
    .default(2)
    .describe('Consecutive failed health checks before a target counts as unhealthy.'),
  SSH_CONNECT_TIMEOUT: z.coerce
    .number()
    .positive()
    .default(10)
    .describe('Seconds allowed for TCP connect plus SSH handshake and authentication.'),
  SSH_IDLE_TIMEOUT: z.coerce
    .number()
    .positive()
    .default(60)
    .describe('Seconds a pooled SSH connection with nothing running stays open.'),
  SSH_COMMAND_TIMEOUT: z.coerce
    .number()
    .positive()
    .default(600)
    .describe('Default and largest command run time in seconds (a client may ask for less).'),
  SSH_OUTPUT_CAP: z.coerce
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024)
    .describe('Bytes of output one command may stream before it is stopped and reported truncated.'),
  SSH_OUTPUT_RATE: z.coerce
    .number()
    .int()
    .positive()
    .default(10)
    .describe('Most `output` messages per second sent to one client; chunks in between are coalesced.'),
  SSH_OUTPUT_MESSAGE_MAX: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024)
    .describe('Most bytes of output text in one `output` message; more is split into several, in order.'),
  SSH_REPLAY_BUFFER: z.coerce
    .number()
    .int()
    .min(0)
    .default(1024 * 1024)
    .describe(
      "Bytes of one operation's latest output kept for its client to catch up after a reconnect; older output becomes an `output_gap`.",
    ),
  SSH_KILL_GRACE: z.coerce
    .number()
    .positive()
    .default(2)
    .describe('Seconds a stopped command (stop phrase, cancel, timeout, output cap) gets between TERM and KILL.'),
  SSH_SESSION_TTL: z.coerce
    .number()
    .positive()
    .default(60)
    .describe('Seconds an SSH session lease lives unless its owner renews it (renewed every TTL/3).'),
  SSH_SESSION_GRACE: z.coerce
    .number()
    .positive()
    .default(30)
    .describe("Seconds an SSH session survives its owner's dropped connection."),
});

/** The directories that live under DATA_DIR unless set on their own. */
function withDataDirDefaults(config: z.infer<typeof envSchema>) {
  return {
    ...config,
    PGLITE_DIR: config.PGLITE_DIR ?? path.join(config.DATA_DIR, 'pglite'),
    BACKUP_DIR: config.BACKUP_DIR ?? path.join(config.DATA_DIR, 'backups'),
  };
}

const configSchema = envSchema.superRefine(scaleOutNeeds).transform(withDataDirDefaults);

export type Config = z.output<typeof configSchema>;

/** EMAIL_VERIFICATION as set, or its default: verify addresses when mail can actually reach them. */
export function emailVerificationMode(config: Config): 'off' | 'optional' | 'required' {
  return config.EMAIL_VERIFICATION ?? (config.SMTP_URL ? 'optional' : 'off');
}
export type ConfigInput = Partial<Record<keyof Config, string | undefined>>;

/** Thrown when a variable is missing or malformed; its message names each bad variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses settings once. Unknown variables are ignored; empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '?');
      const got = input[name] === undefined ? '' : ` (got ${JSON.stringify(redact(name, input[name]))})`;
      return `  ${name}: ${issue.message}${got}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Several processes on one Redis must share one database and one token secret: the embedded PGlite
 * belongs to one process, and a generated secret would differ per process (tokens from one refused by
 * the others).
 */
function scaleOutNeeds(config: z.infer<typeof envSchema>, ctx: z.RefinementCtx): void {
  if (!config.REDIS_URL) return;
  if (!config.DATABASE_URL)
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message:
        'needs DATABASE_URL: several processes cannot share the embedded PGlite database (set DATABASE_URL to a PostgreSQL URL, or unset REDIS_URL for one process)',
    });
  if (!config.JWT_SECRET)
    ctx.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message:
        'needs JWT_SECRET: every process must sign and check tokens with the same secret (set JWT_SECRET to one value of at least 32 characters on every process)',
    });
}

/** Builds a config for code (tests, CLI) from overrides on top of the defaults. */
export function configWith(overrides: ConfigInput): Config {
  return loadConfig(overrides);
}

/**
 * The one other reader of the environment: the SSH servers file names the variables that hold its
 * passwords and passphrases, and they are resolved here, once, at start-up.
 */
export function sshSecretLookup(
  env: Record<string, string | undefined> = process.env,
): (name: string) => string | undefined {
  return (name) => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
}

function redact(name: string, value: string): string {
  return /SECRET|PASSWORD|URL/.test(name) ? '<redacted>' : value;
}

/** Name, default and meaning of every variable: the README's configuration table comes from here. */
export function describeConfig(): { name: string; default: string; description: string }[] {
  const defaults = envSchema.parse({});
  return Object.entries(envSchema.shape).map(([name, schema]) => ({
    name,
    default: String((defaults as Record<string, unknown>)[name] ?? '(unset)'),
    description: schema.description ?? '',
  }));
}

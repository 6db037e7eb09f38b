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
  PORT: z.coerce.number().int().min(0).max(65535).default(2567).describe('HTTP and WebSocket port (0 = any free port).'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
    .optional()
    .describe('PostgreSQL connection URL. Unset: the embedded PGlite database in PGLITE_DIR.'),
  PGLITE_DIR: z.string().min(1).default('./data/pglite').describe("Embedded database directory ('memory://' keeps it in memory)."),
  DATA_DIR: z.string().min(1).default('./data').describe('Where Plaza keeps local state (generated JWT secret, uploads).'),
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('HMAC secret for access tokens. Unset: a random one is generated once and kept in DATA_DIR/jwt-secret.'),
  ACCESS_TOKEN_TTL: seconds.default(900).describe('Access token lifetime in seconds.'),
  REFRESH_TOKEN_TTL: seconds.default(30 * 24 * 3600).describe('Refresh token lifetime in seconds.'),
  PASSWORD_RESET_TTL: seconds.default(1800).describe('Password reset token lifetime in seconds.'),
  AUTH_RATE_PER_IP: z.coerce.number().int().positive().default(30).describe('Login/register/forgot requests per IP per AUTH_RATE_WINDOW.'),
  AUTH_RATE_PER_ACCOUNT: z.coerce.number().int().positive().default(10).describe('Login/forgot attempts per account per AUTH_RATE_WINDOW.'),
  AUTH_RATE_WINDOW: seconds.default(900).describe('Rate-limit window for the auth endpoints, in seconds.'),
  JSON_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, "must look like '100kb'").default('100kb').describe('Largest accepted JSON body.'),
  CORS_ORIGINS: z.string().default('').describe("Comma-separated allowed origins; '*' for any; empty for same-origin only."),
  TRUST_PROXY: bool.default(false).describe('Trust X-Forwarded-* headers (set behind a reverse proxy).'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level.'),
  LOG_PRETTY: bool.default(false).describe('Human-readable logs instead of JSON lines.'),
  PUBLIC_URL: z.url().default('http://127.0.0.1:2567').describe('Base URL used in links Plaza sends (password reset).'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional().describe('Send e-mail over SMTP. Unset: e-mail goes to the outbox table and the log only.'),
  MAIL_FROM: z.string().default('Plaza <no-reply@plaza.local>').describe('Sender address of outgoing e-mail.'),
  WS_MAX_PAYLOAD: z.coerce.number().int().min(1024).default(64 * 1024).describe('Largest WebSocket frame accepted, in bytes.'),
  // realtime (issue 4)
  CHAT_RETENTION_DEFAULT: z.coerce.number().int().positive().optional().describe('Messages a new chat group keeps (oldest pruned). Unset: keep all.'),
  CHAT_WINDOW: z.coerce.number().int().min(0).max(200).default(50).describe('Latest messages held in a chat room\'s synced state.'),
  CHAT_RATE_PER_SECOND: z.coerce.number().int().positive().default(10).describe('Chat/DM messages one connection may send per second (burst 2x); more get error 30011.'),
  ROOM_MAX_MESSAGES_PER_SECOND: z.coerce.number().int().positive().default(60).describe('Frames per second after which Colyseus drops a connection outright.'),
  RECONNECT_GRACE: z.coerce.number().int().min(0).default(20).describe('Seconds a dropped room connection keeps its seat for a reconnect.'),
  PRESENCE_GRACE: z.coerce.number().min(0).default(5).describe('Seconds after the last device leaves home before the user shows offline.'),
  CHAT_STORE_TIMEOUT_MS: z.coerce.number().int().positive().default(5000).describe('A chat/DM message not stored within this many ms is reported to the sender as 30014 (retryable).'),
  MONITOR_TOKEN_TTL: seconds.default(900).describe('Lifetime of the admin monitor sign-in cookie, in seconds.'),
  SHUTDOWN_TIMEOUT: seconds.default(10).describe('Seconds to wait for rooms and requests to finish on SIGTERM.'),
});

export type Config = z.infer<typeof envSchema>;
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
  const parsed = envSchema.safeParse(input);
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

/** Builds a config for code (tests, CLI) from overrides on top of the defaults. */
export function configWith(overrides: ConfigInput): Config {
  return loadConfig(overrides as Record<string, string | undefined>);
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

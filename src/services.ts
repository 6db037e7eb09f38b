import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './db/openDatabase.ts';
import { AuthService } from './domain/auth/AuthService.ts';
import { AuthRateLimiter } from './domain/auth/RateLimiter.ts';
import { SessionRevoker } from './domain/auth/SessionRevoker.ts';
import { TokenService } from './domain/auth/TokenService.ts';
import { AdminService } from './domain/admin/AdminService.ts';
import { AuditLog } from './domain/admin/AuditLog.ts';
import { DatabaseConsole } from './domain/admin/DatabaseConsole.ts';
import { UserService } from './domain/users/UserService.ts';
import type { Mailer } from './domain/mail/Mailer.ts';
import { OutboxMailer } from './infra/mail/OutboxMailer.ts';
import { resolveJwtSecret } from './infra/jwtSecret.ts';

/** Every domain service, built once and handed to routers and rooms. */
export interface Services {
  orm: Database;
  tokens: TokenService;
  sessions: SessionRevoker;
  auth: AuthService;
  authLimiter: AuthRateLimiter;
  users: UserService;
  admin: AdminService;
  audit: AuditLog;
  mailer: Mailer;
  dbConsole: DatabaseConsole;
}

export function buildServices(config: Config, logger: Logger, orm: Database): Services {
  const em = orm.em;
  const tokens = new TokenService(em, {
    secret: resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR),
    accessTtlSeconds: config.ACCESS_TOKEN_TTL,
  });
  const sessions = new SessionRevoker(em);
  const mailer = new OutboxMailer(em, logger.child({ component: 'mail' }), { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  const audit = new AuditLog(em);
  return {
    orm,
    tokens,
    sessions,
    auth: new AuthService(em, tokens, sessions, mailer, {
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL,
      passwordResetTtlSeconds: config.PASSWORD_RESET_TTL,
      publicUrl: config.PUBLIC_URL,
    }),
    authLimiter: new AuthRateLimiter({
      perIp: config.AUTH_RATE_PER_IP,
      perAccount: config.AUTH_RATE_PER_ACCOUNT,
      windowSeconds: config.AUTH_RATE_WINDOW,
    }),
    users: new UserService(em),
    admin: new AdminService(em, sessions, audit),
    audit,
    mailer,
    dbConsole: new DatabaseConsole(em, audit, {
      enabled: config.DB_CONSOLE_ENABLED,
      maxRows: config.DB_CONSOLE_MAX_ROWS,
      timeoutMs: config.DB_CONSOLE_TIMEOUT_MS,
      postgres: Boolean(config.DATABASE_URL),
    }),
  };
}

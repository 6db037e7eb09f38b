import type { Logger } from 'pino';
import { sshSecretLookup, type Config } from './config.ts';
import type { Database } from './db/openDatabase.ts';
import { AuthService } from './domain/auth/AuthService.ts';
import { AuthRateLimiter } from './domain/auth/RateLimiter.ts';
import { SessionRevoker } from './domain/auth/SessionRevoker.ts';
import { TokenService } from './domain/auth/TokenService.ts';
import { AdminService } from './domain/admin/AdminService.ts';
import { AuditLog } from './domain/admin/AuditLog.ts';
import { UserService } from './domain/users/UserService.ts';
import type { Mailer } from './domain/mail/Mailer.ts';
import { OutboxMailer } from './infra/mail/OutboxMailer.ts';
import { resolveJwtSecret } from './infra/jwtSecret.ts';
import { SessionLeases } from './domain/ssh/SessionLeases.ts';
import { SshControl } from './domain/ssh/SshControl.ts';
import type { HealthSource } from './domain/ssh/ports.ts';
import { loadServersFile } from './infra/ssh/serversFile.ts';
import { Ssh2Gateway } from './infra/ssh/Ssh2Gateway.ts';
import { HealthMonitor } from './infra/ssh/HealthMonitor.ts';

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
  /** The SSH control room's services (issue 5). */
  ssh: SshServices;
  /** Run (and awaited) by main.ts's stop() before the database closes. */
  shutdownHooks: (() => Promise<void>)[];
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
  const ssh = buildSshServices(config, logger, em, audit);
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
    ssh: ssh.services,
    shutdownHooks: [ssh.shutdown],
  };
}

export interface SshServices {
  control: SshControl;
  health: HealthSource;
  settings: { outputRate: number; ttlSeconds: number; graceSeconds: number };
}

/** The SSH area: targets from the servers file, pooled ssh2 gateway, health checks, session lease. */
function buildSshServices(config: Config, logger: Logger, em: Database['em'], audit: AuditLog) {
  const servers = loadServersFile(config.SSH_SERVERS_FILE, sshSecretLookup());
  const log = logger.child({ component: 'ssh' });
  const gateway = new Ssh2Gateway(servers, { connectTimeoutMs: config.SSH_CONNECT_TIMEOUT * 1000, idleMs: config.SSH_IDLE_TIMEOUT * 1000, log });
  const health = new HealthMonitor(servers.targets, {
    intervalMs: config.SSH_HEALTH_INTERVAL * 1000,
    timeoutMs: config.SSH_CONNECT_TIMEOUT * 1000,
    failuresToUnhealthy: config.SSH_HEALTH_FAILURES,
    log,
  });
  health.start();
  const leases = new SessionLeases(em, audit, { ttlSeconds: config.SSH_SESSION_TTL, graceSeconds: config.SSH_SESSION_GRACE });
  const services: SshServices = {
    control: new SshControl(em, gateway, leases, audit, { outputCap: config.SSH_OUTPUT_CAP, maxTimeoutMs: config.SSH_COMMAND_TIMEOUT * 1000 }),
    health,
    settings: { outputRate: config.SSH_OUTPUT_RATE, ttlSeconds: config.SSH_SESSION_TTL, graceSeconds: config.SSH_SESSION_GRACE },
  };
  const shutdown = async () => {
    health.stop();
    await gateway.close();
  };
  return { services, shutdown };
}

import type { Logger } from 'pino';
import type { Config } from './config.ts';
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
import { LocalPresence } from '@colyseus/core';
import { channels, type RealtimeBus } from './domain/realtime/RealtimeBus.ts';
import { ChatService } from './domain/realtime/ChatService.ts';
import { DirectMessageService } from './domain/realtime/DirectMessageService.ts';
import { PresenceService } from './domain/realtime/PresenceService.ts';
import { SocialService } from './domain/realtime/SocialService.ts';
import { SupportService } from './domain/realtime/SupportService.ts';
import { RealtimeAdminService } from './domain/realtime/RealtimeAdminService.ts';
import { PresenceBus } from './infra/realtime/PresenceBus.ts';

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
  // realtime (issue 4)
  bus: PresenceBus;
  chat: ChatService;
  dms: DirectMessageService;
  presence: PresenceService;
  social: SocialService;
  support: SupportService;
  realtimeAdmin: RealtimeAdminService;
}

/** `bus` carries realtime events between rooms; main.ts hands the same presence to Colyseus. */
export function buildServices(config: Config, logger: Logger, orm: Database, bus = new PresenceBus(new LocalPresence())): Services {
  const em = orm.em;
  const tokens = new TokenService(em, {
    secret: resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR),
    accessTtlSeconds: config.ACCESS_TOKEN_TTL,
  });
  const sessions = new SessionRevoker(em);
  const mailer = new OutboxMailer(em, logger.child({ component: 'mail' }), { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  const audit = new AuditLog(em);
  // A user losing sessions (ban, logout) must lose live connections too: rooms listen on the bus.
  sessions.onUserRevoked((userId) => bus.publish(channels.revoked, { user_id: userId }));
  sessions.onFamilyRevoked((familyId) => bus.publish(channels.revoked, { family_id: familyId }));
  const presence = new PresenceService(em, bus as RealtimeBus);
  const chat = new ChatService(em, bus, { defaultRetention: config.CHAT_RETENTION_DEFAULT ?? null });
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
    bus,
    chat,
    dms: new DirectMessageService(em, bus),
    presence,
    social: new SocialService(em, bus, presence),
    support: new SupportService(em, bus),
    realtimeAdmin: new RealtimeAdminService(em, bus, chat),
  };
}

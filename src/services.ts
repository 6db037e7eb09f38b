import crypto from 'node:crypto';
import path from 'node:path';
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
import { BoardService } from './domain/boards/BoardService.ts';
import { CommentService } from './domain/boards/CommentService.ts';
import { PostService } from './domain/boards/PostService.ts';
import { ViewCounter } from './domain/boards/ViewCounter.ts';
import { FileService } from './domain/files/FileService.ts';
import type { FileStorage } from './domain/files/FileStorage.ts';
import { LocalDiskStorage } from './infra/storage/LocalDiskStorage.ts';

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
  boards: BoardService;
  posts: PostService;
  comments: CommentService;
  views: ViewCounter;
  files: FileService;
  fileStorage: FileStorage;
  /** Run in order by main.ts's stop() after connections close and before the database closes (e.g. flush pending writes). */
  shutdownHooks: (() => Promise<void>)[];
}

export function buildServices(config: Config, logger: Logger, orm: Database): Services {
  const em = orm.em;
  const secret = resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR);
  const tokens = new TokenService(em, { secret, accessTtlSeconds: config.ACCESS_TOKEN_TTL });
  const sessions = new SessionRevoker(em);
  const mailer = new OutboxMailer(em, logger.child({ component: 'mail' }), { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
  const audit = new AuditLog(em);
  const fileStorage = new LocalDiskStorage(path.join(config.DATA_DIR, 'uploads'));
  const files = new FileService(em, fileStorage, logger.child({ component: 'files' }), {
    allowedTypes: config.UPLOAD_ALLOWED_TYPES.split(',').map((t) => t.trim()).filter(Boolean),
    maxFilesPerItem: config.UPLOAD_MAX_FILES,
  });
  const views = new ViewCounter(em, logger.child({ component: 'views' }), {
    salt: crypto.createHmac('sha256', secret).update('plaza post views').digest('hex'),
    flushIntervalMs: config.VIEW_FLUSH_INTERVAL * 1000,
  });
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
    boards: new BoardService(em, audit),
    posts: new PostService(em, files, views),
    comments: new CommentService(em, files),
    views,
    files,
    fileStorage,
    shutdownHooks: [() => views.close()],
  };
}

import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { sshSecretLookup, type Config } from './config.ts';
import { isEmbedded, type Database } from './db/openDatabase.ts';
import { AuthService } from './domain/auth/AuthService.ts';
import { AuthThrottle } from './domain/auth/AuthThrottle.ts';
import { BackgroundTasks } from './domain/auth/BackgroundTasks.ts';
import { SessionRevoker } from './domain/auth/SessionRevoker.ts';
import { TokenService } from './domain/auth/TokenService.ts';
import { PgRevocationFeed } from './infra/auth/PgRevocationFeed.ts';
import { AdminService } from './domain/admin/AdminService.ts';
import { AuditLog } from './domain/admin/AuditLog.ts';
import { DatabaseConsole } from './domain/admin/DatabaseConsole.ts';
import { RoleConsoleDatabase } from './db/consoleRole.ts';
import { UserService } from './domain/users/UserService.ts';
import type { Mailer } from './domain/mail/Mailer.ts';
import { Outbox } from './domain/mail/Outbox.ts';
import { MailDrop } from './infra/mail/MailDrop.ts';
import { OutboxMailer } from './infra/mail/OutboxMailer.ts';
import { resolveJwtSecret } from './infra/jwtSecret.ts';
import { AiModelRegistry } from './domain/ai/AiModelRegistry.ts';
import { AiJobService, type DatasetFiles } from './domain/ai/AiJobService.ts';
import { AiDispatcher } from './domain/ai/AiDispatcher.ts';
import { PiscinaJobRunner } from './infra/ai/PiscinaJobRunner.ts';
import { PresenceJobNotifier } from './infra/ai/PresenceJobNotifier.ts';
import { modelCatalog } from '../workers/models/index.ts';

/** Background work with a life of its own: started after the server listens, stopped before the database closes. */
export interface Lifecycle {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
import { BoardService } from './domain/boards/BoardService.ts';
import { CommentService } from './domain/boards/CommentService.ts';
import { PostService } from './domain/boards/PostService.ts';
import { ViewCounter } from './domain/boards/ViewCounter.ts';
import { FileService } from './domain/files/FileService.ts';
import { UserRateLimits, type ContentAction } from './domain/shared/rateLimits.ts';
import type { FileStorage } from './domain/files/FileStorage.ts';
import { LocalDiskStorage } from './infra/storage/LocalDiskStorage.ts';
import { SessionLeases } from './domain/ssh/SessionLeases.ts';
import { SshControl } from './domain/ssh/SshControl.ts';
import type { HealthSource } from './domain/ssh/ports.ts';
import { loadServersFile } from './infra/ssh/serversFile.ts';
import { Ssh2Gateway } from './infra/ssh/Ssh2Gateway.ts';
import { HealthMonitor } from './infra/ssh/HealthMonitor.ts';
import { LocalPresence } from '@colyseus/core';
import { channels, type RealtimeBus, type RevocationEvent } from './domain/realtime/RealtimeBus.ts';
import { ChatService } from './domain/realtime/ChatService.ts';
import { ChatGroupService } from './domain/realtime/ChatGroupService.ts';
import { NotificationService } from './domain/realtime/NotificationService.ts';
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
  users: UserService;
  admin: AdminService;
  audit: AuditLog;
  mailer: Mailer;
  outbox: Outbox;
  dbConsole: DatabaseConsole;
  aiModels: AiModelRegistry;
  aiJobs: AiJobService;
  /** Started by main.ts after listen, stopped (in reverse order) before the database closes. */
  lifecycle: Lifecycle[];
  boards: BoardService;
  posts: PostService;
  comments: CommentService;
  views: ViewCounter;
  files: FileService;
  fileStorage: FileStorage;
  /** The SSH control room's services (issue 5). */
  ssh: SshServices;
  // realtime (issue 4)
  bus: PresenceBus;
  chat: ChatService;
  groups: ChatGroupService;
  notifications: NotificationService;
  dms: DirectMessageService;
  presence: PresenceService;
  social: SocialService;
  support: SupportService;
  realtimeAdmin: RealtimeAdminService;
}

/** `bus` carries realtime events between rooms; main.ts hands the same presence to Colyseus. */
export function buildServices(
  config: Config,
  logger: Logger,
  orm: Database,
  bus = new PresenceBus(new LocalPresence()),
): Services {
  const em = orm.em;
  const secret = resolveJwtSecret(config.JWT_SECRET, config.DATA_DIR);
  const mailer = new OutboxMailer(em, mailDrop(config), logger.child({ component: 'mail' }), {
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
  });
  const audit = new AuditLog(em);
  const accounts = buildAccounts(config, logger, orm, secret, mailer, bus);
  const fileStorage = new LocalDiskStorage(path.join(config.DATA_DIR, 'uploads'));
  const window = config.CONTENT_RATE_WINDOW;
  const contentLimits = new UserRateLimits<ContentAction>({
    post: { points: config.POST_RATE_PER_USER, windowSeconds: window },
    comment: { points: config.COMMENT_RATE_PER_USER, windowSeconds: window },
    upload: { points: config.UPLOAD_RATE_PER_USER, windowSeconds: window },
  });
  const files = new FileService(em, fileStorage, logger.child({ component: 'files' }), contentLimits, {
    allowedTypes: config.UPLOAD_ALLOWED_TYPES.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    maxFilesPerItem: config.UPLOAD_MAX_FILES,
    quotaBytes: config.UPLOAD_QUOTA_BYTES,
  });
  const ai = buildAi(config, logger, orm, audit, bus, files);
  const views = new ViewCounter(em, logger.child({ component: 'views' }), {
    salt: crypto.createHmac('sha256', secret).update('plaza post views').digest('hex'),
    flushIntervalMs: config.VIEW_FLUSH_INTERVAL * 1000,
  });
  const ssh = buildSshServices(config, logger, em, audit);
  const presence = new PresenceService(em, bus as RealtimeBus);
  const notifications = new NotificationService(em, bus);
  const groups = new ChatGroupService(em, bus, notifications, {
    defaultRetention: config.CHAT_RETENTION_DEFAULT ?? null,
    maxGroupsPerUser: config.CHAT_MAX_GROUPS_PER_USER,
    groupsPerHour: config.CHAT_GROUPS_PER_HOUR,
  });
  const chat = new ChatService(em, bus, groups);
  return {
    orm,
    tokens: accounts.tokens,
    sessions: accounts.sessions,
    auth: accounts.auth,
    users: new UserService(em),
    admin: new AdminService(em, accounts.sessions, audit),
    audit,
    mailer,
    outbox: new Outbox(em),
    dbConsole: new DatabaseConsole(em, new RoleConsoleDatabase(orm), audit, {
      enabled: config.DB_CONSOLE_ENABLED,
      maxRows: config.DB_CONSOLE_MAX_ROWS,
      timeoutMs: config.DB_CONSOLE_TIMEOUT_MS,
    }),
    aiModels: ai.registry,
    aiJobs: ai.jobs,
    boards: new BoardService(em, audit),
    posts: new PostService(em, files, views, contentLimits),
    comments: new CommentService(em, files, contentLimits),
    views,
    files,
    fileStorage,
    ssh: ssh.services,
    lifecycle: [
      accounts.lifecycle,
      { name: 'ai-dispatcher', start: () => ai.dispatcher.start(), stop: () => ai.dispatcher.stop() },
      // Its flush timer runs from construction; stopping writes every pending view.
      { name: 'view-counter', start: async () => {}, stop: () => views.close() },
      ssh.lifecycle,
    ],
    bus,
    chat,
    groups,
    notifications,
    dms: new DirectMessageService(em, bus),
    presence,
    social: new SocialService(em, bus, presence, notifications),
    support: new SupportService(em, bus),
    realtimeAdmin: new RealtimeAdminService(em, bus, groups, notifications),
  };
}

/** Where mail waits for delivery, outside the database (the server CLI reads it too). */
export function mailDrop(config: Config): MailDrop {
  return new MailDrop(path.join(config.DATA_DIR, 'mail'));
}

/**
 * Accounts: tokens, revocations (heard from other processes through PostgreSQL when the database is
 * shared), throttling, and the auth service. Live connections hear revocations on the realtime bus.
 */
function buildAccounts(
  config: Config,
  logger: Logger,
  orm: Database,
  secret: string,
  mailer: Mailer,
  bus: RealtimeBus,
) {
  const log = logger.child({ component: 'auth' });
  const sessions = new SessionRevoker(orm.em, log, { accessTtlSeconds: config.ACCESS_TOKEN_TTL });
  sessions.onRevoked((event) => bus.publish(channels.revoked, event));
  const tokens = new TokenService(sessions, { secret, accessTtlSeconds: config.ACCESS_TOKEN_TTL });
  const throttle = new AuthThrottle({
    failuresPerAccountAndAddress: config.AUTH_FAILURES_PER_ACCOUNT_IP,
    failuresPerAddress: config.AUTH_FAILURES_PER_IP,
    failuresPerAccount: config.AUTH_FAILURES_PER_ACCOUNT,
    accountWindowSeconds: config.AUTH_ACCOUNT_WINDOW,
    requestsPerAddress: config.AUTH_RATE_PER_IP,
    requestsPerAccount: config.AUTH_RATE_PER_ACCOUNT,
    windowSeconds: config.AUTH_RATE_WINDOW,
  });
  const background = new BackgroundTasks(log);
  const auth = new AuthService(
    orm.em,
    { tokens, sessions, throttle, mailer, background, logger: log },
    {
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL,
      passwordResetTtlSeconds: config.PASSWORD_RESET_TTL,
      publicUrl: config.PUBLIC_URL,
    },
  );
  // PGlite belongs to this process: every revocation is made here. PostgreSQL may be shared: listen.
  const postgresUrl = isEmbedded(orm) ? undefined : orm.config.get('clientUrl');
  const feed = postgresUrl ? new PgRevocationFeed(postgresUrl, sessions, log) : undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  const lifecycle: Lifecycle = {
    name: 'accounts',
    start: async () => {
      await feed?.start();
      purgeTimer = setInterval(() => {
        sessions.purgeExpired().catch((err) => log.warn({ err }, 'purging expired revocations failed'));
      }, 3600_000).unref();
    },
    stop: async () => {
      clearInterval(purgeTimer);
      await background.drain(config.SHUTDOWN_TIMEOUT * 1000);
      await feed?.stop();
    },
  };
  return { tokens, sessions, auth, lifecycle };
}

function buildAi(
  config: Config,
  logger: Logger,
  orm: Database,
  audit: AuditLog,
  bus: RealtimeBus,
  datasetFiles: DatasetFiles,
) {
  const registry = new AiModelRegistry(orm.em, modelCatalog({ testModels: config.AI_TEST_MODELS }), audit);
  const runner = new PiscinaJobRunner({
    threads: config.AI_POOL_SIZE,
    queue: config.AI_POOL_QUEUE,
    memoryMb: config.AI_WORKER_MEMORY_MB,
    testModels: config.AI_TEST_MODELS,
  });
  const aiLogger = logger.child({ component: 'ai' });
  const notifier = new PresenceJobNotifier(bus, aiLogger);
  const dispatcher = new AiDispatcher(orm.em, runner, registry, notifier, aiLogger, {
    runnerId: `${os.hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`,
    pollMs: config.AI_POLL_INTERVAL,
    heartbeatMs: config.AI_HEARTBEAT_INTERVAL,
    maxAttempts: config.AI_MAX_ATTEMPTS,
    workerMemoryMb: config.AI_WORKER_MEMORY_MB,
    // PGlite belongs to one process, so a `running` row found at start can only be a leftover.
    exclusiveDatabase: isEmbedded(orm),
  });
  const jobs = new AiJobService(
    orm.em,
    registry,
    dispatcher,
    notifier,
    {
      maxActivePerUser: config.AI_MAX_ACTIVE_JOBS_PER_USER,
      maxInputBytes: config.AI_MAX_INPUT_BYTES,
    },
    datasetFiles,
  );
  return { registry, jobs, dispatcher };
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
  const gateway = new Ssh2Gateway(servers, {
    connectTimeoutMs: config.SSH_CONNECT_TIMEOUT * 1000,
    idleMs: config.SSH_IDLE_TIMEOUT * 1000,
    log,
  });
  const health = new HealthMonitor(servers.targets, {
    intervalMs: config.SSH_HEALTH_INTERVAL * 1000,
    timeoutMs: config.SSH_CONNECT_TIMEOUT * 1000,
    failuresToUnhealthy: config.SSH_HEALTH_FAILURES,
    log,
  });
  const leases = new SessionLeases(em, audit, {
    ttlSeconds: config.SSH_SESSION_TTL,
    graceSeconds: config.SSH_SESSION_GRACE,
  });
  const services: SshServices = {
    control: new SshControl(em, gateway, leases, audit, {
      outputCap: config.SSH_OUTPUT_CAP,
      maxTimeoutMs: config.SSH_COMMAND_TIMEOUT * 1000,
    }),
    health,
    settings: {
      outputRate: config.SSH_OUTPUT_RATE,
      ttlSeconds: config.SSH_SESSION_TTL,
      graceSeconds: config.SSH_SESSION_GRACE,
    },
  };
  const lifecycle: Lifecycle = {
    name: 'ssh',
    start: async () => health.start(),
    stop: async () => {
      health.stop();
      await gateway.close();
    },
  };
  return { services, lifecycle };
}

import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { EntityManager } from '@mikro-orm/sql';
import type { Logger } from 'pino';
import { emailVerificationMode, type Config } from './config.ts';
import { isEmbedded, sharedPostgresUrl, type Database } from './db/openDatabase.ts';
import { AuthService } from './domain/auth/AuthService.ts';
import { AuthThrottle } from './domain/auth/AuthThrottle.ts';
import { BackgroundTasks } from './domain/auth/BackgroundTasks.ts';
import { SessionRevoker } from './domain/auth/SessionRevoker.ts';
import { TokenService } from './domain/auth/TokenService.ts';
import { PasswordCheck } from './domain/auth/PasswordCheck.ts';
import { LoginSessions } from './domain/auth/LoginSessions.ts';
import { EmailVerification } from './domain/auth/EmailVerification.ts';
import { AccountDeletion } from './domain/users/AccountDeletion.ts';
import { AccountExport } from './domain/users/AccountExport.ts';
import { PgRevocationFeed } from './infra/auth/PgRevocationFeed.ts';
import { AdminService } from './domain/admin/AdminService.ts';
import { AuditLog } from './domain/admin/AuditLog.ts';
import { DatabaseConsole } from './domain/admin/DatabaseConsole.ts';
import { SavedQueries } from './domain/admin/SavedQueries.ts';
import { RoleConsoleDatabase } from './db/consoleRole.ts';
import { UserService } from './domain/users/UserService.ts';
import type { Mailer } from './domain/mail/Mailer.ts';
import { Outbox } from './domain/mail/Outbox.ts';
import { MailDrop } from './infra/mail/MailDrop.ts';
import { OutboxMailer } from './infra/mail/OutboxMailer.ts';
import { AiModelRegistry } from './domain/ai/AiModelRegistry.ts';
import { AiJobService, type DatasetFiles } from './domain/ai/AiJobService.ts';
import { AiDispatcher } from './domain/ai/AiDispatcher.ts';
import { PiscinaJobRunner } from './infra/ai/PiscinaJobRunner.ts';
import { PresenceJobNotifier } from './infra/ai/PresenceJobNotifier.ts';
import { modelCatalog } from '../workers/models/index.ts';
import { PlazaMetrics } from './metrics/PlazaMetrics.ts';
import { DatabaseProbe } from './db/DatabaseProbe.ts';
import { DatabaseWatch } from './domain/ops/DatabaseWatch.ts';
import { MessageSpool } from './domain/realtime/spool/MessageSpool.ts';
import { BlockList } from './domain/realtime/BlockList.ts';
import { SPOOL_FILE_NAME, SpoolFile, spoolDirectory } from './infra/realtime/SpoolFile.ts';
import { AdminAlerts } from './domain/ops/AdminAlerts.ts';
import { AlertMailer } from './infra/mail/AlertMailer.ts';
import { Retention } from './domain/ops/Retention.ts';
import { MaintenanceLeader } from './infra/ops/MaintenanceLeader.ts';
import { dumpPgliteOpen, dumpPostgres } from './infra/backup/databaseBackup.ts';
import { createBackup, pruneBackups, type BackupInfo } from './infra/backup/plazaBackup.ts';
import { meteredGateway, meteredRunner, registerStateGauges } from './metrics/instrument.ts';
import type { StartupFiles } from './startupFiles.ts';

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
import { SignedFileLinks } from './domain/files/SignedFileLinks.ts';
import { memoryStore, UserRateLimits, type ContentAction, type LimiterStore } from './domain/shared/rateLimits.ts';
import type { FileStorage } from './domain/files/FileStorage.ts';
import { SessionLeases } from './domain/ssh/SessionLeases.ts';
import { SshControl } from './domain/ssh/SshControl.ts';
import type { HealthSource } from './domain/ssh/ports.ts';
import type { SshServersConfig } from './infra/ssh/serversFile.ts';
import { Ssh2Gateway } from './infra/ssh/Ssh2Gateway.ts';
import { HealthMonitor } from './infra/ssh/HealthMonitor.ts';
import { SharedHealth } from './domain/ssh/SharedHealth.ts';
import { LeaderHealthChecks } from './infra/ssh/LeaderHealthChecks.ts';
import { PgLeaderLock, SoleLeader } from './infra/ssh/PgLeaderLock.ts';
import { PresenceHealthChannel } from './infra/ssh/PresenceHealthChannel.ts';
import { HomeOpenings } from './domain/realtime/HomeOpenings.ts';
import { channels, type RealtimeBus } from './domain/realtime/RealtimeBus.ts';
import { ChatService } from './domain/realtime/ChatService.ts';
import { ChatGroupService } from './domain/realtime/ChatGroupService.ts';
import { NotificationService } from './domain/realtime/NotificationService.ts';
import { DirectMessageService } from './domain/realtime/DirectMessageService.ts';
import { MessageSearch } from './domain/realtime/MessageSearch.ts';
import { UserStatuses } from './domain/realtime/UserStatuses.ts';
import { SocialService } from './domain/realtime/SocialService.ts';
import { SupportService } from './domain/realtime/SupportService.ts';
import { RealtimeAdminService } from './domain/realtime/RealtimeAdminService.ts';
import { PresenceBus } from './infra/realtime/PresenceBus.ts';
import { PostPageCache } from './domain/boards/PostPageCache.ts';
import { PAGE_CHANGES_CHANNEL, PresencePageChanges } from './infra/boards/PresencePageChanges.ts';

/** Every domain service, built once and handed to routers and rooms. */
export interface Services {
  orm: Database;
  /** Prometheus metrics of this process (GET /metrics). */
  metrics: PlazaMetrics;
  /** Whether the database answers; one event when an outage starts and one when it ends. */
  databaseWatch: DatabaseWatch;
  /** Takes a full backup of this server's state into BACKUP_DIR (online, embedded database included). */
  takeBackup(name?: string): Promise<BackupInfo>;
  retention: Retention;
  tokens: TokenService;
  sessions: SessionRevoker;
  auth: AuthService;
  users: UserService;
  /** My logins as devices: list, end one, end the others. */
  loginSessions: LoginSessions;
  /** Address verification and e-mail changes. */
  emails: EmailVerification;
  accountDeletion: AccountDeletion;
  accountExport: AccountExport;
  admin: AdminService;
  audit: AuditLog;
  mailer: Mailer;
  outbox: Outbox;
  dbConsole: DatabaseConsole;
  /** The database explorer's saved queries, per admin. */
  savedQueries: SavedQueries;
  aiModels: AiModelRegistry;
  aiJobs: AiJobService;
  /** Started by main.ts after listen, stopped (in reverse order) before the database closes. */
  lifecycle: Lifecycle[];
  boards: BoardService;
  posts: PostService;
  comments: CommentService;
  views: ViewCounter;
  files: FileService;
  fileLinks: SignedFileLinks;
  fileStorage: FileStorage;
  /** The SSH control room's services. */
  ssh: SshServices;
  // realtime
  bus: PresenceBus;
  chat: ChatService;
  groups: ChatGroupService;
  notifications: NotificationService;
  dms: DirectMessageService;
  /** Search in my group messages and DMs. */
  messageSearch: MessageSearch;
  /** How rooms store chat messages and DMs: at once, or through the spool while the database is away. */
  spool: MessageSpool;
  statuses: UserStatuses;
  social: SocialService;
  /** What a `home` reads when it opens, in one query. */
  homeOpenings: HomeOpenings;
  support: SupportService;
  realtimeAdmin: RealtimeAdminService;
  /** Where every rate-limit counter lives: this process's memory, or Redis shared by all processes. */
  limiters: LimiterStore;
}

/** What building the services stands on, opened and read beforehand by main.ts or the CLI. */
export interface ServiceInputs extends StartupFiles {
  config: Config;
  logger: Logger;
  orm: Database;
  /** Carries realtime events between rooms; main.ts hands the same presence to Colyseus. */
  bus: PresenceBus;
  /** Rate-limit counters: this process's memory by default, Redis when several processes share them. */
  limiters?: LimiterStore;
  metrics?: PlazaMetrics;
  /** The server's public address, for links in mail. */
  publicUrl?: () => string;
}

/**
 * Builds every service from its inputs, without I/O: timers and connections start in `lifecycle`, after
 * the server listens.
 */
export function buildServices(inputs: ServiceInputs): Services {
  const { config, logger, orm, bus, fileStorage, sshServers } = inputs;
  const limiters = inputs.limiters ?? memoryStore;
  const metrics = inputs.metrics ?? new PlazaMetrics();
  const publicUrl = inputs.publicUrl ?? (() => config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`);
  const em = orm.em;
  const secret = inputs.jwtSecret;
  const mailer = new OutboxMailer(em, mailDrop(config), logger.child({ component: 'mail' }), {
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    retry: { baseMs: config.MAIL_RETRY_BASE * 1000, attempts: config.MAIL_RETRY_ATTEMPTS },
  });
  const audit = new AuditLog(em);
  const accounts = buildAccounts(config, logger, orm, secret, mailer, bus, limiters, publicUrl);
  const window = config.CONTENT_RATE_WINDOW;
  const contentLimits = new UserRateLimits<ContentAction>(
    {
      post: { points: config.POST_RATE_PER_USER, windowSeconds: window },
      comment: { points: config.COMMENT_RATE_PER_USER, windowSeconds: window },
      upload: { points: config.UPLOAD_RATE_PER_USER, windowSeconds: window },
    },
    limiters,
  );
  // Pages of posts kept between reads; writes anywhere tell it, other processes hear it on the bus.
  const pages = new PostPageCache((change) => bus.publish(PAGE_CHANGES_CHANNEL, change));
  const pageChanges = new PresencePageChanges(bus.presence, pages);
  const files = new FileService(em, fileStorage, logger.child({ component: 'files' }), contentLimits, {
    onChanged: () => pages.everythingChanged(),
    allowedTypes: config.UPLOAD_ALLOWED_TYPES.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    maxFilesPerItem: config.UPLOAD_MAX_FILES,
    quotaBytes: config.UPLOAD_QUOTA_BYTES,
  });
  const ai = buildAi(config, logger, orm, audit, bus, files, metrics);
  const views = new ViewCounter(
    em,
    logger.child({ component: 'views' }),
    {
      salt: crypto.createHmac('sha256', secret).update('plaza post views').digest('hex'),
      flushIntervalMs: config.VIEW_FLUSH_INTERVAL * 1000,
    },
    pages,
  );
  const ssh = buildSshServices(config, logger, orm, sshServers, audit, bus, metrics);
  registerStateGauges(metrics, orm, ssh.services.health);
  const statuses = new UserStatuses(em, bus);
  const notifications = new NotificationService(em, bus);
  const groups = new ChatGroupService(
    em,
    bus,
    notifications,
    {
      defaultRetention: config.CHAT_RETENTION_DEFAULT ?? null,
      maxGroupsPerUser: config.CHAT_MAX_GROUPS_PER_USER,
      groupsPerHour: config.CHAT_GROUPS_PER_HOUR,
    },
    limiters,
  );
  const chat = new ChatService(em, bus, groups, notifications);
  const ops = buildMaintenance(config, logger, orm, metrics);
  const databaseWatch = buildDatabaseWatch(
    config,
    logger,
    orm,
    metrics,
    new AdminAlerts(em, bus, notifications, logger),
  );
  const dms = new DirectMessageService(em, bus);
  const blocks = new BlockList(em);
  const spool = buildSpool(config, logger, { em, chat, dms, blocks, bus, watch: databaseWatch.watch });
  return {
    orm,
    metrics,
    databaseWatch: databaseWatch.watch,
    takeBackup: ops.takeBackup,
    retention: ops.retention,
    tokens: accounts.tokens,
    sessions: accounts.sessions,
    auth: accounts.auth,
    users: new UserService(em, () => pages.everythingChanged()),
    loginSessions: accounts.loginSessions,
    emails: accounts.emails,
    accountDeletion: new AccountDeletion(em, { sessions: accounts.sessions, passwords: accounts.passwords, files }),
    accountExport: new AccountExport(em),
    admin: new AdminService(em, accounts.sessions, audit, accounts.auth),
    audit,
    mailer,
    outbox: new Outbox(em),
    dbConsole: new DatabaseConsole(em, new RoleConsoleDatabase(orm), audit, {
      enabled: config.DB_CONSOLE_ENABLED,
      maxRows: config.DB_CONSOLE_MAX_ROWS,
      timeoutMs: config.DB_CONSOLE_TIMEOUT_MS,
    }),
    savedQueries: new SavedQueries(em, audit),
    aiModels: ai.registry,
    aiJobs: ai.jobs,
    boards: new BoardService(em, audit, pages),
    posts: new PostService(em, files, views, contentLimits, pages),
    comments: new CommentService(em, files, contentLimits, pages),
    views,
    files,
    fileLinks: new SignedFileLinks(secret, config.FILE_LINK_TTL),
    fileStorage,
    ssh: ssh.services,
    lifecycle: [
      accounts.lifecycle,
      { name: 'post-page-changes', start: () => pageChanges.start(), stop: () => pageChanges.stop() },
      { name: 'ai-dispatcher', start: () => ai.dispatcher.start(), stop: () => ai.dispatcher.stop() },
      // Stopping writes every pending view.
      { name: 'view-counter', start: async () => views.start(), stop: () => views.close() },
      ssh.lifecycle,
      databaseWatch.lifecycle,
      spool.lifecycle,
      ops.lifecycle,
    ],
    bus,
    chat,
    groups,
    notifications,
    dms,
    spool: spool.spool,
    messageSearch: new MessageSearch(em),
    statuses,
    social: new SocialService(em, bus, statuses, notifications, blocks),
    homeOpenings: new HomeOpenings(em, statuses),
    support: new SupportService(em, bus),
    realtimeAdmin: new RealtimeAdminService(em, bus, groups, notifications),
    limiters,
  };
}

/**
 * The message spool (DATA_DIR/spool/messages.jsonl): opened at start, replaying what a killed process
 * left; drained when the database returns and after every good check while something waits.
 */
function buildSpool(
  config: Config,
  logger: Logger,
  deps: {
    em: EntityManager;
    chat: ChatService;
    dms: DirectMessageService;
    blocks: BlockList;
    bus: RealtimeBus;
    watch: DatabaseWatch;
  },
) {
  const file = new SpoolFile(path.join(spoolDirectory(config), SPOOL_FILE_NAME));
  const spool = new MessageSpool(
    { ...deps, log: file, logger: logger.child({ component: 'spool' }), databaseDown: () => deps.watch.unavailable },
    { maxBytes: config.SPOOL_MAX_BYTES, maxAgeMs: config.SPOOL_MAX_AGE * 1000 },
  );
  deps.watch.onEvent((e) => (e.event === 'database_recovered' ? spool.drain() : undefined));
  deps.watch.onHealthyCheck(() => spool.drain());
  const lifecycle: Lifecycle = {
    name: 'message-spool',
    start: async () => {
      // With several processes a block made elsewhere would not be seen: the list stays unknown (see BlockList).
      if (!config.REDIS_URL) await deps.blocks.load();
      if (await spool.open()) void spool.drain();
    },
    stop: async () => {
      await spool.stop();
      await file.close();
    },
  };
  return { spool, lifecycle };
}

/**
 * The database watch and who hears its events: the log (in the watch), the metrics, every admin's
 * home, and ALERT_EMAIL when SMTP is configured.
 */
function buildDatabaseWatch(config: Config, logger: Logger, orm: Database, metrics: PlazaMetrics, alerts: AdminAlerts) {
  const log = logger.child({ component: 'database' });
  const watch = new DatabaseWatch(
    new DatabaseProbe(orm, config.DB_ACQUIRE_TIMEOUT_MS),
    log,
    config.DB_WATCH_INTERVAL * 1000,
  );
  watch.onEvent((e) => {
    metrics.dbEvents.inc({ event: e.event });
    metrics.dbAvailable.set(e.event === 'database_unavailable' ? 0 : 1);
  });
  watch.onEvent((e) => alerts.onDatabaseEvent(e));
  // Who the admins are must be known before the database goes away.
  watch.onHealthyCheck(() => alerts.refreshAdmins());
  const mail =
    config.ALERT_EMAIL && config.SMTP_URL
      ? new AlertMailer(config.SMTP_URL, { from: config.MAIL_FROM, to: config.ALERT_EMAIL, log })
      : undefined;
  if (mail) watch.onEvent((e) => mail.onDatabaseEvent(e));
  const lifecycle: Lifecycle = {
    name: 'database-watch',
    start: async () => {
      await alerts.refreshAdmins();
      watch.start();
    },
    stop: async () => {
      await watch.stop();
      mail?.close();
    },
  };
  return { watch, lifecycle };
}

/**
 * Backups of this server's state and the periodic maintenance: scheduled backups (BACKUP_INTERVAL,
 * keeping BACKUP_KEEP) and retention passes, run by the one process that leads (MaintenanceLeader).
 */
function buildMaintenance(config: Config, logger: Logger, orm: Database, metrics: PlazaMetrics) {
  const log = logger.child({ component: 'maintenance' });
  const postgresUrl = sharedPostgresUrl(orm);
  const place = {
    target: postgresUrl
      ? { kind: 'postgresql' as const, url: postgresUrl }
      : { kind: 'pglite' as const, dataDir: config.PGLITE_DIR },
    dataDir: config.DATA_DIR,
    backupDir: config.BACKUP_DIR,
  };
  const dump = postgresUrl ? dumpPostgres(postgresUrl) : dumpPgliteOpen(orm);
  const takeBackup = async (name?: string) => {
    try {
      const made = await createBackup(place, dump, { name });
      metrics.backups.inc({ result: 'ok' });
      return made;
    } catch (err) {
      metrics.backups.inc({ result: 'error' });
      throw err;
    }
  };
  const retention = new Retention(orm.em, {
    aiResultDays: config.AI_RESULT_RETENTION_DAYS,
    sshAuditDays: config.SSH_AUDIT_RETENTION_DAYS,
    outboxDays: config.OUTBOX_RETENTION_DAYS,
    tokenDays: config.TOKEN_RETENTION_DAYS,
  });
  const leader = new MaintenanceLeader(postgresUrl);
  const timers: NodeJS.Timeout[] = [];
  let running = Promise.resolve();
  const every = (seconds: number, what: string, task: () => Promise<void>) => {
    const tick = () => {
      running = running.then(async () => {
        try {
          if (await leader.leads()) await task();
        } catch (err) {
          log.error({ err, task: what }, `${what} failed`);
        }
      });
    };
    timers.push(setInterval(tick, seconds * 1000).unref());
  };
  const lifecycle: Lifecycle = {
    name: 'maintenance',
    start: async () => {
      if (config.BACKUP_INTERVAL > 0) {
        every(config.BACKUP_INTERVAL, 'scheduled backup', async () => {
          const made = await takeBackup();
          const pruned = pruneBackups(config.BACKUP_DIR, config.BACKUP_KEEP);
          log.info({ file: made.file, bytes: made.bytes, pruned }, 'scheduled backup written');
        });
      }
      every(config.RETENTION_INTERVAL, 'retention', async () => {
        const removed = await retention.apply();
        log.info({ removed }, 'retention applied');
      });
    },
    stop: async () => {
      for (const t of timers) clearInterval(t);
      await running;
      await leader.release();
    },
  };
  return { takeBackup, retention, lifecycle };
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
  mailer: OutboxMailer,
  bus: RealtimeBus,
  limiters: LimiterStore,
  publicUrl: () => string,
) {
  const log = logger.child({ component: 'auth' });
  const sessions = new SessionRevoker(orm.em, log, { accessTtlSeconds: config.ACCESS_TOKEN_TTL });
  sessions.onRevoked((event) => bus.publish(channels.revoked, event));
  const tokens = new TokenService(sessions, { secret, accessTtlSeconds: config.ACCESS_TOKEN_TTL });
  const throttle = new AuthThrottle(
    {
      failuresPerAccountAndAddress: config.AUTH_FAILURES_PER_ACCOUNT_IP,
      failuresPerAddress: config.AUTH_FAILURES_PER_IP,
      failuresPerAccount: config.AUTH_FAILURES_PER_ACCOUNT,
      accountWindowSeconds: config.AUTH_ACCOUNT_WINDOW,
      requestsPerAddress: config.AUTH_RATE_PER_IP,
      requestsPerAccount: config.AUTH_RATE_PER_ACCOUNT,
      windowSeconds: config.AUTH_RATE_WINDOW,
    },
    limiters,
  );
  const background = new BackgroundTasks(log);
  const passwords = new PasswordCheck(log);
  const loginSessions = new LoginSessions(orm.em, sessions);
  const emails = new EmailVerification(
    orm.em,
    { mailer, background, throttle, passwords },
    { mode: emailVerificationMode(config), tokenTtlSeconds: config.EMAIL_TOKEN_TTL, publicUrl },
  );
  const auth = new AuthService(
    orm.em,
    { tokens, sessions, throttle, mailer, background, logger: log, passwords, loginSessions, emails },
    {
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL,
      passwordResetTtlSeconds: config.PASSWORD_RESET_TTL,
      publicUrl,
      deletedUsernameHoldSeconds: config.DELETED_USERNAME_HOLD,
    },
  );
  // PGlite belongs to this process: every revocation is made here. PostgreSQL may be shared: listen.
  const postgresUrl = isEmbedded(orm) ? undefined : orm.config.get('clientUrl');
  const feed = postgresUrl ? new PgRevocationFeed(postgresUrl, sessions, log) : undefined;
  let purgeTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const lifecycle: Lifecycle = {
    name: 'accounts',
    start: async () => {
      await feed?.start();
      purgeTimer = setInterval(() => {
        sessions.purgeExpired().catch((err) => log.warn({ err }, 'purging expired revocations failed'));
      }, 3600_000).unref();
      retryTimer = setInterval(
        () => {
          mailer.retryDue().catch((err) => log.warn({ err }, 'retrying mail failed'));
        },
        Math.min(config.MAIL_RETRY_BASE * 1000, 30_000) / 2,
      ).unref();
    },
    stop: async () => {
      clearInterval(purgeTimer);
      clearInterval(retryTimer);
      await background.drain(config.SHUTDOWN_TIMEOUT * 1000);
      await feed?.stop();
    },
  };
  return { tokens, sessions, auth, passwords, loginSessions, emails, lifecycle };
}

function buildAi(
  config: Config,
  logger: Logger,
  orm: Database,
  audit: AuditLog,
  bus: RealtimeBus,
  datasetFiles: DatasetFiles,
  metrics: PlazaMetrics,
) {
  const registry = new AiModelRegistry(orm.em, modelCatalog({ testModels: config.AI_TEST_MODELS }), audit);
  const runner = meteredRunner(
    new PiscinaJobRunner({
      threads: config.AI_POOL_SIZE,
      queue: config.AI_POOL_QUEUE,
      memoryMb: config.AI_WORKER_MEMORY_MB,
      testModels: config.AI_TEST_MODELS,
    }),
    metrics,
  );
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
  settings: {
    outputRate: number;
    outputMessageMax: number;
    replayBuffer: number;
    ttlSeconds: number;
    graceSeconds: number;
  };
}

/** The SSH area: targets from the servers file, pooled ssh2 gateway, health checks, session lease. */
function buildSshServices(
  config: Config,
  logger: Logger,
  orm: Database,
  servers: SshServersConfig,
  audit: AuditLog,
  bus: PresenceBus,
  metrics: PlazaMetrics,
) {
  const em = orm.em;
  const log = logger.child({ component: 'ssh' });
  const pooled = new Ssh2Gateway(servers, {
    connectTimeoutMs: config.SSH_CONNECT_TIMEOUT * 1000,
    idleMs: config.SSH_IDLE_TIMEOUT * 1000,
    killGraceMs: config.SSH_KILL_GRACE * 1000,
    log,
  });
  const gateway = meteredGateway(pooled, metrics);
  const monitor = new HealthMonitor(servers.targets, {
    intervalMs: config.SSH_HEALTH_INTERVAL * 1000,
    timeoutMs: config.SSH_CONNECT_TIMEOUT * 1000,
    failuresToUnhealthy: config.SSH_HEALTH_FAILURES,
    log,
  });
  // Health checks run in one elected process; on the embedded database this one is the only process.
  const postgresUrl = sharedPostgresUrl(orm);
  const leadership = postgresUrl ? new PgLeaderLock(postgresUrl, 'plaza:ssh-health', log) : new SoleLeader();
  const channel = new PresenceHealthChannel(bus.presence);
  const health = new SharedHealth(servers.targets, channel);
  const checks = new LeaderHealthChecks(monitor, leadership, channel, health, log);
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
      outputMessageMax: config.SSH_OUTPUT_MESSAGE_MAX,
      replayBuffer: config.SSH_REPLAY_BUFFER,
      ttlSeconds: config.SSH_SESSION_TTL,
      graceSeconds: config.SSH_SESSION_GRACE,
    },
  };
  const lifecycle: Lifecycle = {
    name: 'ssh',
    start: () => checks.start(),
    stop: async () => {
      await checks.stop();
      await pooled.close();
    },
  };
  return { services, lifecycle };
}

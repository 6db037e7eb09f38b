import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { defineServer, LocalPresence, matchMaker, type Server } from '@colyseus/core';
import type { Application } from 'express';
import { RequestContext } from '@mikro-orm/core';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import {
  DatabaseOpenError,
  describeTarget,
  openDatabase,
  openOptionsFromConfig,
  targetFromConfig,
  type DatabaseTarget,
} from './db/openDatabase.ts';
import { buildServices, type Lifecycle, type Services } from './services.ts';
import { readStartupFiles } from './startupFiles.ts';
import { configureApp } from './http/createApp.ts';
import { livenessProbe } from './http/routers/healthRoutes.ts';
import { CorsPolicy } from './http/corsPolicy.ts';
import { dispatchSharedPort, type ColyseusRoutes } from './http/sharedPortDispatch.ts';
import { fixedRoomIds, roomDefinitions } from '../rooms/index.ts';
import { ServersFileError } from './infra/ssh/serversFile.ts';
import { AddressedWebSocketTransport } from './infra/realtime/AddressedWebSocketTransport.ts';
import { PresenceBus } from './infra/realtime/PresenceBus.ts';
import { connectScaleOut, type ScaleOut } from './infra/realtime/scaleOut.ts';
import { DeadProcessSweeper } from './infra/realtime/DeadProcessSweeper.ts';
import { IndexedLocalDriver } from './infra/realtime/IndexedLocalDriver.ts';
import { stopOnSignals } from './stopOnSignals.ts';
import { PlazaMetrics } from './metrics/PlazaMetrics.ts';
import { startMetricsServer } from './http/metricsEndpoint.ts';
import { answerBackupRequests } from './infra/backup/backupRequests.ts';
import { databaseFailure } from './errors/databaseErrors.ts';
import { lockSpool, spoolDirectory, SpoolInUseError } from './infra/realtime/SpoolFile.ts';

export interface RunningServer {
  port: number;
  url: string;
  config: Config;
  logger: Logger;
  services: Services;
  /** The METRICS_PORT listener's `/metrics` URL, when one is configured. */
  metricsUrl?: string;
  /** Stops accepting, lets rooms close, flushes pending writes, closes the database. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Overrides where the database lives (tests use a prepared template). */
  database?: DatabaseTarget;
}

/**
 * The composition root: the spool's lock → config → logger → database (migrated) → services → HTTP +
 * Colyseus → listen. The spool directory is this process's alone from the first step to the last.
 */
export async function start(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const releaseSpool = lockSpool(spoolDirectory(config));
  let server: RunningServer;
  try {
    server = await startWithSpool(config, options);
  } catch (err) {
    releaseSpool();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  const running = server;
  return { ...running, stop: () => (stopped ??= running.stop().finally(releaseSpool)) };
}

async function startWithSpool(config: Config, options: StartOptions): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const metrics = new PlazaMetrics();
  const target = options.database ?? targetFromConfig(config);
  const database = await openDatabase(target, {
    ...openOptionsFromConfig(config, logger),
    onQueryError: (err) => metrics.dbQueryErrors.inc({ kind: databaseFailure(err) ?? 'other' }),
  });
  // One presence for Colyseus and the services, so REST and rooms share pub/sub: this process's memory,
  // or Redis when several processes act as one server.
  const scaleOut = config.REDIS_URL ? connectScaleOut(config.REDIS_URL, logger, fixedRoomIds) : undefined;
  const presence = scaleOut?.presence ?? new LocalPresence();
  // Every room subscribes to shared channels (session revocation), so one topic has many listeners.
  presence.setMaxListeners(0);
  let services: Services;
  try {
    // Links in mail use PUBLIC_URL, or else the address the server turns out to listen on (PORT=0 included).
    services = buildServices({
      ...readStartupFiles(config, { sshServers: true }),
      config,
      logger,
      orm: database.orm,
      bus: new PresenceBus(presence),
      limiters: scaleOut?.limiters,
      metrics,
      publicUrl: () => config.PUBLIC_URL ?? url,
    });
  } catch (err) {
    await database.close();
    await scaleOut?.close();
    throw err;
  }
  const lifecycle = scaleOut
    ? [...services.lifecycle, scaleOutLifecycle(scaleOut, services, config, logger)]
    : services.lifecycle;

  let url = `http://${config.HOST}:${config.PORT}`;
  const httpServer = http.createServer(httpTimeouts(config));
  httpServer.on('upgrade', (_req, socket) => {
    metrics.wsOpened.inc();
    socket.once('close', () => metrics.wsClosed.inc());
  });
  const cors = new CorsPolicy(config.CORS_ORIGINS);
  cors.installInColyseus();
  let app: Application | undefined;
  const transport = new AddressedWebSocketTransport(
    { server: httpServer, maxPayload: config.WS_MAX_PAYLOAD },
    config.TRUST_PROXY,
  );
  const clientAddress = (client: { ref: object }) => transport.addressOf(client.ref) ?? null;
  const gameServer: Server = defineServer({
    rooms: roomDefinitions({ services, logger, config, clientAddress }),
    presence,
    // One process: listings indexed by id and filter values, so a join does not scan every room.
    driver: scaleOut?.driver ?? new IndexedLocalDriver(),
    publicAddress: config.PUBLIC_ADDRESS,
    // A room is created by the process that received the join: the load balancer's round-robin spreads
    // rooms, and no create is sent to a process that may have died since it last reported its load.
    selectProcessIdToCreateRoom: async () => matchMaker.processId,
    transport,
    express: (expressApp) => {
      app = expressApp;
      configureApp(expressApp, { config, logger, services });
    },
    gracefullyShutdown: false,
    greet: false,
    logger: logger.child({ component: 'colyseus' }),
  });

  try {
    await gameServer.listen(config.PORT, config.HOST);
    if (!app) throw new Error('Colyseus did not hand over its Express app');
    // REST goes straight to Express; only Colyseus' own routes pass through Colyseus' listener.
    const colyseusRoutes = gameServer.router as ColyseusRoutes;
    dispatchSharedPort(httpServer, { cors, colyseus: colyseusRoutes, app, probe: livenessProbe() });
  } catch (err) {
    await database.close();
    await scaleOut?.close();
    throw err;
  }
  const started: typeof services.lifecycle = [];
  try {
    for (const part of lifecycle) {
      await part.start();
      started.push(part);
    }
  } catch (err) {
    for (const part of started.reverse()) await part.stop().catch(() => {});
    await gameServer.gracefullyShutdown(false);
    await database.close();
    await scaleOut?.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  if (config.METRICS_PORT !== undefined) {
    metricsServer = await startMetricsServer(metrics, config.METRICS_HOST, config.METRICS_PORT);
    logger.info({ url: metricsServer.url }, 'metrics listening');
  }
  logger.info(
    { url, database: describeTarget(target), process_id: matchMaker.processId, redis: Boolean(scaleOut) },
    'Plaza listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      await metricsServer?.close();
      // Requests in flight (an upload, a write) and rooms finish on an open database, within SHUTDOWN_TIMEOUT.
      await Promise.all([drainHttp(httpServer, config.SHUTDOWN_TIMEOUT * 1000), gameServer.gracefullyShutdown(false)]);
      for (const part of [...lifecycle].reverse()) {
        await part.stop().catch((err) => logger.error({ err, part: part.name }, 'stopping failed'));
      }
      await database.close();
      await scaleOut?.close();
      logger.info('stopped');
    })());

  return { port, url, config, logger, services, metricsUrl: metricsServer?.url, stop };
}

/** With several processes: what a dead one left behind is swept by each survivor (see DeadProcessSweeper). */
function scaleOutLifecycle(scaleOut: ScaleOut, services: Services, config: Config, logger: Logger): Lifecycle {
  const sweeper = new DeadProcessSweeper(scaleOut.presence, logger.child({ component: 'sweeper' }), {
    presenceGraceSeconds: config.PRESENCE_GRACE,
    markOffline: async (userId) => {
      await RequestContext.create(services.orm.em, () => services.statuses.set(userId, 'offline'));
    },
  });
  return { name: 'dead-process-sweeper', start: async () => sweeper.start(), stop: () => sweeper.stop() };
}

/**
 * Stops accepting connections and resolves once every request in flight has been answered (idle
 * keep-alive connections close at once); what is still open after `graceMs` is cut.
 */
function drainHttp(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      server.closeAllConnections();
      // Upgraded sockets are the rooms' to close; do not wait on them beyond this.
      setTimeout(resolve, 1000).unref();
    }, graceMs).unref();
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
  });
}

/**
 * How long a client may take to send a request: its headers, and the whole request (a stalled upload
 * is cut, answered 408, and its staged bytes dropped). Neither applies once a request is in: a long
 * download or a WebSocket (upgraded out of HTTP) is never cut by them.
 */
function httpTimeouts(config: Config): http.ServerOptions {
  const requestTimeout = config.HTTP_REQUEST_TIMEOUT * 1000;
  // Node refuses a headers timeout longer than the request timeout.
  const headersTimeout = Math.min(config.HTTP_HEADERS_TIMEOUT * 1000, requestTimeout);
  // Node checks these timeouts on an interval (30 s by default): check often enough that they hold.
  const connectionsCheckingInterval = Math.max(250, Math.min(5000, Math.floor(headersTimeout / 4)));
  return { requestTimeout, headersTimeout, connectionsCheckingInterval };
}

/** `npm start`: read the environment, start, and stop cleanly on the first stop signal (see stopOnSignals). */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const starting = start(config, { logger });
  // Before start-up finishes: a Ctrl-C during a first start (database creation, migrations) waits for
  // it and then stops cleanly instead of killing the process halfway.
  stopOnSignals(starting, logger, { deadlineMs: config.SHUTDOWN_TIMEOUT * 2000 });
  try {
    const server = await starting;
    // `npm run cli -- backup` asks a running server on the embedded database to back itself up.
    answerBackupRequests(config.BACKUP_DIR, (name) => server.services.takeBackup(name), logger);
  } catch (err) {
    if (err instanceof DatabaseOpenError || err instanceof ServersFileError || err instanceof SpoolInUseError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}

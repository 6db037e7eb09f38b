import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { defineServer, LocalPresence, type Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
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
import { buildServices, type Services } from './services.ts';
import { configureApp } from './http/createApp.ts';
import { installCorsPolicy } from './http/corsPolicy.ts';
import { roomDefinitions } from '../rooms/index.ts';
import { ServersFileError } from './infra/ssh/serversFile.ts';
import { PresenceBus } from './infra/realtime/PresenceBus.ts';
import { stopOnSignals } from './stopOnSignals.ts';

export interface RunningServer {
  port: number;
  url: string;
  config: Config;
  logger: Logger;
  services: Services;
  /** Stops accepting, lets rooms close, flushes pending writes, closes the database. Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Overrides where the database lives (tests use a prepared template). */
  database?: DatabaseTarget;
}

/** The composition root: config → logger → database (migrated) → services → HTTP + Colyseus → listen. */
export async function start(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger({ level: config.LOG_LEVEL, pretty: config.LOG_PRETTY });
  const target = options.database ?? targetFromConfig(config);
  const orm = await openDatabase(target, openOptionsFromConfig(config, logger));
  // One presence for Colyseus and the services, so REST and rooms share pub/sub (swap for RedisPresence to scale out).
  const presence = new LocalPresence();
  // Every room subscribes to shared channels (session revocation), so one topic has many listeners.
  presence.setMaxListeners(0);
  let services: Services;
  try {
    services = buildServices(config, logger, orm, new PresenceBus(presence));
  } catch (err) {
    await orm.close();
    throw err;
  }

  const httpServer = http.createServer(httpTimeouts(config));
  installCorsPolicy(config.CORS_ORIGINS);
  const gameServer: Server = defineServer({
    rooms: roomDefinitions({ services, logger, config }),
    presence,
    transport: new WebSocketTransport({ server: httpServer, maxPayload: config.WS_MAX_PAYLOAD }),
    express: (app) => configureApp(app, { config, logger, services }),
    gracefullyShutdown: false,
    greet: false,
    logger: logger.child({ component: 'colyseus' }),
  });

  try {
    await gameServer.listen(config.PORT, config.HOST);
  } catch (err) {
    await orm.close();
    throw err;
  }
  const started: typeof services.lifecycle = [];
  try {
    for (const part of services.lifecycle) {
      await part.start();
      started.push(part);
    }
  } catch (err) {
    for (const part of started.reverse()) await part.stop().catch(() => {});
    await gameServer.gracefullyShutdown(false);
    await orm.close();
    throw err;
  }
  const port = (httpServer.address() as AddressInfo).port;
  const url = `http://${config.HOST}:${port}`;
  logger.info({ url, database: describeTarget(target) }, 'Plaza listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      // Requests in flight (an upload, a write) and rooms finish on an open database, within SHUTDOWN_TIMEOUT.
      await Promise.all([drainHttp(httpServer, config.SHUTDOWN_TIMEOUT * 1000), gameServer.gracefullyShutdown(false)]);
      for (const part of [...services.lifecycle].reverse()) {
        await part.stop().catch((err) => logger.error({ err, part: part.name }, 'stopping failed'));
      }
      await orm.close();
      logger.info('stopped');
    })());

  return { port, url, config, logger, services, stop };
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
    await starting;
  } catch (err) {
    if (err instanceof DatabaseOpenError || err instanceof ServersFileError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}

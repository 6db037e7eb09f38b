import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { defineServer, LocalPresence, type Server } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { DatabaseOpenError, openDatabase, openOptionsFromConfig, targetFromConfig, type DatabaseTarget } from './db/openDatabase.ts';
import { buildServices, type Services } from './services.ts';
import { configureApp } from './http/createApp.ts';
import { installCorsPolicy } from './http/corsPolicy.ts';
import { roomDefinitions } from '../rooms/index.ts';
import { ServersFileError } from './infra/ssh/serversFile.ts';
import { PresenceBus } from './infra/realtime/PresenceBus.ts';

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
  const orm = await openDatabase(options.database ?? targetFromConfig(config), openOptionsFromConfig(config, logger));
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
  const purgeTimer = setInterval(() => {
    services.tokens.purgeExpired().catch((err) => logger.warn({ err }, 'purging expired token blacklist failed'));
  }, 3600_000).unref();

  const httpServer = http.createServer();
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
  logger.info({ url, database: orm.config.get('driver')?.name }, 'Plaza listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down');
      clearInterval(purgeTimer);
      const forceClose = setTimeout(() => httpServer.closeAllConnections(), config.SHUTDOWN_TIMEOUT * 1000).unref();
      httpServer.closeIdleConnections();
      await gameServer.gracefullyShutdown(false);
      clearTimeout(forceClose);
      for (const part of [...services.lifecycle].reverse()) {
        await part.stop().catch((err) => logger.error({ err, part: part.name }, 'stopping failed'));
      }
      await orm.close();
      logger.info('stopped');
    })());

  return { port, url, config, logger, services, stop };
}

/** `npm start`: read the environment, start, stop cleanly on SIGTERM/SIGINT. */
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
  let server: RunningServer;
  try {
    server = await start(config);
  } catch (err) {
    if (err instanceof DatabaseOpenError || err instanceof ServersFileError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const onSignal = (signal: string) => {
    server.logger.info({ signal }, 'signal received');
    server.stop().then(
      () => process.exit(0),
      (err) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}

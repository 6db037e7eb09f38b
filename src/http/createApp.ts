import type { Application } from 'express';
import swaggerUi from 'swagger-ui-express';
import { withRequestEntityManager } from '../db/requestEntityManager.ts';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Services } from '../services.ts';
import { Api } from './route.ts';
import { buildDocument, createRegistry } from './openapi.ts';
import { requestLogging } from './middleware/requestLogging.ts';
import { httpMetrics } from './middleware/httpMetrics.ts';
import { securityHeaders } from './middleware/securityHeaders.ts';
import { errorHandler, notFound } from './middleware/errorHandler.ts';
import { healthRoutes, livenessProbe } from './routers/healthRoutes.ts';
import { authRoutes } from './routers/authRoutes.ts';
import { userRoutes } from './routers/userRoutes.ts';
import { adminRoutes } from './routers/adminRoutes.ts';
import { adminAccountRoutes } from './routers/adminAccountRoutes.ts';
import { accountRoutes } from './routers/accountRoutes.ts';
import { dbConsoleRoutes } from './routers/dbConsoleRoutes.ts';
import { savedQueryRoutes } from './routers/savedQueryRoutes.ts';
import { aiRoutes } from './routers/aiRoutes.ts';
import { boardRoutes } from './routers/boardRoutes.ts';
import { postRoutes } from './routers/postRoutes.ts';
import { fileRoutes } from './routers/fileRoutes.ts';
import { multipartParser } from './uploads.ts';
import { mountMetrics } from './metricsEndpoint.ts';
import { sshRoutes } from './routers/sshRoutes.ts';
import { chatRoutes } from './routers/chatRoutes.ts';
import { socialRoutes } from './routers/socialRoutes.ts';
import { supportRoutes } from './routers/supportRoutes.ts';
import { realtimeAdminRoutes } from './routers/realtimeAdminRoutes.ts';
import { notificationRoutes } from './routers/notificationRoutes.ts';
import { monitorRoutes, monitorSessionRoutes } from './routers/monitorRoutes.ts';
import { redocPage } from './redocPage.ts';
import { webConsole } from './webConsole.ts';

/** Configures the Express app Colyseus hands us: middleware, every router, docs, then the error edge. */
export function configureApp(app: Application, deps: { config: Config; logger: Logger; services: Services }): void {
  const { config, logger, services } = deps;
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  // Flat query strings (node:querystring): no route takes nested parameters, and qs cost ~4% of a cached page.
  app.set('query parser', 'simple');
  // Before the chain: a liveness probe costs what a bare Express route costs (no access log, no metrics).
  app.get('/health', livenessProbe());
  app.use(requestLogging(logger));
  app.use(httpMetrics(services.metrics));
  app.use(securityHeaders());
  app.use((_req, _res, next) => withRequestEntityManager(services.orm.em, next));

  const registry = createRegistry();
  // Bodies are read by each route, after its access check, within the route's own limit (route.ts).
  const api = new Api(registry, services.tokens, { jsonLimit: config.JSON_BODY_LIMIT });
  healthRoutes(api, services.orm, config.DB_ACQUIRE_TIMEOUT_MS);
  authRoutes(api, services.auth, { refreshTtlSeconds: config.REFRESH_TOKEN_TTL });
  accountRoutes(api, services);
  userRoutes(api, services.auth, services.users);
  adminRoutes(api, services.admin, services.audit, services.outbox);
  adminAccountRoutes(api, services.admin);
  dbConsoleRoutes(api, services.dbConsole);
  savedQueryRoutes(api, services.savedQueries);
  // AI jobs carry CSV datasets: their body limit follows AI_MAX_INPUT_BYTES (plus JSON overhead), not JSON_BODY_LIMIT.
  aiRoutes(api, services.aiModels, services.aiJobs, { bodyLimit: config.AI_MAX_INPUT_BYTES * 2 + 64 * 1024 });
  const uploadParser = (field: string, multiple: boolean) =>
    multipartParser(services.fileStorage, {
      field,
      multiple,
      maxBytes: config.UPLOAD_MAX_BYTES,
      maxFiles: config.UPLOAD_MAX_FILES,
    });
  boardRoutes(api, services.boards, services.posts);
  postRoutes(api, {
    posts: services.posts,
    comments: services.comments,
    files: services.files,
    attachmentParser: uploadParser('files', true),
  });
  fileRoutes(api, services.files, services.fileLinks, {
    single: uploadParser('file', false),
    batch: uploadParser('files', true),
  });
  sshRoutes(api, services.ssh.control);
  // realtime
  chatRoutes(api, services);
  socialRoutes(api, services.social);
  supportRoutes(api, services.support);
  realtimeAdminRoutes(api, services);
  notificationRoutes(api, services.notifications);
  monitorRoutes(app, { services, config });
  monitorSessionRoutes(api, { services, config });
  const web = webConsole();
  app.use(web.front);
  app.use(api.router);

  let document: ReturnType<typeof buildDocument> | undefined;
  app.get('/openapi.json', (_req, res) => {
    document ??= buildDocument(registry);
    res.json(document);
  });
  app.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, {
      swaggerOptions: { url: '/openapi.json', validatorUrl: null },
      customSiteTitle: 'Plaza API',
    }),
  );

  mountMetrics(app, services.metrics, config.METRICS_TOKEN);
  redocPage(app);

  // Any other page a browser asks for is the console's (it shows its own "not found").
  app.use(web.fallback);
  app.use(notFound);
  app.use(errorHandler(logger));
}

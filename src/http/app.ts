/**
 * The Fastify application: the HTTP layer over the domain services.
 *
 *     createFastify        core options: logger, request ids, router, body limit, client errors
 *     plugins/external/    cors, compress, under-pressure, rate-limit, swagger, swagger-ui (one
 *                          file each)
 *     plugins/app/         access log, error handler, metrics, the send timeout, one decorator
 *                          per service, the profile responder (behind the cost guard), the
 *                          services' metrics, the start-up line
 *     routes/              thin handlers, registered with what they need (limits, admin token)
 *
 * `buildApp` is used by src/main.ts, the demo, the bench and the tests (`app.inject`).
 * `buildApiDescription` registers the same routes with no services behind them, for the OpenAPI
 * generator: its handlers are never called.
 */
import { randomUUID } from 'node:crypto';
import { parse as parseQuerystring } from 'node:querystring';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import adminRoutes from '../../routes/admin.js';
import exploreRoutes from '../../routes/explore.js';
import healthRoutes from '../../routes/health.js';
import homeRoutes from '../../routes/home.js';
import monthsRoutes from '../../routes/months.js';
import platformsRoutes from '../../routes/platforms.js';
import profilesRoutes from '../../routes/profiles.js';
import type { Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { createServices, type Services } from '../services.js';
import { createClientErrorHandler } from './client-errors.js';
import accessLog from './plugins/app/access-log.js';
import errorHandler, { sendProblem } from './plugins/app/error-handler.js';
import metrics from './plugins/app/metrics.js';
import profileResponder from './plugins/app/profile-responder.js';
import sendTimeout from './plugins/app/send-timeout.js';
import serviceMetrics from './plugins/app/service-metrics.js';
import servicesPlugin from './plugins/app/services.js';
import startupLog from './plugins/app/startup-log.js';
import compress from './plugins/external/compress.js';
import cors from './plugins/external/cors.js';
import rateLimit from './plugins/external/rate-limit.js';
import swagger from './plugins/external/swagger.js';
import swaggerUi from './plugins/external/swagger-ui.js';
import underPressure from './plugins/external/under-pressure.js';

export interface BuildAppOptions {
  config: Config;
  /** An existing container (tests, the demo); otherwise one is created and closed with the app. */
  services?: Services;
  logger?: Logger;
  /** The clock (tests pin it): a build may name months up to the current one. Default: the system clock. */
  now?: () => Date;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The Fastify instance with the server-wide options; no plugins or routes yet. */
function createFastify(config: Config, logger: Logger) {
  // pino's Logger is a FastifyBaseLogger; the cast keeps the app's type the default one.
  const log = logger as FastifyBaseLogger;
  const app = Fastify({
    loggerInstance: log,
    // One access-log line per request (plugins/app/access-log.ts) instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.limits.maxBodyBytes,
    // ARGO_TRUST_PROXY: request.ip (the rate limit's client address) from X-Forwarded-For behind
    // the proxies it names; X-Forwarded-Proto and -Host are believed from the same proxies.
    trustProxy: config.trustProxy,
    // Keep a caller's request id (from a gateway) when it is sane, so logs join up across hops.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: 200,
      // node:querystring gives a null-prototype object, so even `__proto__=` reaches the schema
      // (and is refused as an unknown parameter) instead of being dropped silently.
      querystringParser: (text) => parseQuerystring(text),
    },
    // Bad URLs and over-long path parameters are answered by the router itself: make them problems.
    frameworkErrors: (error, request, reply) => {
      sendProblem(request, reply, error);
    },
    // Requests Node's parser refuses (431 headers too large, 400, 408) are problems too.
    clientErrorHandler: createClientErrorHandler(log),
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', String(request.id));
  });
  return app;
}

type App = ReturnType<typeof createFastify>;

/** The routes, each given what it needs at registration; the services are reached at request time. */
async function registerRoutes(app: App, config: Config, now?: () => Date): Promise<void> {
  await app.register(healthRoutes);
  await app.register(monthsRoutes);
  await app.register(profilesRoutes, { limits: config.limits });
  await app.register(platformsRoutes, { limits: config.limits });
  await app.register(adminRoutes, { adminToken: config.adminToken, ...(now ? { now } : {}) });
  await app.register(homeRoutes);
  await app.register(exploreRoutes);
}

export async function buildApp({ config, services, logger, now }: BuildAppOptions): Promise<FastifyInstance> {
  const log = logger ?? services?.logger ?? createLogger(config);
  const app = createFastify(config, log);

  await app.register(accessLog);
  await app.register(errorHandler);
  await app.register(metrics);
  await app.register(sendTimeout, { timeoutMs: config.limits.sendTimeoutMs });
  await app.register(cors, { origins: config.cors.origins });
  await app.register(compress);
  await app.register(underPressure, { maxEventLoopDelayMs: config.limits.maxEventLoopDelayMs });
  await app.register(rateLimit, { fairUse: config.fairUse });
  await app.register(swagger);
  await app.register(swaggerUi);

  const container = services ?? createServices({ config, logger: log });
  await app.register(servicesPlugin, { services: container, closeOnShutdown: services === undefined });
  await app.register(profileResponder, { cacheBytes: config.cache.responseBytes, maxRequestCost: config.fairUse.maxRequestCost });
  await app.register(serviceMetrics);
  await app.register(startupLog, { limits: config.limits, adminEnabled: config.adminToken !== undefined });

  await registerRoutes(app, config, now);
  return app as unknown as FastifyInstance;
}

/**
 * The routes and the OpenAPI document, with no services, stores or network behind them: what
 * `npm run openapi` prints. Never listen with it: a handler would find no service to call.
 */
export async function buildApiDescription({ config, logger }: { config: Config; logger: Logger }): Promise<FastifyInstance> {
  const app = createFastify(config, logger);
  await app.register(errorHandler);
  // Documents the fair-use answers of the query routes (with limiting off, it adds no hook).
  await app.register(rateLimit, { fairUse: { rateLimit: 0, apiKeys: [] } });
  await app.register(swagger);
  await registerRoutes(app, config);
  return app as unknown as FastifyInstance;
}

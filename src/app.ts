/**
 * The Fastify application: plugins, error handling, OpenAPI and the routes. `buildApp` is used by
 * `src/main.ts`, the tests (`app.inject`) and the OpenAPI generator.
 */
import { randomUUID } from 'node:crypto';
import { parse as parseQuerystring } from 'node:querystring';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import underPressure from '@fastify/under-pressure';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import adminRoutes from '../routes/admin.js';
import exploreRoutes from '../routes/explore.js';
import healthRoutes from '../routes/health.js';
import homeRoutes from '../routes/home.js';
import monthsRoutes from '../routes/months.js';
import profilesRoutes from '../routes/profiles.js';
import type { Config } from './config.js';
import { OverloadedError } from './errors.js';
import { createLogger, type Logger } from './logger.js';
import errorHandler, { sendProblem } from './plugins/error-handler.js';
import metrics from './plugins/metrics.js';
import openapi from './plugins/openapi.js';
import servicesPlugin from './plugins/services.js';
import { createServices, type Services } from './services.js';

export const ARGO_HEADERS = ['X-Argo-Profiles-Matched', 'X-Argo-Truncated', 'X-Argo-Months-Missing'] as const;

export interface BuildAppOptions {
  config: Config;
  /** An existing container (tests, the demo); otherwise one is created and closed with the app. */
  services?: Services;
  logger?: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// A shed request is cheap to retry; a few seconds lets the event loop drain.
const OVERLOAD_RETRY_AFTER_SECONDS = 5;

export async function buildApp({ config, services, logger }: BuildAppOptions): Promise<FastifyInstance> {
  const log = logger ?? services?.logger ?? createLogger(config);
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps the app's type the default one.
    loggerInstance: log as FastifyBaseLogger,
    bodyLimit: config.limits.maxBodyBytes,
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
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', String(request.id));
  });

  await app.register(errorHandler);
  await app.register(metrics);
  await app.register(cors, {
    origin: config.cors.origins === '*' ? '*' : config.cors.origins,
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'X-Request-Id'],
    // Browsers hide response headers from scripts unless they are exposed explicitly.
    exposedHeaders: [...ARGO_HEADERS, 'X-Request-Id', 'Location'],
    maxAge: 600,
  });
  // Compress when the client asks (Accept-Encoding); 1 KB threshold: smaller bodies gain nothing.
  // NDJSON and CSV are text too: @fastify/compress's default list misses application/x-ndjson.
  // gzip before br: brotli's default quality costs too much CPU on a streamed response.
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['gzip', 'br', 'deflate'],
    customTypes: /^(application\/(x-ndjson|json|problem\+json)|text\/)/,
  });
  await app.register(underPressure, {
    maxEventLoopDelay: config.limits.maxEventLoopDelayMs,
    exposeStatusRoute: false,
    // A rejected promise reaches the error handler (503 problem+json); Retry-After tells clients
    // when to come back. Liveness and metrics opt out per route (see routes/health.ts).
    pressureHandler: (_request, reply, type, value) => {
      reply.header('Retry-After', String(OVERLOAD_RETRY_AFTER_SECONDS));
      return Promise.reject(
        new OverloadedError({ message: 'The service is overloaded; try again shortly.', context: { type, value } }),
      );
    },
  });
  await app.register(openapi);

  const container = services ?? createServices({ config, logger: log });
  await app.register(servicesPlugin, { services: container, closeOnShutdown: services === undefined });

  await app.register(healthRoutes);
  await app.register(monthsRoutes);
  await app.register(profilesRoutes);
  await app.register(adminRoutes);
  await app.register(homeRoutes);
  await app.register(exploreRoutes);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app as unknown as FastifyInstance;
}

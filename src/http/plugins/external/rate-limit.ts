/**
 * Fair use (@fastify/rate-limit): requests per minute per client on the query routes.
 *
 * - Which routes: the API under `/v1/` (profiles, months, platforms, whatever is added there). The
 *   rest is never limited: health, readiness, metrics, the documentation, `/openapi.json`, the
 *   pages and their files, and admin (guarded by its token). The explorer page is exempt; the
 *   `/v1/` requests it makes are counted like any other client's.
 * - Which client: a known API key (`X-API-Key`, from ARGO_API_KEYS) has its own count and limit
 *   (`0`: not limited); without the header, the client's address (`request.ip`, which honours
 *   ARGO_TRUST_PROXY; IPv6 addresses count per /64, as one host usually holds a whole /64) has
 *   the ARGO_RATE_LIMIT limit. A key the service does not know is refused (401) rather than
 *   served anonymously: a typo in a key would otherwise silently cost its owner their limit.
 * - One count per client over every query route and method, in windows of one minute that start
 *   with the client's first request. Every answer carries `RateLimit-Limit`, `RateLimit-Remaining`
 *   and `RateLimit-Reset` (IETF draft names); past the limit the answer is 429 problem+json with
 *   `Retry-After` (the seconds until the window ends), through the error table (RateLimitedError).
 * - Counts live in each replica's memory: behind a balancer spreading a client over N replicas,
 *   it is served up to N × its limit (docs/operations.md, "Fair use", sizes the setting).
 * - ARGO_RATE_LIMIT=0 turns all of it off; X-API-Key is then ignored.
 *
 * The OpenAPI document declares the 401 and 429 answers and the optional key on the same routes
 * whatever the configuration: the committed document describes every deployment.
 */
import { createHash } from 'node:crypto';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { rateLimitedResponses } from '../../../../schemas/common.js';
import type { Config } from '../../../config.js';
import { RateLimitedError, UnauthorizedError } from '../../../errors.js';

export interface RateLimitPluginOptions {
  /** ARGO_RATE_LIMIT and ARGO_API_KEYS. */
  fairUse: Pick<Config['fairUse'], 'rateLimit' | 'apiKeys'>;
}

/** The routes limited: the API under /v1/. */
export function isQueryRoute(url: string): boolean {
  return url.startsWith('/v1/');
}

/** The header that carries an API key. */
export const API_KEY_HEADER = 'x-api-key';

/** The headers this plugin sends, as CORS exposes them to scripts. */
export const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'] as const;

const WINDOW_MS = 60_000;

// Clients counted at once per replica. An entry is ~200 bytes, so 20,000 take ~4 MB; past that the
// least recently seen client loses its count, erring on the lenient side.
const CLIENTS_TRACKED = 20_000;

const digest = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

/** The API key a request sends; '' when none (an empty header carries no claim: anonymous). */
function apiKeyOf(request: FastifyRequest): string {
  const header = request.headers[API_KEY_HEADER];
  return typeof header === 'string' ? header.trim() : '';
}

/**
 * Tells clients apart: `key:<sha256 of the key>` for a known API key (the store and the logs
 * never hold a key itself), `address:<address>` otherwise, each with its limit per minute.
 */
export function createClientIdentifier({ rateLimit: perAddress, apiKeys }: RateLimitPluginOptions['fairUse']) {
  const limits = new Map<string, number>(apiKeys.map(({ key, perMinute }) => [`key:${digest(key)}`, perMinute]));

  return {
    /** The client's bucket; throws UnauthorizedError (401) for an unknown key. */
    bucketOf(request: FastifyRequest): string {
      const key = apiKeyOf(request);
      if (key === '') return `address:${normalizeIP(request.ip)}`;
      const bucket = `key:${digest(key)}`;
      if (limits.has(bucket)) return bucket;
      throw new UnauthorizedError({
        message:
          'Unknown API key: the X-API-Key header names no key this service knows. Send a key you were given, ' +
          'or no X-API-Key header to be served as an anonymous client.',
        context: { route: request.routeOptions.url },
      });
    },
    /** Requests per minute allowed to a bucket; 0 = not limited. */
    limitOf(bucket: string): number {
      return limits.get(bucket) ?? perAddress;
    },
  };
}

/** Adds the fair-use answers and the optional API key to a query route's documentation. */
function documentLimits(route: RouteOptions): void {
  const schema = route.schema;
  if (!schema || (schema as { hide?: boolean }).hide) return;
  // New objects: a route's response table may be a module constant shared with other routes.
  route.schema = {
    ...schema,
    // A route's own description of a status wins.
    response: { ...rateLimitedResponses, ...(schema.response as Record<string, unknown> | undefined) },
    // Either no key or the key: the key is optional.
    security: [{}, { apiKey: [] }],
  } as RouteOptions['schema'];
}

export default fp(
  async function rateLimitPlugin(app: FastifyInstance, { fairUse }: RateLimitPluginOptions) {
    app.addHook('onRoute', (route) => {
      if (isQueryRoute(route.url)) documentLimits(route);
    });
    if (fairUse.rateLimit === 0) {
      if (fairUse.apiKeys.length > 0) {
        app.log.warn('ARGO_API_KEYS is set but ARGO_RATE_LIMIT is 0: rate limiting is off and X-API-Key is ignored');
      }
      return;
    }

    const clients = createClientIdentifier(fairUse);
    await app.register(rateLimit, {
      // Only the routes this plugin attaches its hook to (below), all sharing one count per client.
      global: false,
      timeWindow: WINDOW_MS,
      cache: CLIENTS_TRACKED,
      enableDraftSpec: true,
      keyGenerator: (request) => clients.bucketOf(request),
      max: (_request, bucket) => clients.limitOf(bucket),
      allowList: (_request, bucket) => clients.limitOf(bucket) === 0,
      errorResponseBuilder: (request, { max, ttl }) => {
        // The same rounding as the plugin's Retry-After header.
        const seconds = Math.ceil(ttl / 1000);
        const keyed = apiKeyOf(request) !== '';
        const who = keyed ? 'this API key' : 'this address';
        const hint = !keyed && fairUse.apiKeys.length > 0 ? ' An API key (X-API-Key) has a limit of its own.' : '';
        return new RateLimitedError({
          message: `Too many requests: ${who} may make ${max} requests per minute to the query routes; retry in ${seconds} s (Retry-After).${hint}`,
          context: { route: request.routeOptions.url, limit: max, retryAfterSeconds: seconds, keyed },
        });
      },
    });
    // The decorator without options keeps the plugin's own store: one count per client for every
    // route it guards (route options would give each route a store, and so a count, of its own).
    const limiter = app.rateLimit();
    app.addHook('onRoute', (route) => {
      if (!isQueryRoute(route.url)) return;
      const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
      route.onRequest = [...existing, limiter] as RouteOptions['onRequest'];
    });
  },
  { name: 'rate-limit', dependencies: ['error-handler'] },
);

/**
 * Configuration: the only module that reads `process.env`.
 *
 * `parseConfig(env)` is pure (tests pass plain objects); `loadConfig()` reads the real environment
 * once at start-up. A bad value fails start-up with a message naming the variable.
 */
import { z } from 'zod';
import { ConfigError, parseApiKeys, parseTrustProxy, s3LocationCheck, splitList, type ApiKeyLimit, type TrustProxy } from './config-values.js';

export { ConfigError, type ApiKeyLimit, type TrustProxy } from './config-values.js';

/** The public GDAC HTTPS mirrors, tried in order (Ifremer first: it is the reference node). */
export const DEFAULT_GDAC_MIRRORS = [
  'https://data-argo.ifremer.fr',
  'https://usgodae.org/pub/outgoing/argo',
] as const;

const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const numberFrom = (min: number, max: number) => z.coerce.number().min(min).max(max);
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every variable the service understands, with its default. Tuning defaults carry their reason.
 * Keys are the environment names, so an error message names the variable as the operator wrote it.
 */
export const envSchema = z.object({
  PORT: intFrom(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  ARGO_GDAC: z.string().min(1).default(DEFAULT_GDAC_MIRRORS.join(',')),
  ARGO_GDAC_INDEX: optionalString,
  ARGO_GDAC_SYNTHETIC_INDEX: optionalString,
  ARGO_INDEX_STORE: z.string().min(1).default('./data/argo_index'),
  ARGO_S3_ENDPOINT: optionalString.pipe(z.url().optional()),
  // MinIO and s3rver need path-style addressing; AWS prefers virtual-hosted. Default: path-style
  // whenever a custom endpoint is set.
  ARGO_S3_FORCE_PATH_STYLE: booleanString.optional(),
  ARGO_S3_REGION: z.string().min(1).default('us-east-1'),
  // An s3:// GDAC has its own endpoint, region and signing, apart from the index store's: the
  // public GDAC bucket (s3://argo-gdac-sandbox/pub) is on AWS and read anonymously, while the
  // index store is often a MinIO beside the service, with keys of its own.
  ARGO_GDAC_S3_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  // Default: eu-west-3 on AWS (where the public GDAC bucket is: a request signed for another
  // region is redirected and fails); us-east-1 with a custom endpoint (what S3-compatible servers
  // expect when they were given no region).
  ARGO_GDAC_S3_REGION: optionalString,
  // Default true: the public GDAC bucket is open to anonymous reads, and the AWS keys in the
  // environment belong to the index store. `false` signs with the AWS credentials (the
  // standard variables, or the SDK's default chain: instance or pod role).
  ARGO_GDAC_S3_ANONYMOUS: booleanString.optional(),
  ARGO_ADMIN_TOKEN: optionalString,

  // 8 parallel downloads keep a 20 ms-latency mirror busy without looking like abuse to a GDAC.
  ARGO_DOWNLOAD_WORKERS: intFrom(1, 256).default(8),
  ARGO_MAX_FETCH_RETRIES: intFrom(0, 20).default(4),
  ARGO_RETRY_BACKOFF_SECONDS: numberFrom(0, 60).default(0.8),
  // A profile file is < 1 MB; 30 s is generous even on a slow link and still frees a stuck socket.
  // Also the deadline of one request to an s3:// GDAC (headers, then each idle gap of a stream).
  ARGO_FETCH_TIMEOUT_SECONDS: numberFrom(0.1, 600).default(30),
  // One index store operation (get, put, list, ping), every attempt included. Store objects are
  // a few MB at most (a month index: ~1-3 MB): a working store answers in well under a second, so
  // 10 s is ten times that, and a query whose index takes longer has failed for its client anyway.
  // Past it the operation fails as a StoreError (503) and is not retried: a stalled store (a hung
  // load balancer, a black-holed network) never holds a query, a readiness probe or a month load.
  ARGO_STORE_TIMEOUT_SECONDS: numberFrom(0.1, 600).default(10),

  // A decoded 13,000-profile month (one real GDAC month today) takes ~2 MB of heap: 64 MB keeps
  // two years of months warm for dashboards that page through time.
  ARGO_MONTH_CACHE_MB: numberFrom(1, 65536).default(64),
  // Decoded level data (float32) and finished output lines, so repeated dashboard windows never
  // touch the GDAC: 32 MB holds ~5,000 profiles' levels (~12 days of global profiles) and keeps
  // the process under 250 MB RSS with two years of month indexes cached. Raise it on big hosts.
  ARGO_PROFILE_CACHE_MB: numberFrom(0, 65536).default(32),
  // Finished response bodies, keyed by query and month-index versions: a dashboard refreshing the
  // same window is answered from memory. 16 MB holds ~150 one-day global windows as NDJSON.
  ARGO_RESPONSE_CACHE_MB: numberFrom(0, 65536).default(16),
  // The master index changes only when a build finishes; 30 s bounds staleness across replicas.
  ARGO_MASTER_TTL_SECONDS: numberFrom(0, 86400).default(30),

  // Query ceilings: a window of one year, 1,000 levels and 10,000 profiles keep one response
  // under ~100 MB and a few seconds of GDAC traffic.
  ARGO_MAX_WINDOW_DAYS: numberFrom(1, 36600).default(366),
  ARGO_MAX_LEVELS: intFrom(1, 100000).default(1000),
  ARGO_DEFAULT_MAX_PROFILES: intFrom(1, 10_000_000).default(1000),
  ARGO_MAX_PROFILES_LIMIT: intFrom(1, 10_000_000).default(10000),
  // Ranged GDAC reads in flight per query, and profiles decoded ahead of the client. A cold query
  // is round-trip bound: a 1-day window's 446 ranges × 20 ms / 32 ≈ 0.3 s; 32 profiles of
  // look-ahead (~KBs each) still bound memory per request. The GDAC source's own range limit
  // (32 by default) caps the process's total over concurrent queries.
  ARGO_QUERY_CONCURRENCY: intFrom(1, 256).default(32),
  // Where level data comes from (docs/data-packs.md): `auto` reads a month's data pack from the
  // index store when it has one and GDAC byte ranges otherwise; `pack` never reads the GDAC (a
  // month without a pack is a 503 naming it); `gdac` always reads the GDAC, as before packs.
  ARGO_QUERY_SOURCE: z.enum(['auto', 'pack', 'gdac']).default('auto'),

  // Fair use (docs/operations.md, "Fair use"). Requests per minute per client on the query routes
  // (/v1/...). 0, the default, turns rate limiting off: clients are told apart by address, which is
  // only right once ARGO_TRUST_PROXY matches the deployment. Behind a load balancer without it,
  // every client has the balancer's address, and a default limit would make them share one budget.
  ARGO_RATE_LIMIT: intFrom(0, 1_000_000).default(0),
  // Known API keys (X-API-Key), each with its own limit: `key:requests_per_minute,...`.
  ARGO_API_KEYS: optionalString,
  // Whose X-Forwarded-For to believe for the client's address: `false` (the default: the peer's
  // address), `true` (anyone's: only when every request comes through a proxy that rewrites the
  // header), or a comma list of the proxies' addresses and CIDRs. No hop counts: Fastify ignores
  // them, since a count cannot tell a proxy from a client that sent the header itself.
  ARGO_TRUST_PROXY: optionalString,
  // Ceiling on one /v1/profiles answer, in level values (profiles × levels × variables), checked
  // after planning and before any level is read; 0 turns it off. 10 million values are ~100 MB of
  // NDJSON: enough for 1,000 profiles (the default max_profiles) on 1,000 levels with 3 variables
  // (3 M), or 10,000 profiles on native levels with 2 (10 M at the 500-level estimate); refused
  // are the requests that push several ceilings at once.
  ARGO_MAX_REQUEST_COST: intFrom(0, Number.MAX_SAFE_INTEGER).default(10_000_000),

  // Longest a profiles query may run, from its planning to its last profile (time waiting on
  // the client included): past it the reads are cancelled and the answer is a 504 (before the
  // headers) or ends with a 504 error line. Five minutes: the largest answer the ceilings allow (10,000
  // profiles × 1,000 levels, ~220 MB of NDJSON) read cold from a 100 ms mirror (~1 min) and sent
  // uncompressed over a 10 Mbit/s link (~3 min) still fits, while a GDAC that stalls for good
  // (each file: retries + 1 attempts of ARGO_FETCH_TIMEOUT_SECONDS, batch after batch) frees the
  // request, its look-ahead and its GDAC slots within minutes instead of holding them for hours.
  ARGO_QUERY_TIMEOUT_SECONDS: numberFrom(0.1, 86400).default(300),
  // A client that accepts no byte of its response for this long (the socket's buffers full and
  // not draining) is disconnected and its query cancelled: what it held is freed. 60 s is nginx's
  // `send_timeout`, which means the same: long enough for any client that reads at all (a
  // pause to process what it got, a slow link), short enough that clients that never read
  // cannot pile up.
  ARGO_SEND_TIMEOUT_SECONDS: numberFrom(0.1, 86400).default(60),

  // Browser dashboards call from other origins; '*' is right for a public read-only API.
  ARGO_CORS_ORIGINS: z.string().min(1).default('*'),
  // Shed load (503) before the event loop stalls everyone: 1 s of loop delay is already unusable.
  ARGO_MAX_EVENT_LOOP_DELAY_MS: intFrom(0, 60000).default(1000),
  ARGO_MAX_BODY_BYTES: intFrom(1024, 100 * 1024 * 1024).default(64 * 1024),
  // Build jobs waiting behind the running one. Jobs run one at a time and a long one takes hours,
  // so an operator rarely has more than a few queued; 16 leaves room for scripted month-by-month
  // submissions while a client stuck in a loop is told no before it fills memory with jobs.
  ARGO_MAX_QUEUED_BUILDS: intFrom(1, 10000).default(16),

  AWS_ACCESS_KEY_ID: optionalString,
  AWS_SECRET_ACCESS_KEY: optionalString,
  AWS_SESSION_TOKEN: optionalString,
});

export type Env = z.input<typeof envSchema>;

/** AWS credentials, as the S3 client takes them. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface GdacS3Settings {
  endpoint: string | undefined;
  forcePathStyle: boolean;
  region: string;
  /** Send requests unsigned (ARGO_GDAC_S3_ANONYMOUS). */
  anonymous: boolean;
  /** Used when not anonymous: the AWS credentials of the environment, when given. */
  credentials: S3Credentials | undefined;
}


/** The public S3 GDAC's region (s3://argo-gdac-sandbox is in Paris). */
export const DEFAULT_GDAC_S3_REGION = 'eu-west-3';
/** The region S3-compatible servers (MinIO, s3rver, Ceph) assume when they were given none. */
const CUSTOM_ENDPOINT_REGION = 'us-east-1';

export interface Config {
  port: number;
  host: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  gdac: {
    /** The raw ARGO_GDAC value. */
    root: string;
    /** One root per mirror: http(s) URLs, an s3:// prefix, or a local directory. */
    roots: string[];
    /** Explicit profile index location, when set (absolute URL/path, or relative to a root). */
    index: string | undefined;
    /** ARGO_GDAC_SYNTHETIC_INDEX: the synthetic profile index (BGC), read like `index`; default beside it. */
    syntheticIndex: string | undefined;
    downloadWorkers: number;
    maxRetries: number;
    retryBackoffMs: number;
    timeoutMs: number;
    /** An s3:// GDAC's own S3 settings (ARGO_GDAC_S3_*), apart from the index store's `s3`. */
    s3: GdacS3Settings;
  };
  store: {
    location: string;
    /** Deadline of one index store operation, all attempts included (S3 store). */
    timeoutMs: number;
  };
  s3: {
    endpoint: string | undefined;
    forcePathStyle: boolean;
    region: string;
    credentials: S3Credentials | undefined;
  };
  adminToken: string | undefined;
  cache: { monthBytes: number; profileBytes: number; responseBytes: number; masterTtlMs: number };
  limits: {
    maxWindowDays: number;
    maxLevels: number;
    defaultMaxProfiles: number;
    maxProfilesLimit: number;
    queryConcurrency: number;
    /** Deadline of one profiles query, planning to last profile (ARGO_QUERY_TIMEOUT_SECONDS). */
    queryTimeoutMs: number;
    /** A response whose client accepts no bytes for this long is cut (ARGO_SEND_TIMEOUT_SECONDS). */
    sendTimeoutMs: number;
    maxBodyBytes: number;
    maxEventLoopDelayMs: number;
  };
  cors: { origins: string[] | '*' };
  builds: { maxQueued: number };
  /** Which proxies' X-Forwarded-For gives the client's address (request.ip). */
  trustProxy: TrustProxy;
  fairUse: {
    /** Requests per minute per anonymous client (by address); 0 = no rate limiting at all. */
    rateLimit: number;
    /** Known API keys and their limits (only used when `rateLimit` > 0). */
    apiKeys: ApiKeyLimit[];
    /** Most level values one /v1/profiles answer may carry; 0 = no ceiling. */
    maxRequestCost: number;
  };
  query: { source: 'auto' | 'pack' | 'gdac' };
}


const MB = 1024 * 1024;


/** Parses an environment-shaped object. Unknown variables are ignored. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      return `${name}: ${issue.message} (got ${JSON.stringify(env[name] ?? null)})`;
    });
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = result.data;
  const roots = splitList(e.ARGO_GDAC);
  if (roots.length === 0) throw new ConfigError('Invalid configuration:\n  ARGO_GDAC: no GDAC root given');
  const kinds = new Set(roots.map((r) => (/^https?:\/\//i.test(r) ? 'http' : r.startsWith('s3://') ? 's3' : 'local')));
  if (kinds.size > 1 || (!kinds.has('http') && roots.length > 1)) {
    throw new ConfigError(
      'Invalid configuration:\n  ARGO_GDAC: several roots must all be http(s) mirrors (got ' + JSON.stringify(e.ARGO_GDAC) + ')',
    );
  }
  if (e.ARGO_DEFAULT_MAX_PROFILES > e.ARGO_MAX_PROFILES_LIMIT) {
    throw new ConfigError(
      `Invalid configuration:\n  ARGO_DEFAULT_MAX_PROFILES: ${e.ARGO_DEFAULT_MAX_PROFILES} is above ARGO_MAX_PROFILES_LIMIT (${e.ARGO_MAX_PROFILES_LIMIT})`,
    );
  }
  if ((e.AWS_ACCESS_KEY_ID === undefined) !== (e.AWS_SECRET_ACCESS_KEY === undefined)) {
    const missing = e.AWS_ACCESS_KEY_ID === undefined ? 'AWS_ACCESS_KEY_ID' : 'AWS_SECRET_ACCESS_KEY';
    throw new ConfigError(`Invalid configuration:\n  ${missing}: required when the other AWS key is set`);
  }
  const origins = e.ARGO_CORS_ORIGINS.trim() === '*' ? '*' : splitList(e.ARGO_CORS_ORIGINS);
  const credentials: S3Credentials | undefined =
    e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: e.AWS_ACCESS_KEY_ID,
          secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
          ...(e.AWS_SESSION_TOKEN ? { sessionToken: e.AWS_SESSION_TOKEN } : {}),
        }
      : undefined;
  for (const root of roots) s3LocationCheck('ARGO_GDAC', root);
  s3LocationCheck('ARGO_INDEX_STORE', e.ARGO_INDEX_STORE);
  const gdacRoots = roots.map((r) => r.replace(/\/+$/, ''));
  const gdacIndex = gdacIndexLocation(e.ARGO_GDAC_INDEX, gdacRoots);
  const syntheticIndex = gdacIndexLocation(e.ARGO_GDAC_SYNTHETIC_INDEX, gdacRoots, 'ARGO_GDAC_SYNTHETIC_INDEX');

  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    gdac: {
      root: e.ARGO_GDAC,
      roots: gdacRoots,
      index: gdacIndex,
      syntheticIndex,
      downloadWorkers: e.ARGO_DOWNLOAD_WORKERS,
      maxRetries: e.ARGO_MAX_FETCH_RETRIES,
      retryBackoffMs: Math.round(e.ARGO_RETRY_BACKOFF_SECONDS * 1000),
      timeoutMs: Math.round(e.ARGO_FETCH_TIMEOUT_SECONDS * 1000),
      s3: {
        endpoint: e.ARGO_GDAC_S3_ENDPOINT,
        forcePathStyle: e.ARGO_GDAC_S3_ENDPOINT !== undefined,
        region: e.ARGO_GDAC_S3_REGION ?? (e.ARGO_GDAC_S3_ENDPOINT === undefined ? DEFAULT_GDAC_S3_REGION : CUSTOM_ENDPOINT_REGION),
        anonymous: e.ARGO_GDAC_S3_ANONYMOUS ?? true,
        credentials,
      },
    },
    store: { location: e.ARGO_INDEX_STORE, timeoutMs: Math.round(e.ARGO_STORE_TIMEOUT_SECONDS * 1000) },
    s3: {
      endpoint: e.ARGO_S3_ENDPOINT,
      forcePathStyle: e.ARGO_S3_FORCE_PATH_STYLE ?? e.ARGO_S3_ENDPOINT !== undefined,
      region: e.ARGO_S3_REGION,
      credentials,
    },
    adminToken: e.ARGO_ADMIN_TOKEN,
    cache: {
      monthBytes: Math.round(e.ARGO_MONTH_CACHE_MB * MB),
      profileBytes: Math.round(e.ARGO_PROFILE_CACHE_MB * MB),
      responseBytes: Math.round(e.ARGO_RESPONSE_CACHE_MB * MB),
      masterTtlMs: Math.round(e.ARGO_MASTER_TTL_SECONDS * 1000),
    },
    limits: {
      maxWindowDays: e.ARGO_MAX_WINDOW_DAYS,
      maxLevels: e.ARGO_MAX_LEVELS,
      defaultMaxProfiles: e.ARGO_DEFAULT_MAX_PROFILES,
      maxProfilesLimit: e.ARGO_MAX_PROFILES_LIMIT,
      queryConcurrency: e.ARGO_QUERY_CONCURRENCY,
      queryTimeoutMs: Math.round(e.ARGO_QUERY_TIMEOUT_SECONDS * 1000),
      sendTimeoutMs: Math.round(e.ARGO_SEND_TIMEOUT_SECONDS * 1000),
      maxBodyBytes: e.ARGO_MAX_BODY_BYTES,
      maxEventLoopDelayMs: e.ARGO_MAX_EVENT_LOOP_DELAY_MS,
    },
    cors: { origins },
    builds: { maxQueued: e.ARGO_MAX_QUEUED_BUILDS },
    trustProxy: parseTrustProxy(e.ARGO_TRUST_PROXY),
    fairUse: {
      rateLimit: e.ARGO_RATE_LIMIT,
      apiKeys: parseApiKeys(e.ARGO_API_KEYS),
      maxRequestCost: e.ARGO_MAX_REQUEST_COST,
    },
    query: { source: e.ARGO_QUERY_SOURCE },
  };
  return deepFreeze(config);
}

/**
 * ARGO_GDAC_INDEX as the GDAC source reads it: a path relative to the GDAC root, or an absolute
 * http(s) URL or local path. An `s3://` location is accepted when it lies under an `s3://` GDAC
 * root (it is then read through the GDAC's own S3 settings, as a relative path).
 */
function gdacIndexLocation(index: string | undefined, roots: readonly string[], name = 'ARGO_GDAC_INDEX'): string | undefined {
  if (index === undefined || !index.startsWith('s3://')) return index;
  const root = roots.find((r) => r.startsWith('s3://') && index.startsWith(`${r}/`));
  if (root === undefined) {
    throw new ConfigError(
      `Invalid configuration:\n  ${name}: an s3:// index must lie under the s3:// GDAC root ARGO_GDAC (got ${JSON.stringify(index)})`,
    );
  }
  return index.slice(root.length + 1);
}

/** Reads the process environment: call once, at start-up. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}

/** The environment variable names the service reads (the docker-compose test checks against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.freeze(Object.keys(envSchema.shape));

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

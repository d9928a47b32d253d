/**
 * The parsers of configuration values that are more than a zod type: API keys, trusted proxies,
 * s3:// locations, comma lists, and the error every bad value becomes. Pure: they read no
 * environment (src/config.ts is the only module that does, and the only caller here).
 */
import { isIP } from 'node:net';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A known API key (ARGO_API_KEYS) and its own limit. */
export interface ApiKeyLimit {
  key: string;
  /** Requests per minute on the query routes; 0 = not limited. */
  perMinute: number;
}

/** Fastify's `trustProxy`: whose X-Forwarded-For is believed (ARGO_TRUST_PROXY). */
export type TrustProxy = boolean | string[];

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

// S3 bucket names: 3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with
// a letter or digit (the AWS rules, which MinIO and the other S3-compatible stores follow).
const S3_LOCATION = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/;

/**
 * An `s3://` value must name a bucket: caught here, named, rather than as a TypeError from the S3
 * client at start-up.
 */
export function s3LocationCheck(name: string, value: string): void {
  if (!value.startsWith('s3://') || S3_LOCATION.test(value)) return;
  const bucket = /^s3:\/\/([^/]*)/.exec(value)?.[1] ?? '';
  const why = bucket === '' ? 'the bucket name is missing' : `${JSON.stringify(bucket)} is not an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)`;
  throw new ConfigError(`Invalid configuration:\n  ${name}: not an s3://bucket[/prefix] location: ${why} (got ${JSON.stringify(value)})`);
}

// A key is one token of visible ASCII without the list's separators; 256 characters is room for
// any generated key (`openssl rand -hex 32` is 64).
const API_KEY = /^[\x21-\x2b\x2d-\x39\x3b-\x7e]{1,256}$/;

/**
 * ARGO_API_KEYS: `key:requests_per_minute` entries, comma-separated (`0` = that key is not
 * limited). Messages name entries by position, never by their text: the keys are secrets and
 * start-up errors reach logs.
 */
export function parseApiKeys(value: string | undefined): ApiKeyLimit[] {
  if (value === undefined) return [];
  const keys: ApiKeyLimit[] = [];
  const fail = (message: string): never => {
    throw new ConfigError(`Invalid configuration:\n  ARGO_API_KEYS: ${message}`);
  };
  for (const [i, entry] of splitList(value).entries()) {
    const at = entry.lastIndexOf(':');
    const key = at < 0 ? entry : entry.slice(0, at).trim();
    const limit = at < 0 ? '' : entry.slice(at + 1).trim();
    const which = `entry ${i + 1}`;
    if (at < 0) fail(`${which} has no limit: write key:requests_per_minute (0 for no limit)`);
    if (!API_KEY.test(key)) fail(`${which}: a key is 1 to 256 visible ASCII characters, without ',' or ':'`);
    if (!/^\d+$/.test(limit) || Number(limit) > 1_000_000) fail(`${which}: the limit is a whole number of requests per minute, 0 to 1000000`);
    if (keys.some((k) => k.key === key)) fail(`${which} repeats an earlier key`);
    keys.push({ key, perMinute: Number(limit) });
  }
  return keys;
}

/** proxy-addr's names for address ranges, accepted in ARGO_TRUST_PROXY's list. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** ARGO_TRUST_PROXY as Fastify's `trustProxy` takes it. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  const entries = splitList(value);
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const version = isIP(address);
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
    if (!PROXY_RANGE_NAMES.includes(entry) && (version === 0 || !prefixOk || rest.length > 0)) {
      throw new ConfigError(
        `Invalid configuration:\n  ARGO_TRUST_PROXY: ${JSON.stringify(entry)} is not an address or CIDR; use true, false, or a comma list of the proxies' addresses, CIDRs, ${PROXY_RANGE_NAMES.join(', ')}`,
      );
    }
  }
  return entries;
}

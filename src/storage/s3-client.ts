/**
 * S3 client construction and `s3://bucket/prefix` parsing, shared by the S3 index store and the
 * S3 GDAC source (the config has one `s3` section for both).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

/** The `s3` section of the config (src/config.ts), every field optional. */
export interface S3Settings {
  endpoint?: string | undefined;
  forcePathStyle?: boolean;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
}

export interface S3Location {
  bucket: string;
  /** '' or a prefix ending with '/'. */
  prefix: string;
}

export function isS3Url(value: string): boolean {
  return value.startsWith('s3://');
}

/** Parses `s3://bucket[/prefix]`; the prefix is returned with a trailing '/' (or ''). */
export function parseS3Url(value: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(value);
  if (!match || match[1].length === 0) throw new TypeError(`not an s3://bucket[/prefix] location: ${value}`);
  const prefix = match[2].replace(/^\/+|\/+$/g, '');
  return { bucket: match[1], prefix: prefix === '' ? '' : `${prefix}/` };
}

export interface CreateS3ClientOptions {
  s3?: S3Settings;
  /** Sign no request (public buckets such as the Argo GDAC on AWS open data). */
  anonymous?: boolean;
  /** Keep-alive sockets per host. */
  maxSockets?: number;
  /** SDK-internal attempts; 1 when retries are done by a wrapper above. */
  maxAttempts?: number;
  /** Socket connect timeout. */
  connectionTimeoutMs?: number;
  /**
   * Time allowed from sending a request (its body included) to the response headers. Enforced:
   * the handler fails the request with a TimeoutError (a stalled endpoint must not hang a query).
   */
  requestTimeoutMs?: number;
  /** Longest silence on the socket once the answer started (a body that stops mid-way). Default: `requestTimeoutMs`. */
  socketTimeoutMs?: number;
}

// 50 sockets: the SDK default; enough for a store that writes a few objects per build.
const DEFAULT_MAX_SOCKETS = 50;
// 10 s to connect: an S3 endpoint that takes longer is down for our purposes.
const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
// 30 s per request: month objects are a few MB; an endpoint that stalls longer is treated as
// failed (StoreError → 503) instead of holding queries and single-flight loads forever. Callers
// pass their own (the store: ARGO_STORE_TIMEOUT_SECONDS; an s3:// GDAC: ARGO_FETCH_TIMEOUT_SECONDS).
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function createS3Client(options: CreateS3ClientOptions = {}): S3Client {
  const s3 = options.s3 ?? {};
  const maxSockets = options.maxSockets ?? DEFAULT_MAX_SOCKETS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const config: S3ClientConfig = {
    region: s3.region ?? 'us-east-1',
    forcePathStyle: s3.forcePathStyle ?? s3.endpoint !== undefined,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
      connectionTimeout: options.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
      requestTimeout,
      // Without this, @smithy/node-http-handler (4.x) only logs a warning when requestTimeout
      // passes and the request keeps waiting: a stalled endpoint would hang its caller forever.
      throwOnRequestTimeout: true,
      // requestTimeout ends when the headers arrive; this bounds each silence after that.
      socketTimeout: options.socketTimeoutMs ?? requestTimeout,
    },
  };
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  if (s3.endpoint !== undefined) {
    config.endpoint = s3.endpoint;
    // S3-compatible servers (MinIO, s3rver, older Ceph) often reject or mangle the flexible
    // checksum headers and aws-chunked trailers the SDK sends by default since 2025: only send
    // and check them where the API requires them.
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  if (options.anonymous) {
    // No credentials lookup and no signature: the request goes out as an anonymous GET.
    config.signer = { sign: async (request) => request };
    config.credentials = { accessKeyId: '', secretAccessKey: '' };
  } else if (s3.credentials) {
    // A copy: the config is frozen, and the SDK annotates the credentials object it is given.
    config.credentials = { ...s3.credentials };
  }
  return new S3Client(config);
}

/** The HTTP status of an SDK error, when it got as far as a response. */
export function s3Status(error: unknown): number | undefined {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function s3ErrorName(error: unknown): string | undefined {
  const e = error as { name?: unknown; Code?: unknown } | null;
  if (typeof e?.Code === 'string') return e.Code;
  return typeof e?.name === 'string' ? e.name : undefined;
}

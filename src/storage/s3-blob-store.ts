/**
 * The index store in an S3 bucket (`s3://bucket/prefix`): AWS, MinIO, s3rver, any S3-compatible
 * endpoint (`ARGO_S3_ENDPOINT`, path-style addressing for custom endpoints).
 *
 * - `get`: NoSuchKey / 404 → undefined; the etag is S3's ETag as returned (quotes included),
 *   to be passed back as `ifMatch`.
 * - `put`: sends `If-Match` / `If-None-Match: *` on PutObject. 412 PreconditionFailed and 409
 *   ConditionalRequestConflict → PreconditionFailedError; with `ifMatch` a missing object (404)
 *   is a failed precondition too.
 * - `conditionalWrites` (default true) says whether the backend enforces those headers. AWS S3
 *   does (since 2024); s3rver and some S3-compatible stores ignore them (or answer 501). With
 *   `conditionalWrites: false` the store reports `supportsConditionalWrites: false` and checks
 *   the precondition itself with a HeadObject just before the PutObject: it catches a stale
 *   etag or an existing object, but it is NOT atomic, so callers must stay safe without it
 *   (immutable keys, read-back verification), as the contract says.
 * - `getRange`: GetObject with `Range: bytes=a-b` (S3 answers the bytes that exist; a range that
 *   starts at or past the end is 416 InvalidRange → no bytes). `head`: HeadObject.
 * - Every other failure → StoreError with the SDK error as cause. The SDK's own retries (3
 *   attempts, standard mode) are kept for the store: its objects are small and writes rare.
 * - Deadlines: each operation, every attempt included, ends after `timeoutMs` (default 10 s,
 *   ARGO_STORE_TIMEOUT_SECONDS) with a StoreTimeoutError (503); the client enforces the same time
 *   per request (throwOnRequestTimeout) and per silence of a body. A stalled endpoint (a hung
 *   load balancer, a black-holed connection) never holds a query, a probe or a month load.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { AbortedError, PreconditionFailedError, StoreError, StoreTimeoutError, type ErrorContext } from '../errors.js';
import { assertValidKey, assertValidPrefix, assertValidRange, compareKeys } from './keys.js';
import { createS3Client, parseS3Url, s3ErrorName, s3Status, type S3Settings } from './s3-client.js';
import type { BlobStore, ListedObject, ObjectInfo, OperationOptions, PutOptions, RangeOptions } from './types.js';

export interface S3BlobStoreOptions {
  /** `s3://bucket[/prefix]`. */
  location: string;
  /** The config's `s3` section. */
  s3?: S3Settings;
  /** Whether the backend enforces If-Match / If-None-Match on PutObject (default true: AWS does). */
  conditionalWrites?: boolean;
  /** Use this client instead of creating one (it is then not destroyed by `close`). */
  client?: S3Client;
  /** Deadline of one operation, every attempt included (default `DEFAULT_STORE_TIMEOUT_MS`). */
  timeoutMs?: number;
}

/**
 * 10 s per store operation: ARGO_STORE_TIMEOUT_SECONDS's default (see src/config.ts for why),
 * for stores built without a config (tests, tools).
 */
export const DEFAULT_STORE_TIMEOUT_MS = 10_000;

interface OperationDeadline {
  /** Follows the caller's signal, and fires at the deadline. */
  signal: AbortSignal;
  /** True once the deadline (not the caller) ended the operation. */
  timedOut(): boolean;
}

/** The object is missing (not the bucket: a missing bucket is a misconfiguration, a StoreError). */
function isMissing(error: unknown): boolean {
  const name = s3ErrorName(error);
  if (name === 'NoSuchBucket') return false;
  return s3Status(error) === 404 || name === 'NoSuchKey' || name === 'NotFound';
}

/** The first byte a `Content-Range: bytes a-b/size` answer starts at. */
function firstByteOf(contentRange: string | undefined): number | undefined {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(contentRange ?? '');
  return match ? Number(match[1]) : undefined;
}

/** A range that starts at or past the object's end (S3: 416 InvalidRange). */
function isUnsatisfiableRange(error: unknown): boolean {
  return s3Status(error) === 416 || s3ErrorName(error) === 'InvalidRange';
}

function isPreconditionFailure(error: unknown): boolean {
  const status = s3Status(error);
  const name = s3ErrorName(error);
  return status === 412 || name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || (status === 409 && name !== 'BucketAlreadyExists');
}

export function createS3BlobStore(options: S3BlobStoreOptions): BlobStore {
  const { bucket, prefix } = parseS3Url(options.location);
  const timeoutMs = options.timeoutMs ?? DEFAULT_STORE_TIMEOUT_MS;
  const client = options.client ?? createS3Client({ s3: options.s3, requestTimeoutMs: timeoutMs });
  const ownsClient = options.client === undefined;
  const conditional = options.conditionalWrites ?? true;
  const description = `s3://${bucket}/${prefix}`.replace(/\/+$/, '') + (options.s3?.endpoint ? ` at ${new URL(options.s3.endpoint).host}` : '');

  function deadline(caller: AbortSignal | undefined): OperationDeadline {
    const timer = AbortSignal.timeout(timeoutMs);
    return {
      signal: caller ? AbortSignal.any([caller, timer]) : timer,
      timedOut: () => timer.aborted && !caller?.aborted,
    };
  }

  function failure(
    operation: string,
    context: ErrorContext,
    error: unknown,
    signal: AbortSignal | undefined,
    bound: OperationDeadline,
  ): Error {
    if (error instanceof PreconditionFailedError || error instanceof AbortedError || error instanceof StoreError) return error;
    if (signal?.aborted) return new AbortedError({ message: 'store operation aborted', context, cause: signal.reason });
    if (bound.timedOut() || (error as { name?: unknown } | null)?.name === 'TimeoutError') {
      return new StoreTimeoutError({
        message: `index store ${operation} did not answer within ${timeoutMs} ms`,
        context: { ...context, operation, bucket, timeoutMs },
        cause: error,
      });
    }
    const status = s3Status(error);
    const name = s3ErrorName(error);
    return new StoreError({
      message: `index store ${operation} failed${name ? ` (${name})` : ''}`,
      context: { ...context, operation, bucket, ...(status ? { status } : {}) },
      cause: error,
    });
  }

  async function currentEtag(key: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + key }), { abortSignal: signal });
      return head.ETag;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  return {
    description,
    supportsConditionalWrites: conditional,

    async get(key, opts: OperationOptions = {}) {
      assertValidKey(key);
      const { signal } = opts;
      const bound = deadline(signal);
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: prefix + key }), { abortSignal: bound.signal });
        const body = response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
        return {
          body,
          etag: response.ETag ?? `"${createHash('md5').update(body).digest('hex')}"`,
          ...(response.LastModified ? { lastModified: response.LastModified } : {}),
        };
      } catch (error) {
        if (!bound.signal.aborted && isMissing(error)) return undefined;
        throw failure('get', { key }, error, signal, bound);
      }
    },

    async getRange(key, range: RangeOptions) {
      assertValidKey(key);
      assertValidRange(range);
      const { signal, offset, length } = range;
      const bound = deadline(signal);
      try {
        const response = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: prefix + key, Range: `bytes=${offset}-${offset + length - 1}` }),
          { abortSignal: bound.signal },
        );
        const body = response.Body ? await response.Body.transformToByteArray() : new Uint8Array(0);
        // Keep exactly the part asked for, whatever the server sent: one that ignores Range answers
        // the whole object (200, no Content-Range), and some (s3rver for `bytes=0-0`) send more.
        const first = firstByteOf(response.ContentRange) ?? 0;
        const from = Math.max(0, offset - first);
        return from === 0 && body.length <= length ? body : body.slice(from, from + length);
      } catch (error) {
        if (!bound.signal.aborted && isMissing(error)) return undefined;
        if (!bound.signal.aborted && isUnsatisfiableRange(error)) return new Uint8Array(0);
        throw failure('getRange', { key, offset, length }, error, signal, bound);
      }
    },

    async head(key, opts: OperationOptions = {}) {
      assertValidKey(key);
      const { signal } = opts;
      const bound = deadline(signal);
      try {
        const response = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + key }), { abortSignal: bound.signal });
        const info: ObjectInfo = { size: response.ContentLength ?? 0 };
        if (response.ETag) info.etag = response.ETag;
        if (response.LastModified) info.lastModified = response.LastModified;
        return info;
      } catch (error) {
        if (!bound.signal.aborted && isMissing(error)) return undefined;
        throw failure('head', { key }, error, signal, bound);
      }
    },

    async put(key, body, opts: PutOptions = {}) {
      assertValidKey(key);
      const { signal, ifMatch, ifNoneMatch } = opts;
      const context = { key };
      const bound = deadline(signal);
      try {
        if (!conditional && (ifMatch !== undefined || ifNoneMatch === '*')) {
          // Best effort only (see the header): a check, then the write, not one atomic step.
          const current = await currentEtag(key, bound.signal);
          if (ifNoneMatch === '*' && current !== undefined) {
            throw new PreconditionFailedError({ message: `store object already exists: ${key}`, context: { key, etag: current } });
          }
          if (ifMatch !== undefined && current !== ifMatch) {
            throw new PreconditionFailedError({
              message: `store object changed since it was read: ${key}`,
              context: { key, expected: ifMatch, actual: current ?? null },
            });
          }
        }
        const response = await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: prefix + key,
            Body: body,
            ContentLength: body.length,
            ContentType: opts.contentType ?? 'application/octet-stream',
            ...(conditional && ifMatch !== undefined ? { IfMatch: ifMatch } : {}),
            ...(conditional && ifNoneMatch === '*' ? { IfNoneMatch: '*' } : {}),
          }),
          { abortSignal: bound.signal },
        );
        return { etag: response.ETag ?? `"${createHash('md5').update(body).digest('hex')}"` };
      } catch (error) {
        if (!bound.signal.aborted && (isPreconditionFailure(error) || (ifMatch !== undefined && isMissing(error)))) {
          throw new PreconditionFailedError({
            message: `conditional write of ${key} failed: the object changed (or appeared) since it was read`,
            context: { key, ...(ifMatch !== undefined ? { ifMatch } : {}), ...(ifNoneMatch ? { ifNoneMatch } : {}) },
            cause: error,
          });
        }
        throw failure('put', context, error, signal, bound);
      }
    },

    async list(listPrefix, opts: OperationOptions = {}) {
      assertValidPrefix(listPrefix);
      const { signal } = opts;
      const bound = deadline(signal);
      const out: ListedObject[] = [];
      try {
        let token: string | undefined;
        do {
          const page: ListObjectsV2CommandOutput = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix + listPrefix, ContinuationToken: token }),
            { abortSignal: bound.signal },
          );
          for (const item of page.Contents ?? []) {
            if (item.Key === undefined || !item.Key.startsWith(prefix)) continue;
            const key = item.Key.slice(prefix.length);
            // Objects written by other tools under names our keys cannot have are not ours.
            if (key === '' || key.endsWith('/') || key.split('/').some((s) => s.startsWith('.'))) continue;
            out.push({
              key,
              size: item.Size ?? 0,
              ...(item.ETag ? { etag: item.ETag } : {}),
              ...(item.LastModified ? { lastModified: item.LastModified } : {}),
            });
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      } catch (error) {
        throw failure('list', { prefix: listPrefix }, error, signal, bound);
      }
      return out.sort((a, b) => compareKeys(a.key, b.key));
    },

    async delete(key, opts: OperationOptions = {}) {
      assertValidKey(key);
      const { signal } = opts;
      const bound = deadline(signal);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + key }), { abortSignal: bound.signal });
      } catch (error) {
        if (!bound.signal.aborted && isMissing(error)) return;
        throw failure('delete', { key }, error, signal, bound);
      }
    },

    async ping(opts: OperationOptions = {}) {
      const { signal } = opts;
      const bound = deadline(signal);
      try {
        // A one-key listing of our own prefix: proves the endpoint answers, the bucket exists
        // and we may read where the indexes live (HeadBucket would not check the prefix).
        await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1 }), { abortSignal: bound.signal });
      } catch (error) {
        throw failure('ping', {}, error, signal, bound);
      }
    },

    async close() {
      if (ownsClient) client.destroy();
    },
  };
}

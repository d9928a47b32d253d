/**
 * `createBlobStore({ location, s3 })`: the index store named by ARGO_INDEX_STORE, a local
 * directory or `s3://bucket/prefix`.
 *
 *     const store = createBlobStore({ location: config.store.location, s3: config.s3 });
 *
 * `conditionalWrites` (S3 only) overrides whether the backend enforces If-Match /
 * If-None-Match: leave it unset for AWS (true); set `false` for s3rver and other S3-compatible
 * stores that ignore them, so `supportsConditionalWrites` tells callers the truth (see
 * s3-blob-store.ts for the best-effort check the store then does).
 */
import { fileURLToPath } from 'node:url';
import { createLocalBlobStore } from './local-blob-store.js';
import { createS3BlobStore } from './s3-blob-store.js';
import { isS3Url, type S3Settings } from './s3-client.js';
import type { BlobStore } from './types.js';

export interface BlobStoreOptions {
  /** A local directory, or `s3://bucket[/prefix]`. */
  location: string;
  /** The config's `s3` section (endpoint, path style, region, credentials); S3 only. */
  s3?: S3Settings;
  /** S3 only: whether the backend enforces conditional writes (default true). */
  conditionalWrites?: boolean;
  /** S3 only: deadline of one operation, every attempt included (ARGO_STORE_TIMEOUT_SECONDS; default 10 s). */
  timeoutMs?: number;
  /** Local only: cross-process lock timings (defaults 30 s stale, 10 s wait). */
  lockStaleMs?: number;
  lockTimeoutMs?: number;
}

export function createBlobStore(options: BlobStoreOptions): BlobStore {
  if (isS3Url(options.location)) {
    return createS3BlobStore({
      location: options.location,
      s3: options.s3,
      ...(options.conditionalWrites !== undefined ? { conditionalWrites: options.conditionalWrites } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }
  return createLocalBlobStore({
    root: options.location.startsWith('file://') ? fileURLToPath(options.location) : options.location,
    lockStaleMs: options.lockStaleMs,
    lockTimeoutMs: options.lockTimeoutMs,
  });
}

/**
 * The index store contract (month indexes, master index, build records).
 *
 * - `get` resolves `undefined` when the object does not exist and throws `StoreError` for anything
 *   else (network, permissions, a corrupt local file system). Backend quirks (S3 NoSuchKey,
 *   ENOENT) are translated inside each adapter.
 * - `put` is atomic for readers: they see the old bytes or the new bytes, never a mix.
 * - Conditional writes: `ifMatch` (the etag last read) and `ifNoneMatch: '*'` (create only) throw
 *   `PreconditionFailedError` when the condition fails, on backends that enforce them
 *   (`supportsConditionalWrites`). A backend that cannot enforce them says so, and callers must
 *   stay safe without them (immutable objects, read-back verification, healing from listings).
 * - Every operation takes an optional AbortSignal.
 */

export interface StoredObject {
  body: Uint8Array;
  /** Opaque version tag: pass back as `ifMatch` to update exactly this version. */
  etag: string;
  /** Last modification time, when the backend knows it. */
  lastModified?: Date;
}

export interface PutOptions {
  signal?: AbortSignal;
  contentType?: string;
  /** Write only when the current object has this etag. */
  ifMatch?: string;
  /** `'*'`: write only when the object does not exist yet. */
  ifNoneMatch?: '*';
}

export interface OperationOptions {
  signal?: AbortSignal;
}

export interface ListedObject {
  key: string;
  size: number;
  etag?: string;
  lastModified?: Date;
}

export interface BlobStore {
  /** A human description for logs and /readyz (never includes credentials). */
  readonly description: string;
  /** Whether ifMatch / ifNoneMatch are enforced by this backend. */
  readonly supportsConditionalWrites: boolean;
  get(key: string, options?: OperationOptions): Promise<StoredObject | undefined>;
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<{ etag: string }>;
  /** Keys under a prefix ('' for all), in lexicographic order. */
  list(prefix: string, options?: OperationOptions): Promise<ListedObject[]>;
  /** Deleting a missing object is not an error. */
  delete(key: string, options?: OperationOptions): Promise<void>;
  /** Cheap reachability check for /readyz; throws StoreError when unreachable. */
  ping(options?: OperationOptions): Promise<void>;
  close?(): Promise<void>;
}

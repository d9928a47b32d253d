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
 * - Ranged reads: `getRange` reads part of an object (a positioned read of the local file, a
 *   ranged GET on S3), so a reader can fetch a data pack's footer and then only the row groups a
 *   query needs. Like `get`, it resolves `undefined` when the object does not exist. `head` gives
 *   an object's size without its bytes.
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

/** Bytes `[offset, offset + length)` of an object (`getRange`). */
export interface RangeOptions extends OperationOptions {
  /** First byte (0-based, integer ≥ 0). */
  offset: number;
  /** Bytes wanted (integer ≥ 1). */
  length: number;
}

/** What `head` knows about an object without reading it. */
export interface ObjectInfo {
  /** Size in bytes. */
  size: number;
  /** The backend's version tag when it gives one cheaply (S3's ETag; none on the local store). */
  etag?: string;
  lastModified?: Date;
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
  /**
   * Bytes `[offset, offset + length)` of the object: fewer when the object ends sooner (none when
   * `offset` is at or past its end), `undefined` when it does not exist. A bad offset or length
   * is a caller bug (`RangeError`). Immutable objects (packs) make several ranged reads of one
   * object consistent; for a key that is overwritten, two reads may see two versions.
   */
  getRange(key: string, options: RangeOptions): Promise<Uint8Array | undefined>;
  /** Size (and etag, time when cheap) of the object, `undefined` when it does not exist. */
  head(key: string, options?: OperationOptions): Promise<ObjectInfo | undefined>;
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<{ etag: string }>;
  /** Keys under a prefix ('' for all), in lexicographic order. */
  list(prefix: string, options?: OperationOptions): Promise<ListedObject[]>;
  /** Deleting a missing object is not an error. */
  delete(key: string, options?: OperationOptions): Promise<void>;
  /** Cheap reachability check for /readyz; throws StoreError when unreachable. */
  ping(options?: OperationOptions): Promise<void>;
  close?(): Promise<void>;
}

/** The storage module's public surface: the index store factory and the contract types. */
export { createBlobStore, type BlobStoreOptions } from './create-blob-store.js';
export { createLocalBlobStore, type LocalBlobStoreOptions } from './local-blob-store.js';
export { createS3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.js';
export { parseS3Url, isS3Url, type S3Settings } from './s3-client.js';
export { updateObject, type ObjectCodec, type UpdateObjectOptions, type UpdateOutcome } from './read-modify-write.js';
export { withReadRetry, type ReadRetryOptions } from './with-read-retry.js';
export type { BlobStore, ListedObject, ObjectInfo, OperationOptions, PutOptions, RangeOptions, StoredObject } from './types.js';
export { withKeyPrefix } from './with-key-prefix.js';

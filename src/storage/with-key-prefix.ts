/**
 * `withKeyPrefix(store, 'bgc/')`: a view of an index store where every key lives under a prefix.
 * Another dataset's months and master index then sit beside the core ones in the same store with
 * the same code (master.ts, catalog.ts, the builder), and never in their key space: the core
 * index's `months/` listing and `master_index.json` are untouched, so stores built before keep
 * reading as they did.
 */
import { assertValidPrefix } from './keys.js';
import type { BlobStore } from './types.js';

export function withKeyPrefix(store: BlobStore, prefix: string): BlobStore {
  assertValidPrefix(prefix);
  if (!prefix.endsWith('/')) throw new TypeError(`key prefix must end with '/': ${JSON.stringify(prefix)}`);
  return {
    description: `${store.description} (${prefix})`,
    supportsConditionalWrites: store.supportsConditionalWrites,
    get: (key, options) => store.get(prefix + key, options),
    getRange: (key, range) => store.getRange(prefix + key, range),
    head: (key, options) => store.head(prefix + key, options),
    put: (key, body, options) => store.put(prefix + key, body, options),
    list: async (sub, options) => (await store.list(prefix + sub, options)).map((o) => ({ ...o, key: o.key.slice(prefix.length) })),
    delete: (key, options) => store.delete(prefix + key, options),
    ping: (options) => store.ping(options),
    // The underlying store is closed by its owner, not by a view of it.
  };
}

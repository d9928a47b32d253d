/**
 * The one conditional read-modify-write (storage/read-modify-write.ts), on a store that ignores
 * conditions as s3rver does: every write is read back, and an update another writer overwrote is
 * made again, for any object (JSON here) and for the undated registry, which skipped the check.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { PreconditionFailedError } from '../../src/errors.js';
import { UNDATED_KEY } from '../../src/month-index/months.js';
import { mergeUndated, readUndated } from '../../src/month-index/undated.js';
import { updateObject, type ObjectCodec } from '../../src/storage/read-modify-write.js';
import type { BlobStore } from '../../src/storage/types.js';
import { localStore } from '../month-index/helpers.js';

/**
 * A store without conditional writes (conditions ignored) where another writer, right after our
 * next `times` writes of a key, puts its own bytes over them.
 */
function racingStore(inner: BlobStore): BlobStore & { overwriteAfterNextPut(key: string, body: () => Promise<Uint8Array>, times?: number): void; puts: number } {
  let race: { key: string; body: () => Promise<Uint8Array>; times: number } | undefined;
  const store = {
    description: 'racing',
    supportsConditionalWrites: false,
    puts: 0,
    overwriteAfterNextPut(key: string, body: () => Promise<Uint8Array>, times = 1) {
      race = { key, body, times };
    },
    get: (key: string, options?: { signal?: AbortSignal }) => inner.get(key, options),
    getRange: inner.getRange.bind(inner),
    head: inner.head.bind(inner),
    list: inner.list.bind(inner),
    delete: inner.delete.bind(inner),
    ping: inner.ping.bind(inner),
    async put(key: string, body: Uint8Array, options: { signal?: AbortSignal; contentType?: string } = {}) {
      store.puts++;
      const written = await inner.put(key, body, { signal: options.signal, contentType: options.contentType });
      if (race && race.key === key && race.times > 0) {
        race.times--;
        await inner.put(key, await race.body());
      }
      return written;
    },
  };
  return store;
}

const json: ObjectCodec<string[]> = {
  decode: (bytes) => JSON.parse(Buffer.from(bytes).toString('utf8')) as string[],
  encode: (value) => new Uint8Array(Buffer.from(JSON.stringify(value))),
  empty: () => [],
};

async function racing(t: TestContext) {
  const { store: inner } = await localStore(t);
  return { inner, store: racingStore(inner) };
}

test('an update another writer overwrote is read back, found missing and made again', async (t) => {
  const { inner, store } = await racing(t);
  await inner.put('shared.json', json.encode(['theirs-1']) as Uint8Array);
  store.overwriteAfterNextPut('shared.json', async () => json.encode(['theirs-1', 'theirs-2']) as Uint8Array);
  const outcome = await updateObject({
    store,
    key: 'shared.json',
    codec: json,
    mutate: (list) => (list.includes('ours') ? false : (list.push('ours'), true)),
    backoffMs: 1,
  });
  assert.equal(outcome.written, true);
  assert.deepEqual(json.decode((await inner.get('shared.json'))!.body), ['theirs-1', 'theirs-2', 'ours'], 'both writers’ changes');
  assert.equal(store.puts, 2, 'written, overwritten, written again');
});

test('an update that keeps being overwritten fails with PreconditionFailedError after its attempts', async (t) => {
  const { store } = await racing(t);
  store.overwriteAfterNextPut('shared.json', async () => json.encode(['theirs']) as Uint8Array, 100);
  await assert.rejects(
    updateObject({ store, key: 'shared.json', codec: json, mutate: (list) => (list.includes('ours') ? false : (list.push('ours'), true)), attempts: 3, backoffMs: 1 }),
    PreconditionFailedError,
  );
  assert.equal(store.puts, 3);
});

test('the undated registry is read back too: what a build learnt survives another writer', async (t) => {
  const { inner, store } = await racing(t);
  // The other writer's registry, as its own build wrote it.
  const { store: elsewhere } = await localStore(t);
  await mergeUndated({
    store: elsewhere,
    updates: new Map([['kma/1/profiles/R1_001.nc', { dateUpdate: '20240101000000', month: '2015-05' }]]),
    current: new Set(['kma/1/profiles/R1_001.nc', 'kma/2/profiles/R2_001.nc']),
  });
  const theirs = (await elsewhere.get(UNDATED_KEY))!.body;
  store.overwriteAfterNextPut(UNDATED_KEY, async () => theirs);
  await mergeUndated({
    store,
    updates: new Map([['kma/2/profiles/R2_001.nc', { dateUpdate: '20240202000000', month: '2016-06' }]]),
    current: new Set(['kma/1/profiles/R1_001.nc', 'kma/2/profiles/R2_001.nc']),
    random: () => 0,
  });
  const registry = await readUndated(inner);
  assert.deepEqual(Object.fromEntries(registry.entries), {
    'kma/1/profiles/R1_001.nc': { dateUpdate: '20240101000000', month: '2015-05' },
    'kma/2/profiles/R2_001.nc': { dateUpdate: '20240202000000', month: '2016-06' },
  });
  assert.equal(store.puts, 2);
});

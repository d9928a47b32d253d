/**
 * Test helpers for the month-index tests: a GDAC source on a test mirror with tiny back-offs, a
 * local store in a temp dir, the shared sample's reference, and a store wrapper that counts and
 * can fail operations.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../src/errors.js';
import { EXCLUSION } from '../../src/month-index/builder.js';
import type { ReferenceProfile } from '../kit/reference.js';
import type { MonthIndex } from '../../src/month-index/types.js';
import { createGdacSource } from '../../src/gdac/index.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { createBlobStore } from '../../src/storage/index.js';
import type { BlobStore } from '../../src/storage/types.js';

export async function tempDir(t: Pick<TestContext, 'after'>, prefix = 'month-index-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function localStore(t: Pick<TestContext, 'after'>): Promise<{ store: BlobStore; dir: string }> {
  const dir = await tempDir(t, 'store-');
  return { store: createBlobStore({ location: dir }), dir };
}

/** A GDAC source over HTTP mirrors or a directory, with test-sized retries. */
export function testGdac(t: Pick<TestContext, 'after'>, roots: string[], workers = 8): GdacSource {
  const gdac = createGdacSource({
    roots,
    downloadWorkers: workers,
    maxRetries: 1,
    retryBackoffMs: 1,
    maxBackoffMs: 5,
    timeoutMs: 5000,
    mirrorCooldownMs: 1,
    wholeObjectCacheBytes: 0,
  });
  t.after(() => gdac.close());
  return gdac;
}

export function monthOfMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}


export interface CountingStore extends BlobStore {
  counts: { get: number; put: number; list: number; delete: number };
  /** Make the next N gets of keys matching `pattern` throw a StoreError. */
  failGets(pattern: RegExp, times: number): void;
}

/** Wraps a store: counts operations and can fail reads. */
export function countingStore(inner: BlobStore): CountingStore {
  const counts = { get: 0, put: 0, list: 0, delete: 0 };
  let failing: { pattern: RegExp; times: number } | undefined;
  return {
    get description() {
      return inner.description;
    },
    get supportsConditionalWrites() {
      return inner.supportsConditionalWrites;
    },
    counts,
    failGets(pattern, times) {
      failing = { pattern, times };
    },
    async get(key, options) {
      counts.get++;
      if (failing && failing.times > 0 && failing.pattern.test(key)) {
        failing.times--;
        throw new StoreError({ message: 'scripted store failure', context: { key } });
      }
      return inner.get(key, options);
    },
    getRange: (key, range) => inner.getRange(key, range),
    head: (key, options) => inner.head(key, options),
    async put(key, body, options) {
      counts.put++;
      return inner.put(key, body, options);
    },
    async list(prefix, options) {
      counts.list++;
      return inner.list(prefix, options);
    },
    async delete(key, options) {
      counts.delete++;
      return inner.delete(key, options);
    },
    ping: (options) => inner.ping(options),
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}

/** Everything in a store: key → bytes (to compare before/after). */
export async function snapshotStore(store: BlobStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const o of await store.list('')) {
    const object = await store.get(o.key);
    if (object) out.set(o.key, Buffer.from(object.body).toString('base64'));
  }
  return out;
}

export const silentLogger = {
  info() {},
  warn() {},
  debug() {},
  error() {},
};

/** Checks every reference profile against the built months. */
export function checkAgainstReference(reference: Record<string, ReferenceProfile>, months: Map<string, MonthIndex>): void {
  for (const [id, ref] of Object.entries(reference)) {
    assert.ok(ref.time_ms !== null, `${id} has a time in the sample`);
    const month = months.get(monthOfMs(ref.time_ms));
    assert.ok(month, `${id}: month ${monthOfMs(ref.time_ms)} built`);
    const i = month.id.indexOf(id);
    if (ref.latitude === null || ref.longitude === null) {
      assert.equal(i, -1, `${id} (no position) is not listed`);
      assert.deepEqual(month.excluded.find((e) => e.id === id)?.reason, EXCLUSION.noPosition, `${id} is recorded as excluded`);
      continue;
    }
    assert.ok(i >= 0, `${id} is in ${month.month}`);
    assert.equal(month.time[i], ref.time_ms, `${id} time`);
    assert.ok(Math.abs(month.latitude[i] - ref.latitude) < 1e-9, `${id} latitude`);
    assert.ok(Math.abs(month.longitude[i] - ref.longitude) < 1e-9, `${id} longitude`);
    assert.equal(month.platform[i], ref.platform_number, `${id} platform`);
    assert.equal(month.cycle[i], ref.cycle_number, `${id} cycle`);
    assert.equal(month.direction[i], ref.direction, `${id} direction`);
    assert.equal(month.dataMode[i], ref.data_mode, `${id} data mode`);
    assert.equal(month.positionQc[i], ref.position_qc, `${id} position QC`);
    assert.equal(month.juldQc[i], ref.juld_qc, `${id} JULD QC`);
    const layout = month.layouts[month.layout[i]];
    assert.ok(layout.variables.PRES && layout.variables.TEMP, `${id} has PRES and TEMP slots`);
    assert.ok(month.base[i] > 0 && month.base[i] + layout.variables.PRES.rel + layout.variables.PRES.length <= month.size[i], `${id} slots inside the file`);
  }
}


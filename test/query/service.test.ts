/**
 * The query service over in-memory month indexes of the shared sample and a fake GDAC reading
 * the sample's files: numbers against reference.json in every mode and on every kind of levels,
 * and the read pipeline's behaviour (ranges, cache, look-ahead, failures, cancellation).
 */
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { QcMode } from '../../src/argo/types.js';
import { isAbortError, UpstreamError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { createQueryService } from '../../src/query/service.js';
import type { EncodedProfile, OutputProfile, ProfileQuery } from '../../src/query/types.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { createFakeGdac, createMemoryCatalog, indexFiles, readSampleFiles, type FileEntry } from './fixtures.js';
import { compareProfile, includedIds, loadReference, type LevelKind, type Reference } from '../kit/reference.js';

const logger = createLogger({ logLevel: 'silent' });

interface Sample {
  files: FileEntry[];
  reference: Reference;
}
let cached: Promise<Sample> | undefined;
async function sample(t: TestContext): Promise<Sample | undefined> {
  const dir = skipWithoutShared(t);
  if (!dir) return undefined;
  cached ??= (async () => ({ files: await readSampleFiles(dir), reference: await loadReference(dir) }))();
  return cached;
}

function setup(files: FileEntry[], options: { concurrency?: number; cacheBytes?: number } = {}) {
  const months = indexFiles(files);
  const catalog = createMemoryCatalog(months);
  const gdac = createFakeGdac(files);
  const service = createQueryService({
    catalog,
    gdac,
    profileCacheBytes: options.cacheBytes ?? 64 << 20,
    concurrency: options.concurrency ?? 8,
    logger,
  });
  return { months, catalog, gdac, service };
}

function allTime(overrides: Partial<ProfileQuery> = {}): ProfileQuery {
  return {
    startMs: Date.parse('1997-01-01T00:00:00Z'),
    endMs: Date.parse('2024-01-01T00:00:00Z'),
    vertical: 'depth',
    variables: ['TEMP', 'PSAL', 'PRES'],
    mode: 'standard',
    maxProfiles: 1000,
    ...overrides,
  };
}

/** The profiles of a result, checking on the way that each one's JSON text is its exact encoding. */
async function collect(iterable: AsyncIterable<EncodedProfile>): Promise<OutputProfile[]> {
  const out: OutputProfile[] = [];
  for await (const { profile, json } of iterable) {
    assert.equal(json, JSON.stringify(profile));
    out.push(profile);
  }
  return out;
}

/** Waits, turn by turn of the event loop (never a timer), until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const signal = () => new AbortController().signal;

describe('agrees with reference.json', () => {
  const modes: QcMode[] = ['standard', 'research', 'expert'];
  const kinds: LevelKind[] = ['depth', 'pressure', 'native'];
  for (const mode of modes) {
    for (const kind of kinds) {
      test(`${mode} on ${kind} levels`, async (t) => {
        const s = await sample(t);
        if (!s) return;
        const { service } = setup(s.files);
        const query = allTime({
          mode,
          vertical: kind === 'pressure' ? 'pressure' : 'depth',
          ...(kind === 'native' ? {} : { levels: s.reference.levels }),
        });
        const result = await service.run(query, { signal: signal() });
        const profiles = await collect(result.profiles);
        const expected = includedIds(s.reference, mode);
        assert.deepEqual(profiles.map((p) => p.id), expected);
        assert.equal(result.matched, expected.length);
        assert.equal(result.truncated, false);
        let values = 0;
        for (const p of profiles) values += compareProfile(s.reference, p, mode, kind);
        t.diagnostic(`${profiles.length} profiles, ${values} values compared`);
        assert.ok(values > 0);
      });
    }
  }
});

describe('the read pipeline', () => {
  test('the plan is known before any profile is read; reading starts on iteration', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service, gdac, catalog } = setup(s.files);
    const result = await service.run(allTime({ startMs: Date.parse('2018-01-01'), endMs: Date.parse('2019-01-01'), maxProfiles: 3 }), { signal: signal() });
    assert.equal(gdac.requests.length, 0);
    assert.equal(result.truncated, true);
    assert.ok(result.matched > 3);
    assert.deepEqual(catalog.loads, Array.from({ length: 12 }, (_, i) => `2018-${String(i + 1).padStart(2, '0')}`));
    const profiles = await collect(result.profiles);
    assert.equal(profiles.length, 3);
  });

  test('months without an index are reported', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service } = setup(s.files);
    const result = await service.run(allTime({ startMs: Date.parse('2023-03-01'), endMs: Date.parse('2023-07-01') }), { signal: signal() });
    // The sample has profiles in March and April 2023 only.
    assert.deepEqual(result.monthsMissing, ['2023-05', '2023-06']);
  });

  test('reads only the rows the mode needs: a few ranged requests, a fraction of the file', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service, gdac } = setup(s.files);
    const result = await service.run(allTime({ mode: 'standard', variables: ['TEMP'] }), { signal: signal() });
    const profiles = await collect(result.profiles);
    const fileBytes = new Map(s.files.map((f) => [`dac/${f.id}`, f.bytes.length]));
    const requested = gdac.requests.reduce((n, r) => n + r.range!.length, 0);
    const total = profiles.reduce((n, p) => n + fileBytes.get(`dac/${p.id}`)!, 0);
    t.diagnostic(`${gdac.requests.length} requests for ${profiles.length} profiles, ${requested} of ${total} bytes`);
    assert.ok(gdac.requests.length <= profiles.length * 2, `${gdac.requests.length} requests`);
    assert.ok(requested < total / 3, `${requested} bytes of ${total}`);
    for (const r of gdac.requests) assert.ok(r.range && r.range.length > 0 && r.range.offset > 0);
  });

  test('a repeated query is served from the cache: no GDAC request', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service, gdac } = setup(s.files);
    const query = allTime({ mode: 'expert', levels: s.reference.levels });
    const first = await collect((await service.run(query, { signal: signal() })).profiles);
    const before = gdac.requests.length;
    assert.ok(before > 0);
    const second = await collect((await service.run(query, { signal: signal() })).profiles);
    assert.equal(gdac.requests.length, before);
    assert.deepEqual(second, first);
    // The repeat is served whole from the output cache: no level read, no computation.
    assert.ok(service.outputCacheStats().hits >= second.length);
  });

  test('with the output cache off, a repeat is served from the level cache', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const months = indexFiles(s.files);
    const gdac = createFakeGdac(s.files);
    const service = createQueryService({
      catalog: createMemoryCatalog(months),
      gdac,
      profileCacheBytes: 64 << 20,
      outputCacheBytes: 0,
      concurrency: 8,
      logger,
    });
    const query = allTime({ mode: 'expert', levels: s.reference.levels });
    const first = await collect((await service.run(query, { signal: signal() })).profiles);
    const before = gdac.requests.length;
    const second = await collect((await service.run(query, { signal: signal() })).profiles);
    assert.equal(gdac.requests.length, before);
    assert.deepEqual(second, first);
    assert.ok(service.cacheStats().hits >= second.length);
    assert.equal(service.outputCacheStats().entries, 0);
  });

  test('the output cache keys on the query shape: another shape computes anew, same values as uncached', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service } = setup(s.files);
    const uncached = setup(s.files, { cacheBytes: 0 }).service;
    for (const query of [
      allTime({ mode: 'standard', levels: s.reference.levels }),
      allTime({ mode: 'standard', levels: s.reference.levels, vertical: 'pressure' }),
      allTime({ mode: 'standard' }),
      allTime({ mode: 'research', variables: ['PSAL', 'TEMP'] }),
      allTime({ mode: 'standard', levels: s.reference.levels }),
    ]) {
      const got = await collect((await service.run(query, { signal: signal() })).profiles);
      const want = await collect((await uncached.run(query, { signal: signal() })).profiles);
      assert.deepEqual(got, want);
      assert.deepEqual(got.map((p) => JSON.stringify(p)), want.map((p) => JSON.stringify(p)));
    }
    assert.ok(service.outputCacheStats().hits > 0);
  });

  test('bounded requests in flight', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service, gdac } = setup(s.files, { concurrency: 3, cacheBytes: 0 });
    gdac.latencyMs = 5;
    await collect((await service.run(allTime({ mode: 'expert' }), { signal: signal() })).profiles);
    assert.ok(gdac.maxInFlight <= 3, `max in flight ${gdac.maxInFlight}`);
    assert.ok(gdac.maxInFlight >= 2, 'reads overlap');
  });

  test('an upstream failure is thrown after the profiles before it, in order; outstanding reads are cancelled', async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service, gdac } = setup(s.files, { concurrency: 4 });
    const query = allTime({ mode: 'expert', startMs: Date.parse('2018-01-01'), endMs: Date.parse('2019-01-01') });
    const order = includedIds(s.reference, 'expert').filter((id) => {
      const ms = s.reference.profiles[id].time_ms!; // included profiles have a time
      return ms >= query.startMs && ms < query.endMs;
    });
    const failing = order[3];
    gdac.fail((path) => path === `dac/${failing}`, () => new UpstreamError({ message: 'mirror down' }));
    gdac.stall((path) => order.slice(4).some((id) => path === `dac/${id}`));
    const result = await service.run(query, { signal: signal() });
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const { profile } of result.profiles) seen.push(profile.id);
      })(),
      (error) => error instanceof UpstreamError && error.message === 'mirror down',
    );
    assert.deepEqual(seen, order.slice(0, 3));
    // The stalled reads end only by being aborted: waiting for none in flight proves they were.
    const stalled = gdac.requests.filter((r) => order.slice(4).some((id) => r.path === `dac/${id}`)).length;
    assert.ok(stalled >= 1, 'reads beyond the failure had started (look-ahead)');
    await until(() => gdac.inFlight === 0);
    assert.equal(gdac.aborted, stalled, 'every stalled read was aborted');
  });

  test("the caller's signal cancels outstanding reads", async (t) => {
    const s = await sample(t);
    if (!s) return;
    const { service, gdac } = setup(s.files, { concurrency: 4 });
    gdac.stall(() => true);
    const controller = new AbortController();
    const result = await service.run(allTime({ mode: 'expert' }), { signal: controller.signal });
    const iteration = collect(result.profiles);
    // Look-ahead: the first `concurrency` reads start (and stall) before anything is yielded.
    await until(() => gdac.inFlight === 4);
    controller.abort();
    await assert.rejects(iteration, (error) => isAbortError(error));
    await until(() => gdac.inFlight === 0);
    assert.equal(gdac.aborted, 4, 'each outstanding read was aborted');
    assert.equal(gdac.requests.length, 4, 'nothing was read after the abort');
  });

  test('an already aborted signal fails at once: no month loaded, nothing read', async () => {
    const { service, catalog, gdac } = setup([]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(service.run(allTime(), { signal: controller.signal }), (error) => isAbortError(error));
    assert.deepEqual(catalog.loads, []);
    assert.equal(gdac.requests.length, 0);
  });
});

import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { AbortedError, UpstreamError } from '../../src/errors.js';
import { createProfileResponder } from '../../src/http/profile-responder.js';
import { responseCacheKey } from '../../src/http/response-cache.js';
import { encodeProfile } from '../../src/query/output-cache.js';
import { markProvisional } from '../../src/query/provisional.js';
import type { OutputProfile, ProfileQuery, QueryResult, QueryService } from '../../src/query/types.js';

const QUERY: ProfileQuery = {
  startMs: Date.UTC(2024, 0, 1),
  endMs: Date.UTC(2024, 0, 2),
  levels: [0, 10],
  vertical: 'depth',
  variables: ['TEMP'],
  mode: 'standard',
  maxProfiles: 10,
};

function profile(i: number): OutputProfile {
  return {
    id: `aoml/1/profiles/R1_00${i}.nc`,
    platform_number: '1',
    cycle_number: i,
    direction: 'A',
    data_mode: 'R',
    time: new Date(QUERY.startMs + i * 1000).toISOString(),
    latitude: 1,
    longitude: 2,
    depth: [0, 10],
    TEMP: [20 + i, 19 + i],
  };
}

/** A query service whose answers are scripted; counts how many bodies were computed. */
function scripted(
  options: {
    monthKeys?: () => string[];
    failAfter?: number;
    failWith?: () => Error;
    provisional?: number;
    count?: number;
    /** Before profile `holdAt`, wait for `hold` (a body still being sent). */
    holdAt?: number;
    hold?: Promise<void>;
  } = {},
) {
  const stats = { runs: 0, iterated: 0 };
  const service: QueryService = {
    async run(query) {
      stats.runs++;
      const n = options.count ?? 3;
      const profiles = (async function* () {
        stats.iterated++;
        for (let i = 0; i < n; i++) {
          if (i === options.holdAt) await options.hold;
          if (options.failAfter !== undefined && i === options.failAfter) {
            throw options.failWith?.() ?? new UpstreamError({ message: 'mirror down' });
          }
          yield encodeProfile(i === options.provisional ? markProvisional(profile(i)) : profile(i));
        }
      })();
      const result: QueryResult = { matched: n, truncated: false, monthsMissing: [], monthKeys: options.monthKeys?.() ?? ['months/2024/2024-01.a.json.zst'], query, profiles };
      return result;
    },
  };
  return { service, stats };
}

const options = () => ({ format: 'ndjson' as const, signal: new AbortController().signal });

test('a repeated query is answered from the response cache, byte for byte, without computing', async () => {
  const { service, stats } = scripted();
  const responder = createProfileResponder({ query: service, cacheBytes: 1024 * 1024 });
  const first = await responder.respond(QUERY, options());
  const firstBody = await text(first.body);
  assert.equal(first.cached, false);
  await new Promise((r) => setImmediate(r));
  const second = await responder.respond(QUERY, options());
  assert.equal(second.cached, true);
  assert.equal(await text(second.body), firstBody);
  assert.equal(firstBody.trim().split('\n').length, 3);
  assert.equal(stats.iterated, 1, 'the second body was not computed');
  assert.deepEqual([second.matched, second.truncated, second.monthsMissing], [3, false, []]);
  assert.equal(responder.cacheStats().hits, 1);
});

test('a rebuilt month (a new month key) or another format is a new answer', async () => {
  let key = 'months/2024/2024-01.a.json.zst';
  const { service, stats } = scripted({ monthKeys: () => [key] });
  const responder = createProfileResponder({ query: service, cacheBytes: 1024 * 1024 });
  await text((await responder.respond(QUERY, options())).body);
  key = 'months/2024/2024-01.b.json.zst';
  assert.equal((await responder.respond(QUERY, options())).cached, false);
  const csv = await responder.respond(QUERY, { ...options(), format: 'csv' });
  assert.equal(csv.cached, false);
  assert.notEqual(
    responseCacheKey(QUERY, 'ndjson', ['k']),
    responseCacheKey({ ...QUERY, levels: [0, 20] }, 'ndjson', ['k']),
    'the levels are part of the key',
  );
  assert.ok(stats.runs >= 3);
});

test('a body that failed mid-stream is not cached', async () => {
  const { service, stats } = scripted({ failAfter: 1 });
  const errors: unknown[] = [];
  const responder = createProfileResponder({ query: service, cacheBytes: 1024 * 1024 });
  const first = await text((await responder.respond(QUERY, { ...options(), onError: (e: unknown) => errors.push(e) })).body);
  assert.match(first.trim().split('\n').at(-1)!, /^\{"error":\{"status":502/);
  assert.equal(errors.length, 1);
  await new Promise((r) => setImmediate(r));
  const again = await responder.respond(QUERY, options());
  assert.equal(again.cached, false);
  await text(again.body);
  assert.equal(stats.iterated, 2);
});

test('with a zero budget nothing is cached; a body over the entry limit is not kept', async () => {
  const off = createProfileResponder({ query: scripted().service, cacheBytes: 0 });
  await text((await off.respond(QUERY, options())).body);
  assert.equal((await off.respond(QUERY, options())).cached, false);

  const small = createProfileResponder({ query: scripted({ count: 200 }).service, cacheBytes: 4096 });
  await text((await small.respond(QUERY, options())).body);
  await new Promise((r) => setImmediate(r));
  assert.equal((await small.respond(QUERY, options())).cached, false);
  assert.equal(small.cacheStats().entries, 0);
});

test('a body whose profiles stopped early without an error line is not cached (an abort-like failure, the client still there)', async () => {
  // The serializer ends a body quietly on abort-like errors (a hang-up needs no error line): if
  // such an error came from upstream while the client stayed, the short body must not be kept.
  const { service, stats } = scripted({ failAfter: 2, failWith: () => new AbortedError({ message: 'an inner read was aborted' }) });
  const responder = createProfileResponder({ query: service, cacheBytes: 1024 * 1024 });
  const short = await text((await responder.respond(QUERY, options())).body);
  assert.equal(short.trim().split('\n').length, 2);
  await new Promise((r) => setImmediate(r));
  assert.equal(responder.cacheStats().entries, 0);
  await text((await responder.respond(QUERY, options())).body);
  assert.equal(stats.iterated, 2);
});

test('a body holding a provisional profile (a GDAC file changed since its month was built) is served, not cached', async () => {
  const { service, stats } = scripted({ provisional: 1 });
  const responder = createProfileResponder({ query: service, cacheBytes: 1024 * 1024 });
  const body = await text((await responder.respond(QUERY, options())).body);
  assert.equal(body.trim().split('\n').length, 3);
  await new Promise((r) => setImmediate(r));
  assert.equal(responder.cacheStats().entries, 0);
  const again = await responder.respond(QUERY, options());
  assert.equal(again.cached, false);
  assert.equal(await text(again.body), body);
  assert.equal(stats.iterated, 2);
});

test('copies of bodies still being sent hold, together, at most the cache size; each is released when its body ends', async () => {
  // A 64 KiB cache: each copy stops at 16 KiB (the entry cap), all copies together at 64 KiB.
  let release!: () => void;
  const hold = new Promise<void>((resolve) => (release = resolve));
  const { service } = scripted({ count: 60, holdAt: 50, hold });
  const responder = createProfileResponder({ query: service, cacheBytes: 64 * 1024 });
  // Ten different answers (~9 KiB sent of each, ~11 KiB in all), each waiting on its last profiles:
  // slow upstreams or clients, their copies growing meanwhile.
  const bodies = [];
  for (let i = 0; i < 10; i++) bodies.push((await responder.respond({ ...QUERY, maxProfiles: 100 + i }, options())).body);
  const reads = bodies.map((body) => text(body));
  await new Promise((r) => setTimeout(r, 50));
  const copying = responder.cacheStats().copying;
  assert.ok(copying > 0, 'copies are being made');
  assert.ok(copying <= 64 * 1024, `${copying} bytes of copies in progress for a 64 KiB cache`);

  release();
  const sent = await Promise.all(reads);
  await new Promise((r) => setImmediate(r));
  assert.ok(sent.every((b) => b.trim().split('\n').length === 60), 'every client got its whole body');
  assert.equal(responder.cacheStats().copying, 0, 'every copy released');
  // Those that kept their copy are cached whole; the others were dropped, never cut short.
  const stored = responder.cacheStats().stored;
  assert.ok(stored >= 1 && stored < 10, `${stored} stored`);
  for (let i = 0; i < 10; i++) {
    const again = await responder.respond({ ...QUERY, maxProfiles: 100 + i }, options());
    assert.equal(await text(again.body), sent[i]);
  }
});

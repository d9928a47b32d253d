import assert from 'node:assert/strict';
import { text } from 'node:stream/consumers';
import { test } from 'node:test';
import { UpstreamError } from '../../src/errors.js';
import { createProfileResponder } from '../../src/http/profile-responder.js';
import { responseCacheKey } from '../../src/http/response-cache.js';
import { encodeProfile } from '../../src/query/output-cache.js';
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
function scripted(options: { monthKeys?: () => string[]; failAfter?: number; count?: number } = {}) {
  const stats = { runs: 0, iterated: 0 };
  const service: QueryService = {
    async run(query) {
      stats.runs++;
      const n = options.count ?? 3;
      const profiles = (async function* () {
        stats.iterated++;
        for (let i = 0; i < n; i++) {
          if (options.failAfter !== undefined && i === options.failAfter) throw new UpstreamError({ message: 'mirror down' });
          yield encodeProfile(profile(i));
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

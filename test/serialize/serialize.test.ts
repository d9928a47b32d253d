import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { AbortedError, UpstreamError, UpstreamTimeoutError } from '../../src/errors.js';
import { encodeProfile } from '../../src/query/output-cache.js';
import type { EncodedProfile, OutputProfile, ProfileQuery, QueryResult } from '../../src/query/types.js';
import { csvColumnsOf, csvRows, serializeResult, streamErrorOf } from '../../src/serialize/index.js';

const baseQuery: ProfileQuery = {
  startMs: 0,
  endMs: 1,
  vertical: 'depth',
  variables: ['TEMP', 'PSAL'],
  mode: 'standard',
  levels: [0, 10],
  maxProfiles: 10,
};

function profile(i: number, extra: Partial<OutputProfile> = {}): OutputProfile {
  return {
    id: `dac${i}/100${i}/profiles/R100${i}_001.nc`,
    platform_number: `100${i}`,
    cycle_number: 1,
    direction: 'A',
    data_mode: 'R',
    time: '2023-04-01T00:00:00.000Z',
    latitude: 1.5,
    longitude: -20.25,
    depth: [0, 10],
    TEMP: [20.1, null],
    PSAL: [35, 35.5],
    ...extra,
  };
}

function result(profiles: AsyncIterable<OutputProfile> | OutputProfile[], query: ProfileQuery = baseQuery): QueryResult {
  const iterable = (async function* (): AsyncGenerator<EncodedProfile> {
    for await (const p of profiles) yield encodeProfile(p);
  })();
  return { matched: 5, truncated: true, monthsMissing: ['2023-05'], monthKeys: ['months/2023/2023-04.a.json.zst'], query, profiles: iterable };
}

async function* failingAfter(n: number, error: Error): AsyncGenerator<OutputProfile> {
  for (let i = 0; i < n; i++) yield profile(i);
  throw error;
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += chunk.toString();
  return out;
}

test('ndjson: one line per profile', async () => {
  const body = await text(serializeResult(result([profile(1), profile(2)]), { format: 'ndjson' }));
  const lines = body.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.deepEqual(JSON.parse(lines[0]), profile(1));
  assert.ok(body.endsWith('\n'));
});

test('ndjson: a failure part-way ends the body with an error line (generic 5xx message) and is reported', async () => {
  const reported: unknown[] = [];
  const body = await text(
    serializeResult(result(failingAfter(2, new UpstreamError({ message: 'mirror 10.0.0.1 refused' }))), {
      format: 'ndjson',
      onError: (e) => reported.push(e),
    }),
  );
  const lines = body.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.deepEqual(lines[2], { error: { status: 502, message: 'The Argo data source failed to deliver the data; try again later.' } });
  assert.equal(reported.length, 1);
  assert.doesNotMatch(body, /10\.0\.0\.1/);
});

test('json: one object with the profiles and the plan facts', async () => {
  const body = await text(serializeResult(result([profile(1), profile(2)]), { format: 'json' }));
  assert.deepEqual(JSON.parse(body), { profiles: [profile(1), profile(2)], matched: 5, truncated: true, months_missing: ['2023-05'], next: null });
});

test('json: empty result is still valid JSON', async () => {
  const body = await text(serializeResult({ ...result([]), matched: 0, truncated: false, monthsMissing: [] }, { format: 'json' }));
  assert.deepEqual(JSON.parse(body), { profiles: [], matched: 0, truncated: false, months_missing: [], next: null });
});

test('json: a failure part-way closes the object with an error member', async () => {
  const body = await text(serializeResult(result(failingAfter(1, new UpstreamTimeoutError({ message: 'slow' }))), { format: 'json' }));
  const parsed = JSON.parse(body);
  assert.equal(parsed.profiles.length, 1);
  assert.deepEqual(parsed.error, { status: 504, message: 'The Argo data source did not answer in time; try again later.' });
  assert.equal(parsed.matched, 5);
});

test('a client that went away gets no error line (nobody to read it)', async () => {
  const reported: unknown[] = [];
  const body = await text(serializeResult(result(failingAfter(1, new AbortedError({ message: 'gone' }))), { format: 'ndjson', onError: (e) => reported.push(e) }));
  assert.equal(body.trimEnd().split('\n').length, 1);
  assert.deepEqual(reported, []);
});

test('csv: header and one row per profile and level, empty cells for null', async () => {
  const body = await text(serializeResult(result([profile(1), profile(2)]), { format: 'csv' }));
  const lines = body.trimEnd().split('\n');
  assert.equal(lines[0], 'id,platform_number,cycle_number,direction,data_mode,time,latitude,longitude,depth,TEMP,PSAL');
  assert.equal(lines.length, 1 + 2 * 2);
  assert.equal(lines[1], 'dac1/1001/profiles/R1001_001.nc,1001,1,A,R,2023-04-01T00:00:00.000Z,1.5,-20.25,0,20.1,35');
  assert.equal(lines[2], 'dac1/1001/profiles/R1001_001.nc,1001,1,A,R,2023-04-01T00:00:00.000Z,1.5,-20.25,10,,35.5');
});

test('csv: columns follow the query (pressure levels; native levels carry both; variables in order)', () => {
  assert.deepEqual(csvColumnsOf({ ...baseQuery, vertical: 'pressure', variables: ['PRES', 'TEMP'] }).slice(8), ['pressure', 'PRES', 'TEMP']);
  const native = { ...baseQuery, levels: undefined };
  assert.deepEqual(csvColumnsOf(native).slice(8), ['depth', 'pressure', 'TEMP', 'PSAL']);
  const rows = csvRows(profile(1, { depth: [1.1], pressure: [1.2], TEMP: [3], PSAL: null }), native).trimEnd().split('\n');
  assert.deepEqual(rows.map((r) => r.split(',').slice(8)), [['1.1', '1.2', '3', '']]);
});

test('csv: a profile with no level still gets one row', () => {
  const rows = csvRows(profile(1, { depth: [], pressure: [], TEMP: [], PSAL: null }), { ...baseQuery, levels: undefined });
  assert.equal(rows.trimEnd().split('\n').length, 1);
  assert.deepEqual(rows.trimEnd().split(',').slice(8), ['', '', '', '']);
});

test('csv: fields with commas or quotes are quoted', () => {
  const rows = csvRows(profile(1, { id: 'a,"b"' }), baseQuery);
  assert.ok(rows.startsWith('"a,""b""",'));
});

test('csv: a failure part-way ends with a # error line', async () => {
  const body = await text(serializeResult(result(failingAfter(1, new UpstreamError({ message: 'x' }))), { format: 'csv' }));
  const lines = body.trimEnd().split('\n');
  assert.equal(lines.at(-1), '# error: 502 The Argo data source failed to deliver the data; try again later.');
  assert.equal(lines.length, 1 + 2 + 1);
});

test('streamErrorOf: a bug is a generic 500', () => {
  assert.deepEqual(streamErrorOf(new TypeError('x is undefined')), { status: 500, message: 'Internal server error.' });
});

test('backpressure: profiles are pulled only as the consumer reads, and destroying the stream stops the source', async () => {
  let pulled = 0;
  let finished = false;
  const big = profile(1, { depth: new Array(500).fill(1), TEMP: new Array(500).fill(20.123456), PSAL: new Array(500).fill(35.123456) });
  async function* endless(): AsyncGenerator<OutputProfile> {
    try {
      for (;;) {
        pulled++;
        yield big;
      }
    } finally {
      finished = true;
    }
  }
  const stream = serializeResult(result(endless()), { format: 'ndjson' });
  stream.pause();
  stream.once('readable', () => {});
  await sleep(50);
  const lineBytes = JSON.stringify(big).length + 1;
  // Nobody reads: the stream fills its 64 KiB buffer and stops pulling.
  assert.ok(pulled * lineBytes < 64 * 1024 + 2 * lineBytes, `pulled ${pulled} profiles of ${lineBytes} bytes`);
  const before = pulled;
  await sleep(50);
  assert.equal(pulled, before, 'no pulling while nobody reads');
  // Reading drains it and more is pulled.
  let chunks = 0;
  for await (const _ of stream) {
    if (++chunks > 3 * before) break;
  }
  assert.ok(pulled > before);
  await sleep(10);
  assert.equal(finished, true, 'the source was returned when the stream was destroyed');
});

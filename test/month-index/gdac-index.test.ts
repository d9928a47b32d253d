/** Reading the GDAC profile index as a stream: gzip, comments, columns by name, core files only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { GdacIndexError, UpstreamError, UpstreamNotFoundError } from '../../src/errors.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { candidateMonths } from '../../src/month-index/builder.js';
import { isCoreProfileId, parseIndexDate, readGdacIndex, type GdacIndexRow } from '../../src/month-index/gdac-index.js';

const HEADER = [
  '# Title : Profile directory file of the Argo Global Data Assembly Center',
  '# Format version : 2.0',
  '# Date of update : 20230427112425',
].join('\n');

const ROWS = [
  'aoml/13857/profiles/R13857_001.nc,19970729200300,0.267,-16.032,A,845,AO,20181011180520',
  'aoml/5906072/profiles/R5906072_121.nc,20230423184350,,,,846,AO,20230423223103',
  'coriolis/3902131/profiles/BR3902131_001.nc,20180315122140,-6.631,5.003,A,838,IF,20211119141420',
  'coriolis/3902131/profiles/SD3902131_001.nc,20180315122140,-6.631,5.003,A,838,IF,20211119141420',
  'coriolis/6903247/profiles/R6903247_001D.nc,20181018065000,34.204,26.048,A,836,IF,20230112144310',
  'kma/2901746/profiles/R2901746_001.nc,,37.312,130.451,P,846,KM,20150702072915',
  'meds/4901079/profiles/D4901079_001.nc,20070526101300,41.898,-60.787,A,846,ME,20150522211907',
  'too,few,fields',
];

/** A GdacSource serving in-memory objects as streams of small chunks (split anywhere). */
function memoryGdac(objects: Record<string, Uint8Array | Error>, chunk = 7, failAfter?: number): GdacSource & { opened: string[] } {
  const opened: string[] = [];
  return {
    description: 'memory',
    opened,
    async get() {
      throw new Error('not used');
    },
    async getRange() {
      throw new Error('not used');
    },
    async stream(path) {
      opened.push(path);
      const body = objects[path];
      if (body === undefined) throw new UpstreamNotFoundError({ message: `not found: ${path}`, context: { path } });
      if (body instanceof Error) throw body;
      return (async function* () {
        for (let i = 0; i < body.length; i += chunk) {
          if (failAfter !== undefined && i >= failAfter) throw new UpstreamError({ message: 'connection reset', context: {} });
          yield body.subarray(i, i + chunk);
        }
      })();
    },
    stats: () => ({ requests: 0, bytes: 0, retries: 0, failovers: 0, rangeIgnoredBy: [] }),
    async close() {},
  };
}

async function readAll(gdac: GdacSource, indexPath?: string): Promise<GdacIndexRow[]> {
  const rows: GdacIndexRow[] = [];
  for await (const row of readGdacIndex({ gdac, indexPath })) rows.push(row);
  return rows;
}

const text = (lines: string[], eol = '\n'): Uint8Array => new Uint8Array(Buffer.from(lines.join(eol) + eol));

test('core rows only, with empty dates and positions, split across chunks', async () => {
  const gdac = memoryGdac({ 'ar_index_global_prof.txt': text([HEADER, 'file,date,latitude,longitude,ocean,profiler_type,institution,date_update', ...ROWS]) });
  const rows = await readAll(gdac);
  assert.deepEqual(gdac.opened, ['ar_index_global_prof.txt.gz', 'ar_index_global_prof.txt'], 'tries the .gz first, then the .txt');
  assert.deepEqual(
    rows.map((r) => r.id),
    [
      'aoml/13857/profiles/R13857_001.nc',
      'aoml/5906072/profiles/R5906072_121.nc',
      'coriolis/6903247/profiles/R6903247_001D.nc',
      'kma/2901746/profiles/R2901746_001.nc',
      'meds/4901079/profiles/D4901079_001.nc',
    ],
  );
  assert.deepEqual(rows[0], { id: 'aoml/13857/profiles/R13857_001.nc', dateMs: Date.UTC(1997, 6, 29, 20, 3, 0), dateUpdate: '20181011180520' });
  assert.equal(rows[3].dateMs, null, 'an empty date is accepted');
  assert.equal(rows[3].dateUpdate, '20150702072915');
});

test('gzip, CRLF and columns found by name in any order', async () => {
  const reordered = ROWS.slice(0, 2).map((r) => {
    const f = r.split(',');
    return [f[7], f[0], f[1]].join(',');
  });
  const gz = gzipSync(Buffer.from([HEADER, 'date_update,file,date', ...reordered].join('\r\n') + '\r\n'));
  const gdac = memoryGdac({ 'ar_index_global_prof.txt.gz': new Uint8Array(gz) }, 5);
  const rows = await readAll(gdac);
  assert.deepEqual(gdac.opened, ['ar_index_global_prof.txt.gz']);
  assert.deepEqual(rows.map((r) => [r.id, r.dateUpdate]), [
    ['aoml/13857/profiles/R13857_001.nc', '20181011180520'],
    ['aoml/5906072/profiles/R5906072_121.nc', '20230423223103'],
  ]);
  // The configured path is used as given, gzip detected from the bytes.
  const configured = memoryGdac({ 'custom/index.txt': new Uint8Array(gz) });
  assert.equal((await readAll(configured, 'custom/index.txt')).length, 2);
  assert.deepEqual(configured.opened, ['custom/index.txt']);
});

test('a last line without a newline means a truncated index: GdacIndexError, nothing read as the truth', async () => {
  const body = new Uint8Array(Buffer.from(`file,date,date_update\n${'aoml/13857/profiles/R13857_001.nc,19970729200300,2018101118'}`));
  await assert.rejects(readAll(memoryGdac({ 'ar_index_global_prof.txt': body })), GdacIndexError);
});

test('an unreadable index is a GdacIndexError', async () => {
  await assert.rejects(readAll(memoryGdac({})), GdacIndexError, 'missing');
  await assert.rejects(readAll(memoryGdac({ 'ar_index_global_prof.txt': new UpstreamError({ message: '503', context: {} }) })), GdacIndexError, 'upstream error');
  await assert.rejects(readAll(memoryGdac({ 'ar_index_global_prof.txt': text([HEADER]) })), GdacIndexError, 'no header');
  await assert.rejects(readAll(memoryGdac({ 'ar_index_global_prof.txt': text(['file,latitude', ROWS[0]]) })), GdacIndexError, 'no date column');
  const big = text(['file,date,latitude,longitude,ocean,profiler_type,institution,date_update', ...ROWS, ...ROWS, ...ROWS]);
  await assert.rejects(readAll(memoryGdac({ 'ar_index_global_prof.txt': big }, 64, 300)), GdacIndexError, 'broken mid-stream');
  await assert.rejects(readAll(memoryGdac({ 'ar_index_global_prof.txt.gz': new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]) })), GdacIndexError, 'bad gzip');
});

test('index dates and core file names', () => {
  assert.equal(parseIndexDate('20230423184350'), Date.UTC(2023, 3, 23, 18, 43, 50));
  for (const bad of ['', '2023042318435', '20231323184350', 'abcdefghijklmn']) assert.equal(parseIndexDate(bad), null, bad);
  for (const id of ['aoml/13857/profiles/R13857_001.nc', 'bodc/6901929/profiles/D6901929_001D.nc']) assert.ok(isCoreProfileId(id), id);
  for (const id of ['coriolis/3902131/profiles/BR3902131_001.nc', 'coriolis/3902131/profiles/SD3902131_001.nc', 'x/1/profiles/R1_001.txt', '../1/profiles/R1_001.nc', 'a/b/c/profiles/R1_001.nc']) {
    assert.ok(!isCoreProfileId(id), id);
  }
});

test('candidates: the index date is rounded, so a second past either edge counts for both months', () => {
  const wanted = new Set(['2024-01', '2024-02', '2024-03']);
  // 2024-01-31T23:59:59.6 is listed as 2024-02-01T00:00:00: a candidate of both.
  assert.deepEqual(candidateMonths(Date.UTC(2024, 1, 1), wanted), ['2024-01', '2024-02']);
  assert.deepEqual(candidateMonths(Date.UTC(2024, 1, 1, 0, 0, 1), wanted), ['2024-02']);
  assert.deepEqual(candidateMonths(Date.UTC(2024, 0, 31, 23, 59, 59), wanted), ['2024-01', '2024-02']);
  assert.deepEqual(candidateMonths(Date.UTC(2024, 0, 31, 23, 59, 58), wanted), ['2024-01']);
  assert.deepEqual(candidateMonths(Date.UTC(2024, 0, 15), new Set(['2024-02'])), []);
  assert.deepEqual(candidateMonths(Date.UTC(2024, 3, 1), wanted), ['2024-03'], 'only wanted months');
});

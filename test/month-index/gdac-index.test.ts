/** Reading the GDAC profile index as a stream: gzip, comments, columns by name, core files only. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import { AbortedError, GdacIndexError, UpstreamError, UpstreamNotFoundError } from '../../src/errors.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { candidateMonths } from '../../src/month-index/builder.js';
import { MAX_LINE_BYTES, isCoreProfileId, isMalformedIndexError, parseIndexDate, readGdacIndex, type GdacIndexRow } from '../../src/month-index/gdac-index.js';

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

/** A GdacSource whose index is an endless stream of chunks from `next` (counts what was pulled). */
function endlessGdac(next: (i: number) => Uint8Array): GdacSource & { pulled: number } {
  const gdac = {
    ...memoryGdac({}),
    pulled: 0,
    async stream() {
      return (async function* () {
        for (let i = 0; ; i++) {
          gdac.pulled++;
          yield next(i);
        }
      })();
    },
  };
  return gdac;
}

test('a line without end is refused after MAX_LINE_BYTES, naming the line, without reading on', async () => {
  const header = Buffer.from('file,date,date_update\n');
  const filler = new Uint8Array(64 * 1024).fill(0x61);
  // An endless line: were it read to its end, the test would never finish.
  const gdac = endlessGdac((i) => (i === 0 ? new Uint8Array(Buffer.concat([header, Buffer.from(ROWS[0] + '\n')])) : filler));
  await assert.rejects(readAll(gdac, 'ar_index_global_prof.txt'), (error: unknown) => {
    assert.ok(error instanceof GdacIndexError);
    assert.ok(isMalformedIndexError(error));
    assert.match(error.message, /line 3 is longer than 4096 bytes/);
    return true;
  });
  assert.equal(gdac.pulled, 2, 'refused in the first chunk that holds the long line');

  // The same in small pieces: refused once the pieces pass the limit, not at the end.
  const small = endlessGdac((i) => (i === 0 ? new Uint8Array(header) : new Uint8Array(100).fill(0x62)));
  await assert.rejects(readAll(small, 'ar_index_global_prof.txt'), /line 2 is longer than 4096 bytes/);
  assert.ok(small.pulled <= 2 + Math.ceil(MAX_LINE_BYTES / 100), `pulled ${small.pulled} chunks`);
});

/** Gzips a header and a 256 MB line of 'a' (and its newline), streaming: ~260 KB out. */
async function gzippedHugeLine(): Promise<Uint8Array> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(gzip, 'end');
  gzip.write('file,date,date_update\n');
  const mb = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 256; i++) if (!gzip.write(mb)) await once(gzip, 'drain');
  gzip.end('\n');
  await ended;
  return new Uint8Array(Buffer.concat(out));
}

test('a 256 MB line gzipped to a few hundred KB is refused as soon as it is seen', async () => {
  const gz = await gzippedHugeLine();
  assert.ok(gz.length < 1024 * 1024, `${gz.length} bytes gzipped`);
  const gdac = memoryGdac({ 'ar_index_global_prof.txt.gz': gz }, 16 * 1024);
  await assert.rejects(readAll(gdac), /line 2 is longer than 4096 bytes: not a GDAC profile index/);
});

test('lines up to the limit are read whole across chunks of any size; rows longer than the default can be allowed', async () => {
  const long = `${ROWS[0]},${'x'.repeat(MAX_LINE_BYTES - ROWS[0].length - 1)}`;
  assert.equal(long.length, MAX_LINE_BYTES);
  const body = text(['file,date,latitude,longitude,ocean,profiler_type,institution,date_update', long, ROWS[6]], '\r\n');
  for (const chunk of [1, 3, 4096, 1 << 20]) {
    const rows = await readAll(memoryGdac({ 'ar_index_global_prof.txt': body }, chunk), 'ar_index_global_prof.txt');
    assert.deepEqual(rows.map((r) => r.id), ['aoml/13857/profiles/R13857_001.nc', 'meds/4901079/profiles/D4901079_001.nc'], `chunks of ${chunk}`);
  }
  const tooLong = text(['file,date,date_update', `${long}x`]);
  await assert.rejects(readAll(memoryGdac({ 'ar_index_global_prof.txt': tooLong }, 1000), 'ar_index_global_prof.txt'), /line 2 is longer/);
  const rows: GdacIndexRow[] = [];
  for await (const row of readGdacIndex({ gdac: memoryGdac({ 'x.txt': tooLong }, 1000), indexPath: 'x.txt', maxLineBytes: 8192 })) rows.push(row);
  assert.equal(rows.length, 1);
});

test('an abort ends the read at the next chunk with AbortedError', async () => {
  const controller = new AbortController();
  const gdac = endlessGdac((i) => {
    if (i === 3) controller.abort(new Error('cancelled by the test'));
    return new Uint8Array(Buffer.from(i === 0 ? 'file,date,date_update\n' : `${ROWS[0]}\n`.repeat(100)));
  });
  const rows: GdacIndexRow[] = [];
  await assert.rejects(
    (async () => {
      for await (const row of readGdacIndex({ gdac, indexPath: 'ar_index_global_prof.txt', signal: controller.signal })) rows.push(row);
    })(),
    AbortedError,
  );
  assert.ok(gdac.pulled <= 5, `pulled ${gdac.pulled} chunks after the abort`);
});

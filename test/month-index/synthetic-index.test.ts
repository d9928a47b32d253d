/** Reading the GDAC synthetic profile index: S files only, parameters and their modes, tolerant rows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { createGdacSource } from '../../src/gdac/create-gdac-source.js';
import type { GdacSource } from '../../src/gdac/types.js';
import { GdacIndexError, UpstreamNotFoundError } from '../../src/errors.js';
import {
  isSyntheticProfileId,
  parseIndexParameters,
  readSyntheticIndex,
  type SyntheticIndexRow,
  type SyntheticIndexStats,
} from '../../src/month-index/synthetic-index.js';
import { loadBgcReference } from '../kit/reference-bgc.js';
import { skipWithoutShared } from '../kit/shared-sample.js';

const HEADER = [
  '# Title : Synthetic-Profile directory file of the Argo Global Data Assembly Center',
  '# Format version : 2.2',
  'file,date,latitude,longitude,ocean,profiler_type,institution,parameters,parameter_data_mode,date_update',
].join('\n');

/** A GdacSource serving in-memory objects as streams of small chunks. */
function memoryGdac(objects: Record<string, Uint8Array>): GdacSource & { opened: string[] } {
  const opened: string[] = [];
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  return {
    description: 'memory',
    opened,
    get: unused,
    getRange: unused,
    async stream(path) {
      opened.push(path);
      const body = objects[path];
      if (body === undefined) throw new UpstreamNotFoundError({ message: `not found: ${path}`, context: { path } });
      return (async function* () {
        for (let i = 0; i < body.length; i += 11) yield body.subarray(i, i + 11);
      })();
    },
    stats: () => ({ requests: 0, bytes: 0, retries: 0, failovers: 0, rangeIgnoredBy: [] }),
    async close() {},
  };
}

async function readAll(gdac: GdacSource, indexPath?: string): Promise<{ rows: SyntheticIndexRow[]; stats?: SyntheticIndexStats; path?: string }> {
  const rows: SyntheticIndexRow[] = [];
  let stats: SyntheticIndexStats | undefined;
  let path: string | undefined;
  for await (const row of readSyntheticIndex({ gdac, indexPath, onStats: (s) => (stats = s), onOpen: (p) => (path = p) })) rows.push(row);
  return { rows, stats, path };
}

test('the shared sample’s synthetic index lists its S files with their parameters and modes', async (t) => {
  const sampleDir = skipWithoutShared(t);
  if (!sampleDir) return;
  const gdac = createGdacSource({ roots: [sampleDir], downloadWorkers: 2, maxRetries: 0, retryBackoffMs: 5, timeoutMs: 5_000 });
  try {
    const { rows, stats, path } = await readAll(gdac);
    assert.equal(path, 'argo_synthetic-profile_index.txt', 'the .txt after the missing .gz');
    assert.deepEqual(
      rows.map((r) => [r.id, r.dateUpdate, r.dateMs === null ? null : new Date(r.dateMs).toISOString(), Object.entries(r.parameters)]),
      [
        ['coriolis/3902131/profiles/SD3902131_001.nc', '20220702075100', '2018-03-15T12:21:40.000Z', [['PRES', 'D'], ['TEMP', 'D'], ['PSAL', 'D'], ['DOXY', 'R']]],
        ['coriolis/6903247/profiles/SR6903247_024D.nc', '20230217035158', '2018-11-10T06:58:00.000Z', [['PRES', 'R'], ['TEMP', 'R'], ['PSAL', 'R'], ['DOXY', 'A']]],
      ],
    );
    assert.deepEqual(stats, { lines: 11, rows: 2, synthetic: 2, malformed: 0 });
    // The index agrees with the files' own parameters (the reference reads them from the files).
    const reference = loadBgcReference(sampleDir);
    if (reference) {
      for (const row of rows) assert.deepEqual(row.parameters, reference.profiles[row.id].parameters, row.id);
    }
  } finally {
    await gdac.close();
  }
});

test('rows: S files only, tolerant fields, malformed rows counted', async () => {
  const body = [
    HEADER,
    'coriolis/6903247/profiles/SR6903247_024D.nc,20181110065800,34.765,26.353,A,836,IF,PRES TEMP PSAL DOXY,RRRA,20230217035158',
    // Not synthetic: core and B files are skipped.
    'coriolis/6903247/profiles/R6903247_024D.nc,20181110065800,34.765,26.353,A,836,IF,PRES TEMP PSAL,RRR,20230217035158',
    'coriolis/6903247/profiles/BR6903247_024D.nc,20181110065800,34.765,26.353,A,836,IF,PRES DOXY,RA,20230217035158',
    // No date; fewer modes than parameters; a name that is not an Argo name; extra spaces.
    'aoml/1900001/profiles/SD1900001_001.nc,,,,,846,AO,  PRES  TEMP bad-name CHLA BBP700 ,DDAD,20230101000000',
    // Empty parameters.
    'aoml/1900001/profiles/SD1900001_002.nc,20230102000000,1,2,A,846,AO,,,20230102000000',
    'too,few',
  ].join('\n');
  const gdac = memoryGdac({ 'argo_synthetic-profile_index.txt.gz': gzipSync(Buffer.from(`${body}\n`)) });
  const { rows, stats, path } = await readAll(gdac);
  assert.equal(path, 'argo_synthetic-profile_index.txt.gz');
  assert.deepEqual(gdac.opened, ['argo_synthetic-profile_index.txt.gz']);
  assert.deepEqual(
    rows.map((r) => [r.id, r.dateMs, Object.entries(r.parameters)]),
    [
      ['coriolis/6903247/profiles/SR6903247_024D.nc', Date.UTC(2018, 10, 10, 6, 58), [['PRES', 'R'], ['TEMP', 'R'], ['PSAL', 'R'], ['DOXY', 'A']]],
      ['aoml/1900001/profiles/SD1900001_001.nc', null, [['PRES', 'D'], ['TEMP', 'D'], ['CHLA', 'D'], ['BBP700', ' ']]],
      ['aoml/1900001/profiles/SD1900001_002.nc', Date.UTC(2023, 0, 2), []],
    ],
  );
  assert.deepEqual(stats, { lines: 9, rows: 6, synthetic: 3, malformed: 1 });
});

test('an index without the parameter columns still lists its files', async () => {
  const body = ['file,date,date_update', 'aoml/1900001/profiles/SR1900001_001.nc,20230101000000,20230101000000', ''].join('\n');
  const { rows } = await readAll(memoryGdac({ 'sub/synth.txt': Buffer.from(body) }), 'sub/synth.txt');
  assert.deepEqual(rows, [{ id: 'aoml/1900001/profiles/SR1900001_001.nc', dateMs: Date.UTC(2023, 0, 1), dateUpdate: '20230101000000', parameters: {} }]);
});

test('a truncated, headerless or missing index is an error, never a shorter list', async () => {
  const truncated = `${HEADER}\naoml/1900001/profiles/SR1900001_001.nc,20230101000000,1,2,A,846,AO,PRES,R,2023`;
  await assert.rejects(readAll(memoryGdac({ 'argo_synthetic-profile_index.txt': Buffer.from(truncated) })), (e: unknown) => e instanceof GdacIndexError && /truncated/.test(e.message));
  await assert.rejects(readAll(memoryGdac({ 'argo_synthetic-profile_index.txt': Buffer.from('a,b,c\n') })), /no column header with file, date and date_update/);
  await assert.rejects(readAll(memoryGdac({ 'argo_synthetic-profile_index.txt': Buffer.from('# only comments\n') })), /empty/);
  await assert.rejects(readAll(memoryGdac({})), (e: unknown) => e instanceof GdacIndexError && e.cause instanceof UpstreamNotFoundError);
});

test('ids and parameter fields', () => {
  assert.ok(isSyntheticProfileId('coriolis/3902131/profiles/SD3902131_001.nc'));
  assert.ok(isSyntheticProfileId('coriolis/6903247/profiles/SR6903247_024D.nc'));
  for (const id of ['coriolis/3902131/profiles/D3902131_001.nc', 'coriolis/3902131/profiles/BR3902131_001.nc', 'coriolis/3902131/SD3902131_001.nc']) {
    assert.ok(!isSyntheticProfileId(id), id);
  }
  assert.deepEqual(parseIndexParameters('PRES TEMP DOXY DOXY', 'DDAR'), { PRES: 'D', TEMP: 'D', DOXY: 'A' });
  assert.deepEqual(parseIndexParameters('__proto__ PRES', 'RD'), { PRES: 'D' });
});

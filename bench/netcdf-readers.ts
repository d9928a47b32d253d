/**
 * Whole-file decoding speed: the project's own reader (`readProfileFile`) against netcdfjs, on
 * every core profile file of the shared GDAC sample, read from memory (no I/O timed).
 *
 *     npx tsx bench/netcdf-readers.ts [repetitions]    # default 50
 *
 * netcdfjs reads the same variables (header; PRES/TEMP/PSAL raw and adjusted with their QC,
 * PRES_ADJUSTED_ERROR, JULD, LATITUDE, LONGITUDE) but returns them as plain arrays with fill
 * values left in: the service would still have to pick the primary profile and map fill and
 * out-of-range values to NaN, so its figure is a lower bound for a netcdfjs build path.
 * This is the figure the README quotes for keeping one decoder.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { readProfileFile } from '../src/argo/read-file.js';
import { sharedSampleDir } from '../test/kit/shared-sample.js';

/** Core files only: B/S files are other layouts, outside what `readProfileFile` reads. */
const CORE_FILE = /^[RD]\d+_\d+D?\.nc$/;
const NETCDFJS_VARIABLES = [
  'PRES', 'TEMP', 'PSAL',
  'PRES_ADJUSTED', 'TEMP_ADJUSTED', 'PSAL_ADJUSTED',
  'PRES_QC', 'TEMP_QC', 'PSAL_QC',
  'PRES_ADJUSTED_QC', 'TEMP_ADJUSTED_QC', 'PSAL_ADJUSTED_QC',
  'PRES_ADJUSTED_ERROR', 'JULD', 'LATITUDE', 'LONGITUDE',
];

async function main(): Promise<void> {
  const reps = Math.max(1, Number(process.argv[2] ?? 50));
  const root = sharedSampleDir();
  if (!root) {
    process.stderr.write('netcdf-readers: the shared GDAC sample (../shared/argo-gdac-sample) is absent; nothing to measure\n');
    return;
  }
  const dac = join(root, 'dac');
  const files: { id: string; bytes: Uint8Array }[] = [];
  for (const e of await readdir(dac, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !CORE_FILE.test(e.name)) continue;
    const path = join(e.parentPath, e.name);
    files.push({ id: relative(dac, path), bytes: new Uint8Array(await readFile(path)) });
  }
  const totalBytes = files.reduce((s, f) => s + f.bytes.length, 0);

  let sink = 0;
  const own = (): void => {
    for (const f of files) sink += readProfileFile(f).meta.nLevels;
  };
  const netcdfjs = (): void => {
    for (const f of files) {
      const reader = new NetCDFReader(f.bytes);
      for (const name of NETCDFJS_VARIABLES) {
        // Some files have no PSAL: read what is there, as the own reader does.
        if (reader.dataVariableExists(name) && reader.getDataVariable(name).length > 0) sink++;
      }
    }
  };
  const time = (run: () => void): number => {
    for (let i = 0; i < 3; i++) run(); // warm-up: JIT, not measured
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) run();
    return (performance.now() - t0) / (reps * files.length);
  };
  const ownMs = time(own);
  const netcdfjsMs = time(netcdfjs);
  process.stdout.write(
    [
      `${files.length} core profile files, ${(totalBytes / files.length / 1024).toFixed(1)} KiB on average, ${reps} repetitions`,
      `readProfileFile (own decoder): ${ownMs.toFixed(3)} ms per file`,
      `netcdfjs (NetCDFReader):        ${netcdfjsMs.toFixed(3)} ms per file`,
      `netcdfjs ÷ own: ${(netcdfjsMs / ownMs).toFixed(1)}×`,
      '',
    ].join('\n'),
  );
  if (sink < 0) process.stdout.write('unreachable\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`netcdf-readers failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

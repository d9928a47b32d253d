/**
 * Data pack figures on the benchmark's month (the same generated month as `npm run bench`: real
 * template files, ~13,000 profiles), run with `npx tsx bench/pack.ts`:
 *
 *   - pack bytes per profile, write CPU time, footer size, row groups;
 *   - the 1-day window of the benchmark (the 15th, UTC): store bytes read per returned profile
 *     (footer included, as a cold reader pays it), reads, decode CPU time; with every column and
 *     with what a `standard`-mode query needs (levels but PRES_ADJUSTED_ERROR, no metadata);
 *   - the same for the other layout, one row per level (`--long`), for other zstd levels
 *     (`--levels 3,9,19`) and other row-group slices (`--hours 24,12,6`): the measurements
 *     docs/data-packs.md quotes.
 *
 *     npx tsx bench/pack.ts [--profiles N] [--levels 19] [--hours 24] [--long] [--out bench/results/pack.json]
 *
 * CPU times (process.cpuUsage) rather than wall time: the machine is shared.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ByteWriter, parquetWrite, type ColumnSource } from 'hyparquet-writer';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { readProfileFile } from '../src/argo/read-file.js';
import { LEVEL_VARIABLES } from '../src/argo/types.js';
import { compareProfiles } from '../src/month-index/codec.js';
import { compactLevels, openPack, readPackProfiles, rowGroupSizes, selectRowGroups, writePack, type PackProfile, type ReadRange } from '../src/pack/index.js';
import { loadZstd } from '../src/pack/zstd.js';
import { BENCH_DIR, ensureMonth, monthBounds } from './generate.js';
import { gitInfo, machineInfo, markdownTable, writeJson, type Figure } from './report.js';

const DAY_MS = 86_400_000;
const { values } = parseArgs({
  options: {
    profiles: { type: 'string', default: '13000' },
    month: { type: 'string', default: '2023-04' },
    seed: { type: 'string', default: '1' },
    levels: { type: 'string' },
    hours: { type: 'string', default: '24' },
    long: { type: 'boolean', default: false },
    out: { type: 'string', default: join(BENCH_DIR, 'results', 'pack.json') },
  },
});
const log = (line: string): void => void process.stderr.write(`[pack] ${line}\n`);
const cpuSeconds = <T>(run: () => T): [T, number] => {
  const start = process.cpuUsage();
  const out = run();
  const used = process.cpuUsage(start);
  return [out, (used.user + used.system) / 1e6];
};
async function cpuSecondsAsync<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = process.cpuUsage();
  const out = await run();
  const used = process.cpuUsage(start);
  return [out, (used.user + used.system) / 1e6];
}

function countingRange(bytes: Uint8Array): { readRange: ReadRange; calls: number; bytes: number } {
  const counter = {
    calls: 0,
    bytes: 0,
    readRange: (async ({ offset, length }) => {
      counter.calls++;
      counter.bytes += length;
      return bytes.slice(offset, offset + length);
    }) as ReadRange,
  };
  return counter;
}

// ---- the month's profiles, as the builder will hold them ------------------------------------
const month = await ensureMonth({ month: values.month!, profiles: Number(values.profiles), seed: Number(values.seed), source: 'auto', log });
const { startMs, endMs } = monthBounds(values.month!);
const [profiles, extractSeconds] = await cpuSecondsAsync(async () => {
  const out: PackProfile[] = [];
  for (const g of month.manifest.profiles) {
    const bytes = new Uint8Array(await readFile(join(month.root, 'dac', g.id)));
    const { meta, levels } = readProfileFile({ id: g.id, bytes });
    if (meta.timeMs === null || meta.latitude === null || meta.longitude === null || meta.timeMs < startMs || meta.timeMs >= endMs) continue;
    out.push({
      id: g.id,
      platform: meta.platformNumber,
      cycle: meta.cycleNumber,
      direction: meta.direction,
      dataMode: meta.dataMode,
      timeMs: meta.timeMs,
      latitude: meta.latitude,
      longitude: meta.longitude,
      positionQc: meta.positionQc,
      juldQc: meta.juldQc,
      dateUpdate: g.dateUpdate,
      size: bytes.length,
      levels: compactLevels(levels, { id: g.id }),
    });
  }
  return out.sort(compareProfiles);
});
const totalLevels = profiles.reduce((n, p) => n + p.levels.nLevels, 0);
log(`${profiles.length} profiles, ${totalLevels} levels (${(totalLevels / profiles.length).toFixed(0)} per profile), extracted in ${extractSeconds.toFixed(1)} s CPU`);

const window = { start: startMs + 14 * DAY_MS, end: startMs + 15 * DAY_MS };
const standardVariables = LEVEL_VARIABLES.filter((v) => v !== 'PRES_ADJUSTED_ERROR');
// PRES_ADJUSTED_ERROR is the last column (schema.ts): a standard-mode read skips it.
const figures: Figure[] = [];
const add = (f: Omit<Figure, 'phase'>): void => void figures.push({ ...f, phase: 'pack' });
const details: Record<string, unknown> = { profiles: profiles.length, levels: totalLevels, window };

// ---- nested layout (the pack) at each zstd level and row-group slice ---------------------------
const zstdLevels = (values.levels ?? '19').split(',').map(Number);
const sliceHours = values.hours!.split(',').map(Number);
for (const [k, level] of zstdLevels.entries()) {
  for (const [h, hours] of sliceHours.entries()) {
    if (k > 0 && h > 0) continue; // levels at the first slice, slices at the first level
    const [written, writeSeconds] = await cpuSecondsAsync(() => writePack({ profiles, month: values.month, zstdLevel: level, rowGroupHours: hours }));
    const tag = `z${level}${hours === 24 ? '' : `_h${hours}`}`;
    const suffix = zstdLevels.length > 1 || sliceHours.length > 1 ? ` (zstd ${level}, ${hours} h row groups)` : '';
    add({ key: `pack_bytes_per_profile_${tag}`, label: `Pack bytes per profile${suffix}`, value: written.bytes.length / profiles.length, unit: 'B', digits: 0, target: { op: '<=', value: 1536 } });
    add({ key: `pack_write_cpu_${tag}`, label: `Pack write CPU, whole month${suffix}`, value: writeSeconds, unit: 's', digits: 1 });
    add({ key: `pack_footer_bytes_${tag}`, label: `Pack footer${suffix}`, value: written.footerBytes, unit: 'B', digits: 0 });
    details[tag] = { bytes: written.bytes.length, rowGroups: written.rowGroups, footerBytes: written.footerBytes, writeCpuSeconds: writeSeconds };
    if (k > 0) continue;

    for (const [name, options] of [
      ['every column', {}],
      ['standard mode (levels, no metadata)', { variables: standardVariables, metadata: false }],
    ] as const) {
      const counter = countingRange(written.bytes);
      const [returned, readSeconds] = await cpuSecondsAsync(async () => {
        const pack = await openPack({ readRange: counter.readRange, size: written.bytes.length, footerBytes: written.footerBytes });
        let n = 0;
        for await (const p of readPackProfiles({ pack, window, ...options })) if (p.levels.PRES) n++;
        return { n, groups: selectRowGroups(pack, window).length };
      });
      const key = `${name === 'every column' ? 'all' : 'standard'}${hours === 24 ? '' : `_h${hours}`}`;
      add({ key: `window_store_bytes_per_profile_${key}`, label: `1-day window: store bytes read per returned profile, ${name}${suffix}`, value: counter.bytes / returned.n, unit: 'B', digits: 0, target: { op: '<=', value: 1536 } });
      details[`window_${key}`] = { returned: returned.n, rowGroups: returned.groups, reads: counter.calls, bytes: counter.bytes, cpuSeconds: readSeconds };
      if (key === 'all') {
        add({ key: 'window_profiles', label: '1-day window: profiles returned', value: returned.n, unit: '', digits: 0 });
        add({ key: 'window_reads', label: '1-day window: ranged reads (footer included)', value: counter.calls, unit: '', digits: 0 });
        add({ key: 'window_read_cpu_ms', label: '1-day window: open + read + decode CPU', value: readSeconds * 1000, unit: 'ms', digits: 0 });
      }
    }
  }
}

// ---- the other layout: one row per level ---------------------------------------------------
if (values.long) {
  const zstd = await loadZstd();
  const level = zstdLevels[0];
  const rows = totalLevels;
  const meta = { id: new Array<string>(rows), time: new Array<bigint>(rows), level: new Int32Array(rows), platform_number: new Array<string>(rows), cycle_number: new Int32Array(rows), data_mode: new Array<string>(rows), latitude: new Float64Array(rows), longitude: new Float64Array(rows) };
  const levels: Record<string, (number | string | null)[]> = Object.fromEntries(LEVEL_VARIABLES.map((v) => [v, new Array(rows)]));
  let r = 0;
  const times: number[] = [];
  for (const p of profiles) {
    for (let i = 0; i < p.levels.nLevels; i++, r++) {
      meta.id[r] = p.id;
      meta.time[r] = BigInt(p.timeMs);
      times.push(p.timeMs);
      meta.level[r] = i;
      meta.platform_number[r] = p.platform;
      meta.cycle_number[r] = p.cycle;
      meta.data_mode[r] = p.dataMode;
      meta.latitude[r] = p.latitude;
      meta.longitude[r] = p.longitude;
      for (const v of LEVEL_VARIABLES) {
        const a = p.levels[v] as Float32Array | string | null;
        levels[v][r] = a === null ? null : typeof a === 'string' ? a[i] : Number.isNaN(a[i]) ? null : a[i];
      }
    }
  }
  const columnData = [
    { name: 'id', data: meta.id, type: 'STRING', nullable: false },
    { name: 'time', data: meta.time, type: 'TIMESTAMP', nullable: false, encoding: 'DELTA_BINARY_PACKED' },
    { name: 'level', data: meta.level, type: 'INT32', nullable: false },
    { name: 'platform_number', data: meta.platform_number, type: 'STRING', nullable: false },
    { name: 'cycle_number', data: meta.cycle_number, type: 'INT32', nullable: false },
    { name: 'data_mode', data: meta.data_mode, type: 'STRING', nullable: false },
    { name: 'latitude', data: meta.latitude, type: 'DOUBLE', nullable: false },
    { name: 'longitude', data: meta.longitude, type: 'DOUBLE', nullable: false },
    ...LEVEL_VARIABLES.map((v) => (v.endsWith('_QC') ? { name: v, data: levels[v], type: 'STRING' } : { name: v, data: levels[v], type: 'FLOAT', encoding: 'BYTE_STREAM_SPLIT' })),
  ].map((c) => ({ ...c, statistics: c.name === 'time', offsetIndex: false })) as ColumnSource[];
  const [bytes, writeSeconds] = cpuSeconds(() => {
    const writer = new ByteWriter();
    parquetWrite({ writer, columnData, codec: 'ZSTD', compressors: { ZSTD: (b) => zstd.compress(b, level) }, statistics: false, rowGroupSize: rowGroupSizes(times, { maxRows: Number.MAX_SAFE_INTEGER }) });
    return writer.getBytes();
  });
  // The window's day, every column: the footer (one exact read, as the pack's open with its
  // recorded size), then the row groups holding the day's rows.
  const counter = countingRange(bytes);
  const [windowRows, readSeconds] = await cpuSecondsAsync(async () => {
    const footerBytes = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true) + 8;
    const metadata = parquetMetadata(await counter.readRange({ offset: bytes.length - footerBytes, length: footerBytes }));
    const dayStart = times.findIndex((t) => t >= window.start);
    const dayEnd = times.findIndex((t) => t >= window.end);
    let n = 0;
    const file = { byteLength: bytes.length, slice: async (s: number, e?: number) => (await counter.readRange({ offset: s, length: (e ?? bytes.length) - s })).slice().buffer as ArrayBuffer };
    await parquetRead({ file, metadata, rowStart: dayStart, rowEnd: dayEnd, compressors: { ZSTD: (b, n) => zstd.decompress(b, n) }, onComplete: (data) => void (n = data.length) });
    return n;
  });
  const returned = profiles.filter((p) => p.timeMs >= window.start && p.timeMs < window.end).length;
  add({ key: 'long_bytes_per_profile', label: `One row per level: bytes per profile (zstd ${level})`, value: bytes.length / profiles.length, unit: 'B', digits: 0 });
  add({ key: 'long_write_cpu', label: 'One row per level: write CPU, whole month', value: writeSeconds, unit: 's', digits: 1 });
  add({ key: 'long_window_bytes_per_profile', label: 'One row per level: 1-day window store bytes per returned profile', value: counter.bytes / returned, unit: 'B', digits: 0 });
  add({ key: 'long_window_read_cpu_ms', label: 'One row per level: 1-day window read + decode CPU', value: readSeconds * 1000, unit: 'ms', digits: 0 });
  details.long = { bytes: bytes.length, rows: windowRows, reads: counter.calls, readBytes: counter.bytes };
}

process.stdout.write(`${markdownTable(figures)}\n`);
await writeJson(values.out!, {
  generatedAt: new Date().toISOString(),
  machine: machineInfo(),
  git: gitInfo(BENCH_DIR),
  zstd: (await loadZstd()).implementation,
  month: { month: values.month, source: month.manifest.source, profiles: profiles.length, levels: totalLevels },
  figures: Object.fromEntries(figures.map((f) => [f.key, { label: f.label, value: f.value, unit: f.unit, target: f.target ?? null }])),
  details,
});
log(`results in ${values.out}`);

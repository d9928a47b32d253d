/**
 * Fixtures for the query tests, before (and independent of) the month-index builder: month indexes
 * built in memory from rows or from real/synthetic profile files (with argo's own header and
 * metadata functions), an in-memory catalog, and a fake GDAC source over files in memory or on
 * disk that counts requests and can fail or stall on purpose.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { extractMeta, levelVariableSlots, metaVariableRanges } from '../../src/argo/extract.js';
import { AbortedError, UpstreamError, UpstreamNotFoundError } from '../../src/errors.js';
import type { ByteRange, GdacSource, GdacStats, ReadOptions } from '../../src/gdac/types.js';
import type { FileLayout, MonthCatalog, MonthIndex } from '../../src/month-index/types.js';
import { parseHeader } from '../../src/netcdf/parse-header.js';

export interface Row {
  id?: string;
  time: number | string;
  platform?: string;
  cycle?: number;
  direction?: string;
  dataMode?: string;
  lat?: number;
  lon?: number;
  positionQc?: string;
  juldQc?: string;
  dateUpdate?: string;
  base?: number;
  size?: number;
  layout?: number;
}

const DEFAULT_LAYOUT: FileLayout = {
  nLevels: 3,
  variables: {
    PRES: { type: 'float', rel: 0, length: 12 },
    PRES_QC: { type: 'char', rel: 12, length: 3 },
  },
};

/** A month index from rows given in result order (the caller's responsibility). */
export function monthIndexFromRows(month: string, rows: Row[], layouts: FileLayout[] = [DEFAULT_LAYOUT]): MonthIndex {
  const n = rows.length;
  const times = rows.map((r) => (typeof r.time === 'string' ? Date.parse(r.time) : r.time));
  return {
    formatVersion: 1,
    month,
    builtAt: '2024-01-01T00:00:00.000Z',
    source: 'test',
    key: `months/${month}.test`,
    count: n,
    time: Float64Array.from(times),
    latitude: Float64Array.from(rows.map((r) => r.lat ?? 0)),
    longitude: Float64Array.from(rows.map((r) => r.lon ?? 0)),
    cycle: Int32Array.from(rows.map((r, i) => r.cycle ?? i + 1)),
    base: Float64Array.from(rows.map((r) => r.base ?? 0)),
    layout: Uint32Array.from(rows.map((r) => r.layout ?? 0)),
    size: Float64Array.from(rows.map((r) => r.size ?? 1000)),
    id: rows.map((r, i) => r.id ?? `test/${r.platform ?? '1000'}/profiles/R${r.platform ?? '1000'}_${String(r.cycle ?? i + 1).padStart(3, '0')}.nc`),
    platform: rows.map((r) => r.platform ?? '1000'),
    dateUpdate: rows.map((r) => r.dateUpdate ?? '20230101000000'),
    direction: rows.map((r) => r.direction ?? 'A').join(''),
    dataMode: rows.map((r) => r.dataMode ?? 'R').join(''),
    positionQc: rows.map((r) => r.positionQc ?? '1').join(''),
    juldQc: rows.map((r) => r.juldQc ?? '1').join(''),
    layouts,
    failures: [],
    excluded: [],
    byteSize: n * 200,
  };
}

export interface FileEntry {
  /** `<dac>/<wmo>/profiles/<file>.nc` */
  id: string;
  bytes: Uint8Array;
  dateUpdate?: string;
}

interface IndexedProfile {
  id: string;
  time: number;
  platform: string;
  cycle: number;
  direction: string;
  dataMode: string;
  lat: number;
  lon: number;
  positionQc: string;
  juldQc: string;
  dateUpdate: string;
  size: number;
  layout: FileLayout;
}

function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/**
 * Month indexes for a set of profile files, as the builder would make them: profiles with a valid
 * time and position only, sorted by time, platform, cycle, direction; slot offsets from the
 * header (base 0, absolute `rel`).
 */
export function indexFiles(files: FileEntry[]): Map<string, MonthIndex> {
  const profiles: IndexedProfile[] = [];
  for (const file of files) {
    const header = parseHeader(file.bytes);
    const slots = new Map(metaVariableRanges(header, { id: file.id }).map((s) => [s.name, s]));
    const meta = extractMeta({
      id: file.id,
      header,
      read: (name) => {
        const s = slots.get(name)!;
        return file.bytes.subarray(s.offset, s.offset + s.length);
      },
    });
    if (meta.timeMs === null || meta.latitude === null || meta.longitude === null) continue;
    const variables: FileLayout['variables'] = {};
    for (const s of levelVariableSlots(header, { id: file.id })) {
      variables[s.name] = {
        type: s.type,
        rel: s.offset,
        length: s.length,
        ...(s.fillValue !== undefined ? { fillValue: s.fillValue } : {}),
        ...(s.validMin !== undefined ? { validMin: s.validMin } : {}),
        ...(s.validMax !== undefined ? { validMax: s.validMax } : {}),
      };
    }
    profiles.push({
      id: file.id,
      time: meta.timeMs,
      platform: meta.platformNumber,
      cycle: meta.cycleNumber,
      direction: meta.direction,
      dataMode: meta.dataMode,
      lat: meta.latitude,
      lon: meta.longitude,
      positionQc: meta.positionQc,
      juldQc: meta.juldQc,
      dateUpdate: file.dateUpdate ?? '20230101000000',
      size: file.bytes.length,
      layout: { nLevels: meta.nLevels, variables },
    });
  }
  profiles.sort(
    (a, b) =>
      a.time - b.time ||
      (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : 0) ||
      a.cycle - b.cycle ||
      (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0),
  );
  const byMonth = new Map<string, IndexedProfile[]>();
  for (const p of profiles) {
    const m = monthOf(p.time);
    if (!byMonth.has(m)) byMonth.set(m, []);
    byMonth.get(m)!.push(p);
  }
  const out = new Map<string, MonthIndex>();
  for (const [month, list] of byMonth) {
    const layouts = list.map((p) => p.layout);
    out.set(
      month,
      monthIndexFromRows(
        month,
        list.map((p, i) => ({ ...p, base: 0, layout: i })),
        layouts,
      ),
    );
  }
  return out;
}

/** The core profile files of the shared sample, with their index `date_update`. */
export async function readSampleFiles(sampleDir: string): Promise<FileEntry[]> {
  const text = await readFile(join(sampleDir, 'ar_index_global_prof.txt'), 'utf8');
  const files: FileEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.startsWith('file,') || line.trim() === '') continue;
    const cols = line.split(',');
    const id = cols[0];
    files.push({ id, dateUpdate: cols[7].trim(), bytes: new Uint8Array(await readFile(join(sampleDir, 'dac', id))) });
  }
  return files;
}

export interface MemoryCatalog extends MonthCatalog {
  loads: string[];
}

export function createMemoryCatalog(months: Map<string, MonthIndex>, options: { delayMs?: number } = {}): MemoryCatalog {
  const loads: string[] = [];
  const wait = (signal?: AbortSignal) =>
    options.delayMs
      ? new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, options.delayMs);
          signal?.addEventListener('abort', () => {
            clearTimeout(timer);
            reject(new AbortedError({ message: 'aborted' }));
          });
        })
      : Promise.resolve();
  return {
    loads,
    async listMonths() {
      return [];
    },
    async monthDetail() {
      return undefined;
    },
    async loadMonth(month, opts) {
      loads.push(month);
      await wait(opts?.signal);
      return months.get(month);
    },
    invalidate() {},
  };
}

export interface FakeGdac extends GdacSource {
  requests: { path: string; range?: ByteRange }[];
  inFlight: number;
  maxInFlight: number;
  aborted: number;
  /** Make reads of paths matching `test` fail (or stall until aborted). */
  fail(test: (path: string) => boolean, error: () => Error): void;
  stall(test: (path: string) => boolean): void;
  /** Delay every answer. */
  latencyMs: number;
  clear(): void;
}

/** A GDAC source over files in memory (GDAC paths `dac/<id>`), counting every request. */
export function createFakeGdac(files: Iterable<FileEntry>): FakeGdac {
  const byPath = new Map<string, Uint8Array>();
  for (const f of files) byPath.set(`dac/${f.id}`, f.bytes);
  const failures: { test: (p: string) => boolean; error: () => Error }[] = [];
  const stalls: ((p: string) => boolean)[] = [];
  const gdac: FakeGdac = {
    description: 'fake gdac',
    requests: [],
    inFlight: 0,
    maxInFlight: 0,
    aborted: 0,
    latencyMs: 0,
    fail(test, error) {
      failures.push({ test, error });
    },
    stall(test) {
      stalls.push(test);
    },
    clear() {
      failures.length = 0;
      stalls.length = 0;
    },
    async get(path, options) {
      return gdac.getRange(path, { offset: 0, length: Number.MAX_SAFE_INTEGER }, options);
    },
    async getRange(path: string, range: ByteRange, options: ReadOptions = {}) {
      gdac.requests.push({ path, range });
      gdac.inFlight++;
      gdac.maxInFlight = Math.max(gdac.maxInFlight, gdac.inFlight);
      try {
        const stalled = stalls.some((s) => s(path));
        if (gdac.latencyMs > 0 || stalled) {
          await new Promise<void>((resolve, reject) => {
            const timer = stalled
              ? undefined
              : setTimeout(() => {
                  options.signal?.removeEventListener('abort', onAbort);
                  resolve();
                }, gdac.latencyMs);
            const onAbort = () => {
              clearTimeout(timer);
              gdac.aborted++;
              reject(new AbortedError({ message: 'GDAC read aborted' }));
            };
            if (options.signal?.aborted) onAbort();
            options.signal?.addEventListener('abort', onAbort, { once: true });
          });
        }
        const failure = failures.find((f) => f.test(path));
        if (failure) throw failure.error();
        const bytes = byPath.get(path);
        if (!bytes) throw new UpstreamNotFoundError({ message: `no ${path}`, context: { path } });
        return bytes.slice(range.offset, Math.min(bytes.length, range.offset + range.length));
      } finally {
        gdac.inFlight--;
      }
    },
    async stream() {
      throw new UpstreamError({ message: 'not supported by the fake' });
    },
    stats(): GdacStats {
      return { requests: gdac.requests.length, bytes: 0, retries: 0, failovers: 0, rangeIgnoredBy: [] };
    },
    async close() {},
  };
  return gdac;
}

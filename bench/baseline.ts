/**
 * The approach users take without the service (argopy's GDAC fetcher, the original Python
 * class): find the window's files in the GDAC profile index, download each file WHOLE, decode it,
 * take the primary profile, and apply the same QC mode, TEOS-10 depth and interpolation (the
 * project's own argo/ functions, so the numbers must agree with the service's exactly).
 *
 * Run in its own process (the parent hosts the mirror):
 *
 *     const r = await runInChild<WholeFileInput, WholeFileResult>({ file: 'bench/baseline.ts', input });
 *
 * The index download is timed apart and not counted in `seconds` or `bytes` (argopy caches the
 * index locally; the service's own index is likewise not counted as GDAC traffic).
 */
import { Pool } from 'undici';
import {
  computeProfile,
  decodeLevels,
  extractMeta,
  levelColumns,
  levelVariableSlots,
  metaVariableRanges,
  profileInclusion,
  type ArgoVariable,
  type QcMode,
} from '../src/argo/index.js';
import { parseHeader, sliceRange } from '../src/netcdf/index.js';
import { toOutputProfile } from '../src/query/output.js';
import type { PlannedProfile } from '../src/query/planner.js';
import type { OutputProfile } from '../src/query/types.js';
import { isMain, serveChild } from './children.js';

export interface WholeFileInput {
  /** GDAC root URL (the mirror). */
  url: string;
  startMs: number;
  endMs: number;
  levels: number[];
  variables: ArgoVariable[];
  mode: QcMode;
  /** Files downloaded at once (1: sequential, like a plain loop). */
  concurrency: number;
  /**
   * Calibration instead of the approach: read only the first `probeBytes` of each file (one
   * Range request, nothing decoded), to time the GDAC round trips alone.
   */
  probeBytes?: number;
}

export interface WholeFileResult {
  /** Index rows whose date falls in the window (± 1 s: the index date is rounded). */
  candidates: number;
  /** Profiles returned (in the window by JULD, included by the QC mode). */
  profiles: number;
  /** Body bytes of the profile files downloaded. */
  bytes: number;
  requests: number;
  /** From the first file request to the last profile computed. */
  seconds: number;
  indexSeconds: number;
  indexBytes: number;
  outputs: OutputProfile[];
}

const INDEX_PATH = 'ar_index_global_prof.txt';

/** `YYYYMMDDHHMMSS` → epoch ms (UTC), NaN when empty or malformed. */
export function parseGdacDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s.trim());
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

/** The GDAC paths of the index rows dated within `[startMs - 1 s, endMs + 1 s)`. */
export function candidatesFromIndex(text: string, startMs: number, endMs: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || line.startsWith('file,')) continue;
    const [file, date] = line.split(',', 3);
    const t = parseGdacDate(date ?? '');
    if (t >= startMs - 1000 && t < endMs + 1000) out.push(file);
  }
  return out;
}

async function getWhole(pool: Pool, path: string, probeBytes?: number): Promise<Uint8Array> {
  const headers = probeBytes ? { range: `bytes=0-${probeBytes - 1}` } : undefined;
  const res = await pool.request({ method: 'GET', path, headers });
  const body = new Uint8Array(await res.body.arrayBuffer());
  if (res.statusCode !== (probeBytes ? 206 : 200)) throw new Error(`GET ${path}: status ${res.statusCode}`);
  return body;
}

/** The primary profile of a whole file, as the service would return it, or null when not returned. */
export function profileFromWholeFile(
  id: string,
  bytes: Uint8Array,
  q: Pick<WholeFileInput, 'startMs' | 'endMs' | 'levels' | 'variables' | 'mode'>,
): { timeMs: number; output: OutputProfile } | null {
  const header = parseHeader(bytes, { fileSize: bytes.length });
  const metaSlots = new Map(metaVariableRanges(header, { id }).map((s) => [s.name, s]));
  const meta = extractMeta({ id, header, read: (name) => sliceRange(bytes, metaSlots.get(name)!) });
  if (meta.timeMs === null || meta.timeMs < q.startMs || meta.timeMs >= q.endMs) return null;
  if (meta.latitude === null || meta.longitude === null) return null;
  if (!profileInclusion(meta, q.mode).included) return null;
  const slots = levelVariableSlots(header, { id });
  const levels = decodeLevels({ nLevels: meta.nLevels, columns: levelColumns(slots, (s) => sliceRange(bytes, s)) });
  const computed = computeProfile({
    meta,
    levels,
    options: { mode: q.mode, vertical: 'depth', variables: q.variables, targets: Float64Array.from(q.levels) },
  });
  // toOutputProfile only reads the metadata fields; the range-reading fields do not apply here.
  const planned: PlannedProfile = {
    id,
    platformNumber: meta.platformNumber,
    cycleNumber: meta.cycleNumber,
    direction: meta.direction,
    dataMode: meta.dataMode,
    timeMs: meta.timeMs,
    latitude: meta.latitude,
    longitude: meta.longitude,
    positionQc: meta.positionQc,
    juldQc: meta.juldQc,
    dateUpdate: '',
    base: 0,
    size: bytes.length,
    layout: { nLevels: meta.nLevels, variables: {} },
  };
  return { timeMs: meta.timeMs, output: toOutputProfile(planned, computed, q.variables) };
}

/** SEMANTICS.md's order: time, then platform, cycle, direction ('A' before 'D'). */
export function compareOutput(a: OutputProfile, b: OutputProfile): number {
  return (
    Date.parse(a.time) - Date.parse(b.time) ||
    (a.platform_number < b.platform_number ? -1 : a.platform_number > b.platform_number ? 1 : 0) ||
    a.cycle_number - b.cycle_number ||
    (a.direction < b.direction ? -1 : a.direction > b.direction ? 1 : 0)
  );
}

export async function runWholeFile(input: WholeFileInput): Promise<WholeFileResult> {
  const root = new URL(input.url.endsWith('/') ? input.url : `${input.url}/`);
  const pool = new Pool(root.origin, { connections: input.concurrency, pipelining: 1 });
  const pathOf = (p: string): string => `${root.pathname}${p}`;
  try {
    const t0 = performance.now();
    const indexBytes = await getWhole(pool, pathOf(INDEX_PATH));
    const candidates = candidatesFromIndex(new TextDecoder().decode(indexBytes), input.startMs, input.endMs);
    const indexSeconds = (performance.now() - t0) / 1000;

    const started = performance.now();
    const outputs: OutputProfile[] = [];
    let bytes = 0;
    let requests = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(input.concurrency, candidates.length) }, async () => {
        while (next < candidates.length) {
          const file = candidates[next++];
          const body = await getWhole(pool, pathOf(`dac/${file}`), input.probeBytes);
          requests++;
          bytes += body.length;
          if (input.probeBytes) continue;
          const profile = profileFromWholeFile(file, body, input);
          if (profile) outputs.push(profile.output);
        }
      }),
    );
    outputs.sort(compareOutput);
    const seconds = (performance.now() - started) / 1000;
    return {
      candidates: candidates.length,
      profiles: outputs.length,
      bytes,
      requests,
      seconds,
      indexSeconds,
      indexBytes: indexBytes.length,
      outputs,
    };
  } finally {
    await pool.close();
  }
}

if (isMain(import.meta.url)) serveChild(runWholeFile);

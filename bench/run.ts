/**
 * `npm run bench`: the service's speed and memory on a realistic GDAC month, against the
 * whole-file approach users would otherwise take, with the targets each figure must meet.
 *
 *     npm run bench                         # ~13,000 profiles, 20 ms mirror latency (< 5 min on 2 cores)
 *     npm run bench -- --quick              # smoke run for CI: asserts the harness works, never a timing
 *     npm run bench -- --latency 0 --profiles 5000 --only build,index
 *     npm run bench -- --cpu-prof           # also CPU-profiles a build, a cold and the warm server (bench/.cache/profiles/)
 *
 * Phases: generate (cached month under bench/.cache) → build (0 ms and --latency, child process,
 * peak RSS) → index (bytes/profile, load time) → cold (1-day window, fresh server, TTFB/total,
 * bytes per profile) → warm (8 clients from a load-generator process) → baseline (whole files,
 * sequential and 8 at once; answers compared) → packs (1-day and whole-month windows from the
 * month's data pack and from GDAC ranges, --latency on the store as well, cold and warm) → nocache (ARGO_PROFILE_CACHE_MB=0, ARGO_RESPONSE_CACHE_MB=0) → liveness
 * (/healthz latency while the heaviest warm queries the ceilings allow run, 1 and 5 at once) → months
 * (server RSS with 24 months cached). The GDAC is the test mirror (test/kit/gdac-mirror.ts) on
 * loopback; the index store is a local directory in a temp dir.
 *
 * Results: the Markdown table on stdout and `bench/results/latest.json` (every figure, machine,
 * commit; a --quick run writes `bench/.cache/quick.json` instead, so it never replaces the full
 * run's figures). Exit status 1 when --quick finds a phase without numbers or answers that differ.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createMonthCatalog } from '../src/month-index/catalog.js';
import { coalesceRanges } from '../src/query/ranges.js';
import type { OutputProfile } from '../src/query/types.js';
import { levelVariablesToRead } from '../src/query/variables.js';
import type { MonthCatalog } from '../src/month-index/types.js';
import { createBlobStore, type BlobStore } from '../src/storage/index.js';
import { startGdacMirror, type GdacMirror } from '../test/kit/gdac-mirror.js';
import { compareOutput, type WholeFileInput, type WholeFileResult } from './baseline.js';
import type { BuildInput, BuildOutput } from './build.js';
import { runChildrenFrom, runInChild } from './children.js';
import { compileForChildren } from './compile.js';
import { summarizeCpuProfiles, type CpuSummary, type FunctionTime } from './cpu-profile.js';
import { BENCH_DIR, CACHE_DIR, REPO_ROOT, ensureMonth, monthBounds, type MonthSource } from './generate.js';
import type { LoadInput, LoadResult } from './load.js';
import { writeShiftedMonths } from './months.js';
import { gitInfo, machineInfo, markdownTable, met, writeJson, type Figure } from './report.js';
import { startServer, type BenchServer } from './server.js';

const PHASES = ['build', 'index', 'cold', 'warm', 'baseline', 'packs', 'nocache', 'liveness', 'months'] as const;
type Phase = (typeof PHASES)[number];

/** The window's target levels (m) and variables: what a dashboard asks for. */
const LEVELS = [0, 5, 10, 20, 30, 50, 75, 100, 150, 200, 300, 400, 500, 700, 1000, 1500, 2000];
const VARIABLES = ['TEMP', 'PSAL'] as const;
const MB = 1024 * 1024;

interface Options {
  quick: boolean;
  profiles: number;
  latency: number;
  seed: number;
  month: string;
  source: MonthSource | 'auto';
  only: Set<Phase>;
  warmSeconds: number;
  coldRuns: number;
  loadRuns: number;
  months: number;
  clients: number;
  cpuProf: boolean;
  tsx: boolean;
  out: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      profiles: { type: 'string' },
      latency: { type: 'string' },
      seed: { type: 'string' },
      month: { type: 'string' },
      source: { type: 'string' },
      only: { type: 'string' },
      'warm-seconds': { type: 'string' },
      'cold-runs': { type: 'string' },
      months: { type: 'string' },
      clients: { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      tsx: { type: 'boolean', default: false },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      [
        'npm run bench -- [options]',
        '  --quick             small smoke run (300 profiles, 3 months, 1 s warm phase); asserts, never times',
        '  --profiles N        profiles in the month (default 13000)',
        '  --latency MS        mirror latency for the timed phases (default 20)',
        '  --seed N            generator seed (default 1)',
        '  --month YYYY-MM     the generated month (default 2023-04)',
        '  --source S          auto | templates | synthetic (default auto: templates when ../shared is there)',
        `  --only LIST         phases: ${PHASES.join(',')} (prerequisites run unreported)`,
        '  --warm-seconds S    warm phase length (default 10)',
        '  --cold-runs N       fresh servers for the cold window (default 3, median)',
        '  --months N          months cached for the RSS figure (default 24)',
        '  --clients N         concurrent clients in the warm phase (default 8)',
        '  --cpu-prof          also profile a build, a cold and the warm server (bench/.cache/profiles/)',
        '  --tsx               run the child processes through tsx instead of transpiled JavaScript',
        '  --out PATH          results file (default bench/results/latest.json; --quick: bench/.cache/quick.json)',
        '',
      ].join('\n'),
    );
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const num = (v: string | undefined, fallback: number, name: string): number => {
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: a number ≥ 0, got ${JSON.stringify(v)}`);
    return n;
  };
  const only = new Set<Phase>();
  for (const p of (values.only ?? PHASES.join(',')).split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(PHASES as readonly string[]).includes(p)) throw new Error(`--only: unknown phase ${p} (phases: ${PHASES.join(', ')})`);
    only.add(p as Phase);
  }
  const source = values.source ?? 'auto';
  if (!['auto', 'templates', 'synthetic'].includes(source)) throw new Error(`--source: auto, templates or synthetic, got ${source}`);
  return {
    quick,
    profiles: Math.round(num(values.profiles, quick ? 300 : 13000, 'profiles')),
    latency: num(values.latency, 20, 'latency'),
    seed: Math.round(num(values.seed, 1, 'seed')),
    month: values.month ?? '2023-04',
    source: source as Options['source'],
    only,
    warmSeconds: num(values['warm-seconds'], quick ? 1 : 10, 'warm-seconds'),
    coldRuns: Math.max(1, Math.round(num(values['cold-runs'], quick ? 1 : 3, 'cold-runs'))),
    loadRuns: 1,
    months: Math.max(1, Math.round(num(values.months, quick ? 3 : 24, 'months'))),
    clients: Math.max(1, Math.round(num(values.clients, 8, 'clients'))),
    cpuProf: values['cpu-prof'] ?? false,
    tsx: values.tsx ?? false,
    // A quick run must not replace the full run's committed figures.
    out: values.out ?? (quick ? join(CACHE_DIR, 'quick.json') : join(BENCH_DIR, 'results', 'latest.json')),
  };
}

const t0 = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench +${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
};

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function windowQuery(startMs: number, endMs: number): string {
  const p = new URLSearchParams({
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    depth: LEVELS.join(','),
    variables: VARIABLES.join(','),
    mode: 'standard',
    format: 'ndjson',
    max_profiles: '10000',
  });
  return `/v1/profiles?${p.toString()}`;
}

interface WindowAnswer {
  ttfbMs: number;
  totalMs: number;
  status: number;
  matched: number;
  profiles: OutputProfile[];
  bodyBytes: number;
}

/** One window request: time to the response headers, time to the last byte, the parsed profiles. */
async function fetchWindow(baseUrl: string, path: string): Promise<WindowAnswer> {
  const t0 = performance.now();
  const res = await request(`${baseUrl}${path}`, { method: 'GET' });
  const ttfbMs = performance.now() - t0;
  const text = await res.body.text();
  const totalMs = performance.now() - t0;
  if (res.statusCode !== 200) throw new Error(`GET ${path}: status ${res.statusCode}: ${text.slice(0, 500)}`);
  const profiles: OutputProfile[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const obj = JSON.parse(line) as OutputProfile & { error?: { status: number; message: string } };
    if (obj.error) throw new Error(`GET ${path}: error line in the body: ${JSON.stringify(obj.error)}`);
    profiles.push(obj);
  }
  return {
    ttfbMs,
    totalMs,
    status: res.statusCode,
    matched: Number(res.headers['x-argo-profiles-matched'] ?? NaN),
    profiles,
    bodyBytes: Buffer.byteLength(text),
  };
}

/**
 * The heaviest query the default ceilings allow: the whole month (max_profiles 10,000), 1,000
 * depth levels, TEMP and PSAL, NDJSON.
 */
function heavyQuery(startMs: number, endMs: number): string {
  const p = new URLSearchParams({
    start: new Date(startMs).toISOString(),
    end: new Date(endMs).toISOString(),
    depth: '0:1998:2',
    variables: VARIABLES.join(','),
    format: 'ndjson',
    max_profiles: '10000',
  });
  return `/v1/profiles?${p.toString()}`;
}

/** GET, read to the end as fast as it comes (no Accept-Encoding: not compressed); bytes and lines. */
async function drain(url: string): Promise<{ status: number; bytes: number; lines: number }> {
  const res = await request(url, { method: 'GET' });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body) {
    const b = chunk as Buffer;
    bytes += b.length;
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) lines++;
  }
  return { status: res.statusCode, bytes, lines };
}

/** /healthz answer times (ms), polled every 20 ms from this process until `stop` fires. */
async function pollHealthz(baseUrl: string, stop: AbortSignal): Promise<number[]> {
  const times: number[] = [];
  while (!stop.aborted) {
    const t = performance.now();
    const res = await request(`${baseUrl}/healthz`, { method: 'GET' });
    await res.body.arrayBuffer();
    times.push(res.statusCode === 200 ? performance.now() - t : Infinity);
    await new Promise((r) => setTimeout(r, 20));
  }
  return times.sort((a, b) => a - b);
}

/** Compares two answers profile by profile (ids, order, metadata, every value to 1e-6). */
function compareAnswers(service: readonly OutputProfile[], baseline: readonly OutputProfile[]): { compared: number; mismatches: string[] } {
  const mismatches: string[] = [];
  if (service.length !== baseline.length) mismatches.push(`service returned ${service.length} profiles, whole-file ${baseline.length}`);
  const n = Math.min(service.length, baseline.length);
  const close = (a: unknown, b: unknown): boolean =>
    a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-6);
  for (let i = 0; i < n && mismatches.length < 20; i++) {
    const s = service[i] as unknown as Record<string, unknown>;
    const b = baseline[i] as unknown as Record<string, unknown>;
    for (const key of ['id', 'platform_number', 'cycle_number', 'direction', 'data_mode', 'time', 'latitude', 'longitude']) {
      if (!close(s[key], b[key])) mismatches.push(`#${i} ${String(b.id)}: ${key} ${JSON.stringify(s[key])} ≠ ${JSON.stringify(b[key])}`);
    }
    for (const key of ['depth', ...VARIABLES]) {
      const sa = s[key] as (number | null)[] | null | undefined;
      const ba = b[key] as (number | null)[] | null | undefined;
      if (sa === null || ba === null || sa === undefined || ba === undefined) {
        if (sa !== ba) mismatches.push(`#${i} ${String(b.id)}: ${key} ${JSON.stringify(sa)} ≠ ${JSON.stringify(ba)}`);
        continue;
      }
      if (sa.length !== ba.length || sa.some((v, j) => !close(v, ba[j]))) {
        mismatches.push(`#${i} ${String(b.id)}: ${key} differs: ${JSON.stringify(sa)} ≠ ${JSON.stringify(ba)}`);
      }
    }
  }
  return { compared: n, mismatches };
}

/** A local index store and fresh month catalogs over it, configured with the service's defaults. */
function openStore(storeDir: string): { store: BlobStore; freshCatalog: () => MonthCatalog } {
  const config = parseConfig({ LOG_LEVEL: 'silent', ARGO_INDEX_STORE: storeDir });
  const logger = createLogger(config);
  const store = createBlobStore({ location: storeDir });
  const freshCatalog = (): MonthCatalog =>
    createMonthCatalog({ store, monthCacheBytes: config.cache.monthBytes, masterTtlMs: config.cache.masterTtlMs, logger });
  return { store, freshCatalog };
}

/**
 * From the built month index: per window profile, the bytes of the level rows the query needs
 * (the floor for range reads) and of the spans the reader asks once neighbours are merged.
 */
async function rowsNeeded(storeDir: string, month: string, startMs: number, endMs: number): Promise<{ profiles: number; neededPerProfile: number; coalescedPerProfile: number; wholePerProfile: number }> {
  const { store, freshCatalog } = openStore(storeDir);
  try {
    const index = await freshCatalog().loadMonth(month);
    assert.ok(index, `month ${month} is not built`);
    let profiles = 0;
    let needed = 0;
    let coalesced = 0;
    let whole = 0;
    for (let i = 0; i < index.count; i++) {
      if (index.time[i] < startMs || index.time[i] >= endMs) continue;
      const layout = index.layouts[index.layout[i]];
      const slots = levelVariablesToRead({ mode: 'standard', dataMode: index.dataMode[i], variables: VARIABLES })
        .map((name) => layout.variables[name])
        .filter((slot) => slot !== undefined)
        .map((slot) => ({ offset: slot.rel, length: slot.length }));
      profiles++;
      needed += slots.reduce((sum, r) => sum + r.length, 0);
      coalesced += coalesceRanges(slots).reduce((sum, r) => sum + r.length, 0);
      whole += index.size[i];
    }
    return { profiles, neededPerProfile: needed / profiles, coalescedPerProfile: coalesced / profiles, wholePerProfile: whole / profiles };
  } finally {
    await store.close?.();
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const wants = (p: Phase): boolean => o.only.has(p);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  const add = (f: Figure): void => {
    figures.push(f);
  };
  // Profiles are large and machine-specific: kept out of the repo, under the ignored cache.
  const cpuProfDir = join(CACHE_DIR, 'profiles');
  let cpu: Record<string, CpuSummary> | undefined;

  const loadAtStart = os.loadavg();
  if (loadAtStart[0] > os.cpus().length * 0.5) {
    log(`warning: load average ${loadAtStart[0].toFixed(1)} on ${os.cpus().length} cores: other work will skew the timings`);
  }
  log(`${o.quick ? 'quick' : 'full'} run: ${o.profiles} profiles, month ${o.month}, latency ${o.latency} ms, phases ${[...o.only].join(',')}`);

  // Children run transpiled JavaScript, as production runs compiled code (see compile.ts).
  if (!o.tsx) runChildrenFrom(await compileForChildren(log));

  // ---- generate
  const month = await ensureMonth({ month: o.month, profiles: o.profiles, seed: o.seed, source: o.source, log });
  const { startMs: monthStart } = monthBounds(o.month);
  // The window: the 15th of the month, a whole day (UTC).
  const windowStart = monthStart + 14 * 86_400_000;
  const windowEnd = windowStart + 86_400_000;
  const windowPath = windowQuery(windowStart, windowEnd);
  details.generate = {
    // Relative to the working directory: a committed result names no machine's folders.
    root: relative(process.cwd(), month.root) || '.',
    cached: month.cached,
    seconds: month.seconds,
    source: month.manifest.source,
    profiles: month.manifest.profiles.length,
    platforms: month.manifest.platforms,
    meanFileBytes: month.manifest.totalBytes / month.manifest.profiles.length,
    templates: month.manifest.templates.length,
    window: { start: new Date(windowStart).toISOString(), end: new Date(windowEnd).toISOString(), levels: LEVELS, variables: VARIABLES, mode: 'standard' },
  };

  const work = await mkdtemp(join(os.tmpdir(), 'argo-bench-'));
  const mirror: GdacMirror = await startGdacMirror({ root: month.root, latencyMs: 0 });
  const servers = new Set<BenchServer>();
  const serviceEnv = (store: string, extra: Record<string, string> = {}): Record<string, string> => ({
    ARGO_GDAC: mirror.url,
    ARGO_INDEX_STORE: store,
    LOG_LEVEL: 'error',
    // The phases before `packs` measure the GDAC-range path; the build writes packs, so `auto`
    // would answer them from the pack.
    ARGO_QUERY_SOURCE: 'gdac',
    // The bench measures the service, not the overload guard: a loaded 2-core box can exceed 1 s.
    ARGO_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...extra,
  });
  const server = async (env: Record<string, string>, execArgv?: string[], storeLatencyMs?: number): Promise<BenchServer> => {
    const s = await startServer({ env, execArgv, ...(storeLatencyMs !== undefined ? { storeLatencyMs } : {}) });
    servers.add(s);
    return s;
  };
  const stopServer = async (s: BenchServer): Promise<void> => {
    servers.delete(s);
    await s.stop();
  };

  let serviceAnswer: OutputProfile[] | undefined;
  try {
    // ---- build (0 ms always: the query phases read its store)
    const storeMain = join(work, 'store-main');
    const build = async (latencyMs: number, store: string, execArgv?: string[], packs = true): Promise<BuildOutput> => {
      mirror.setLatency(latencyMs);
      mirror.resetStats();
      const r = await runInChild<BuildInput, BuildOutput>({
        file: 'bench/build.ts',
        input: { env: serviceEnv(store), months: [o.month], packs },
        execArgv,
      });
      log(`build @${latencyMs} ms${packs ? '' : ', no packs'}: ${r.profiles} profiles in ${r.seconds.toFixed(2)} s (${(r.profiles / r.seconds).toFixed(0)}/s), peak RSS ${(r.maxRss / MB).toFixed(0)} MB, ${mirror.stats.requests} requests`);
      return r;
    };
    const needsStore = PHASES.some((p) => p !== 'build' && wants(p));
    if (wants('build') || needsStore) {
      const b0 = await build(0, storeMain);
      const mirrorRequests0 = mirror.stats.requests;
      const mirrorBytes0 = mirror.stats.bytes;
      if (wants('build')) {
        add({ key: 'build_rate_0ms', phase: 'build', label: 'Build throughput, 0 ms latency', value: b0.profiles / b0.seconds, unit: 'profiles/s', digits: 0, target: { op: '>=', value: 1000 } });
        add({ key: 'build_peak_rss', phase: 'build', label: 'Build peak RSS (child process)', value: b0.maxRss / MB, unit: 'MB', digits: 0 });
        add({ key: 'build_bytes_per_profile', phase: 'build', label: 'Build: GDAC bytes read per profile', value: mirrorBytes0 / b0.profiles, unit: 'B', digits: 0 });
        const storeNoPacks = join(work, 'store-nopacks');
        const bN = await build(0, storeNoPacks, undefined, false);
        add({ key: 'build_rate_0ms_nopacks', phase: 'build', label: 'Build throughput without packs, 0 ms latency', value: bN.profiles / bN.seconds, unit: 'profiles/s', digits: 0 });
        // Packs may cost at most a fifth of the build's throughput (issue 12).
        add({ key: 'build_ratio_packs', phase: 'build', label: 'Build throughput: with packs ÷ without', value: bN.seconds / b0.seconds, unit: '×', digits: 2, target: { op: '>=', value: 0.8 } });
        await rm(storeNoPacks, { recursive: true, force: true });
        const storeLatency = join(work, 'store-latency');
        const bL = await build(o.latency, storeLatency);
        add({ key: 'build_rate_latency', phase: 'build', label: `Build throughput, ${o.latency} ms latency`, value: bL.profiles / bL.seconds, unit: 'profiles/s', digits: 0 });
        await rm(storeLatency, { recursive: true, force: true });
        // The same ratio where the build waits on the GDAC, as in production: the pack's worker
        // thread has idle CPU to use. At 0 ms both threads compete for the cores (docs/data-packs.md).
        const storeLatencyNoPacks = join(work, 'store-latency-nopacks');
        const bLN = await build(o.latency, storeLatencyNoPacks, undefined, false);
        add({ key: 'build_rate_latency_nopacks', phase: 'build', label: `Build throughput without packs, ${o.latency} ms latency`, value: bLN.profiles / bLN.seconds, unit: 'profiles/s', digits: 0 });
        add({ key: 'build_ratio_packs_latency', phase: 'build', label: `Build throughput: with packs ÷ without, ${o.latency} ms latency`, value: bLN.seconds / bL.seconds, unit: '×', digits: 2, target: { op: '>=', value: 0.8 } });
        await rm(storeLatencyNoPacks, { recursive: true, force: true });
        details.build = {
          zeroLatency: { ...b0, mirrorRequests: mirrorRequests0, mirrorBytes: mirrorBytes0, job: undefined, results: b0.job.results },
          withLatency: { ...bL, latencyMs: o.latency, job: undefined, results: bL.job.results },
        };
      }
    }

    // ---- index: size and load time
    if (wants('index')) {
      const { store, freshCatalog } = openStore(storeMain);
      const summary = (await freshCatalog().listMonths()).find((m) => m.month === o.month);
      assert.ok(summary, `month ${o.month} is not in the built store`);
      const object = await store.get(summary.key);
      assert.ok(object, `month object ${summary.key} is missing`);
      const runs = o.quick ? 5 : 21;
      const times: number[] = [];
      for (let i = 0; i < runs + 2; i++) {
        const catalog = freshCatalog();
        const t0 = performance.now();
        const index = await catalog.loadMonth(o.month);
        const ms = performance.now() - t0;
        assert.ok(index && index.count === summary.profiles, 'loadMonth returned another month');
        if (i >= 2) times.push(ms); // the first two warm up the JIT and the page cache
      }
      add({ key: 'index_bytes_per_profile', phase: 'index', label: 'Month index size', value: object.body.length / summary.profiles, unit: 'B/profile', digits: 1, target: { op: '<=', value: 150 } });
      add({ key: 'index_load_ms', phase: 'index', label: 'Month index load (fetch + decompress + parse, median)', value: median(times), unit: 'ms', digits: 1, target: { op: '<=', value: 60 } });
      add({ key: 'index_load_min_ms', phase: 'index', label: 'Month index load, fastest of the runs', value: Math.min(...times), unit: 'ms', digits: 1 });
      details.index = { key: summary.key, bytes: object.body.length, profiles: summary.profiles, loadMs: times, storeBytes: await dirBytes(storeMain) };
      await store.close?.();
    }

    // ---- cold: fresh server processes, the window at --latency
    let warmServer: BenchServer | undefined;
    let coldBytesPerProfile = NaN;
    let coldTotalMs = NaN;
    if (wants('cold') || wants('warm') || wants('baseline')) {
      mirror.setLatency(o.latency);
      const runs: { ttfbMs: number; totalMs: number; bytes: number; requests: number; profiles: number }[] = [];
      for (let i = 0; i < o.coldRuns; i++) {
        const s = await server(serviceEnv(storeMain));
        mirror.resetStats();
        const a = await fetchWindow(s.url, windowPath);
        runs.push({ ttfbMs: a.ttfbMs, totalMs: a.totalMs, bytes: mirror.stats.bytes, requests: mirror.stats.requests, profiles: a.profiles.length });
        serviceAnswer = a.profiles;
        log(`cold #${i + 1}: ${a.profiles.length} profiles (matched ${a.matched}), TTFB ${a.ttfbMs.toFixed(0)} ms, total ${a.totalMs.toFixed(0)} ms, ${mirror.stats.requests} GDAC requests, ${(mirror.stats.bytes / 1024).toFixed(0)} KiB`);
        if (i === o.coldRuns - 1) warmServer = s;
        else await stopServer(s);
      }
      coldTotalMs = median(runs.map((r) => r.totalMs));
      coldBytesPerProfile = median(runs.map((r) => r.bytes / r.profiles));
      if (wants('cold')) {
        add({ key: 'window_profiles', phase: 'cold', label: '1-day window: profiles returned', value: serviceAnswer?.length ?? NaN, unit: '', digits: 0 });
        add({ key: 'cold_ttfb_ms', phase: 'cold', label: `Cold 1-day window, time to first byte (${o.latency} ms latency)`, value: median(runs.map((r) => r.ttfbMs)), unit: 'ms', digits: 0 });
        add({ key: 'cold_total_s', phase: 'cold', label: `Cold 1-day window, total (${o.latency} ms latency)`, value: coldTotalMs / 1000, unit: 's', digits: 2, target: { op: '<=', value: 1 } });
        add({ key: 'cold_bytes_per_profile', phase: 'cold', label: 'GDAC bytes read per profile (service, cold)', value: coldBytesPerProfile, unit: 'B', digits: 0 });
        add({ key: 'cold_requests_per_profile', phase: 'cold', label: 'GDAC requests per profile (service, cold)', value: median(runs.map((r) => r.requests / r.profiles)), unit: '', digits: 2 });
      }
      const floor = await rowsNeeded(storeMain, o.month, windowStart, windowEnd);
      if (wants('cold')) {
        add({ key: 'rows_needed_per_profile', phase: 'cold', label: 'Bytes of the rows the window needs per profile (range-read floor)', value: floor.neededPerProfile, unit: 'B', digits: 0 });
        add({ key: 'coalesced_per_profile', phase: 'cold', label: 'Bytes per profile once rows < 16 KiB apart are merged (what the reader asks)', value: floor.coalescedPerProfile, unit: 'B', digits: 0 });
        // What the download pool costs: the same cold window with twice the GDAC connections.
        const s16 = await server(serviceEnv(storeMain, { ARGO_DOWNLOAD_WORKERS: '16' }));
        const a16 = await fetchWindow(s16.url, windowPath);
        await stopServer(s16);
        log(`cold with ARGO_DOWNLOAD_WORKERS=16: total ${a16.totalMs.toFixed(0)} ms`);
        add({ key: 'cold_total_workers16_s', phase: 'cold', label: `Cold 1-day window, total, ARGO_DOWNLOAD_WORKERS=16 (${o.latency} ms latency)`, value: a16.totalMs / 1000, unit: 's', digits: 2 });
      }
      details.cold = { latencyMs: o.latency, runs, query: windowPath, floor };
    }

    // ---- warm: the same server, 8 clients from a separate process
    if (warmServer) {
      if (wants('warm')) {
        mirror.resetStats();
        const url = `${warmServer.url}${windowPath}`;
        const warmupMs = o.quick ? 300 : 2000;
        const single = await runInChild<LoadInput, LoadResult>({
          file: 'bench/load.ts',
          input: { url, connections: 1, durationMs: (o.warmSeconds * 1000) / 2, warmupMs },
        });
        const load = await runInChild<LoadInput, LoadResult>({
          file: 'bench/load.ts',
          input: { url, connections: o.clients, durationMs: o.warmSeconds * 1000, warmupMs },
        });
        log(`warm, 1 client: ${single.requests} requests, ${single.requestsPerSecond.toFixed(1)}/s, p50 ${single.latencyMs.p50.toFixed(1)} ms, p99 ${single.latencyMs.p99.toFixed(1)} ms`);
        log(`warm, ${o.clients} clients: ${load.requests} requests in ${load.seconds.toFixed(1)} s (${load.requestsPerSecond.toFixed(1)}/s), p50 ${load.latencyMs.p50.toFixed(1)} ms, p99 ${load.latencyMs.p99.toFixed(1)} ms, ${load.errors} errors, GDAC requests ${mirror.stats.requests}`);
        assert.equal(load.errors + single.errors, 0, `warm phase errors: ${JSON.stringify({ ...single.statuses, ...load.statuses })}`);
        add({ key: 'warm_p50_ms', phase: 'warm', label: `Warm 1-day window p50 (${o.clients} clients)`, value: load.latencyMs.p50, unit: 'ms', digits: 1, target: { op: '<=', value: 10 } });
        add({ key: 'warm_p99_ms', phase: 'warm', label: `Warm 1-day window p99 (${o.clients} clients)`, value: load.latencyMs.p99, unit: 'ms', digits: 1 });
        add({ key: 'warm_rps', phase: 'warm', label: `Warm 1-day window throughput (${o.clients} clients)`, value: load.requestsPerSecond, unit: 'req/s', digits: 1 });
        add({ key: 'warm_single_p50_ms', phase: 'warm', label: 'Warm 1-day window p50 (1 client)', value: single.latencyMs.p50, unit: 'ms', digits: 1 });
        add({ key: 'warm_single_p99_ms', phase: 'warm', label: 'Warm 1-day window p99 (1 client)', value: single.latencyMs.p99, unit: 'ms', digits: 1 });
        add({ key: 'warm_gdac_requests', phase: 'warm', label: 'Warm phase: GDAC requests', value: mirror.stats.requests, unit: '', digits: 0 });
        details.warm = {
          clients: { ...load, responseBytes: load.bodyBytes / Math.max(1, load.requests) },
          single,
          gdacRequests: mirror.stats.requests,
          gdacBytes: mirror.stats.bytes,
        };
      }
      await stopServer(warmServer);
    }

    // ---- baseline: whole files, sequential and 8 at once
    if (wants('baseline')) {
      mirror.setLatency(o.latency);
      const input: WholeFileInput = {
        url: mirror.url,
        startMs: windowStart,
        endMs: windowEnd,
        levels: LEVELS,
        variables: [...VARIABLES],
        mode: 'standard',
        concurrency: 1,
      };
      const results: Record<string, WholeFileResult> = {};
      for (const concurrency of [1, o.clients]) {
        const r = await runInChild<WholeFileInput, WholeFileResult>({ file: 'bench/baseline.ts', input: { ...input, concurrency } });
        results[concurrency] = r;
        log(`whole-file ×${concurrency}: ${r.profiles} profiles from ${r.requests} files in ${r.seconds.toFixed(2)} s, ${(r.bytes / r.profiles / 1024).toFixed(1)} KiB/profile`);
      }
      const seq = results[1];
      const par = results[o.clients];
      // Calibration: the same files, one 4 KiB range each, nothing decoded: the GDAC round trips alone.
      const probe = await runInChild<WholeFileInput, WholeFileResult>({ file: 'bench/baseline.ts', input: { ...input, concurrency: 8, probeBytes: 4096 } });
      log(`round-trip floor: ${probe.requests} small range requests, 8 at a time, in ${probe.seconds.toFixed(2)} s`);
      add({ key: 'roundtrip_floor_s', phase: 'baseline', label: `Round-trip floor: one small range per window file, 8 at a time (${o.latency} ms latency)`, value: probe.seconds, unit: 's', digits: 2 });
      add({ key: 'wholefile_seq_s', phase: 'baseline', label: 'Whole-file approach, sequential: total', value: seq.seconds, unit: 's', digits: 2 });
      add({ key: 'wholefile_par_s', phase: 'baseline', label: `Whole-file approach, ${o.clients} at once: total`, value: par.seconds, unit: 's', digits: 2 });
      add({ key: 'wholefile_bytes_per_profile', phase: 'baseline', label: 'Whole-file approach: GDAC bytes per profile', value: par.bytes / par.profiles, unit: 'B', digits: 0 });
      add({ key: 'ratio_bytes', phase: 'baseline', label: 'Bytes per profile: whole-file ÷ service', value: par.bytes / par.profiles / coldBytesPerProfile, unit: '×', digits: 1, target: { op: '>=', value: 10 } });
      if (details.cold) {
        const floor = (details.cold as { floor: { neededPerProfile: number } }).floor;
        add({ key: 'ratio_bytes_floor', phase: 'baseline', label: 'Bytes per profile: whole-file ÷ rows needed (best a range reader can do)', value: par.bytes / par.profiles / floor.neededPerProfile, unit: '×', digits: 1 });
      }
      add({ key: 'ratio_cold_seq', phase: 'baseline', label: 'Cold time: whole-file sequential ÷ service', value: (seq.seconds * 1000) / coldTotalMs, unit: '×', digits: 1 });
      add({ key: 'ratio_cold_par', phase: 'baseline', label: `Cold time: whole-file ${o.clients} at once ÷ service`, value: (par.seconds * 1000) / coldTotalMs, unit: '×', digits: 1, target: { op: '>=', value: 10 } });
      let mismatches: string[] = [];
      if (serviceAnswer) {
        const check = compareAnswers(serviceAnswer, [...par.outputs].sort(compareOutput));
        const checkSeq = compareAnswers(seq.outputs, par.outputs);
        mismatches = [...check.mismatches, ...checkSeq.mismatches.map((m) => `sequential vs parallel: ${m}`)];
        add({ key: 'answers_differ', phase: 'baseline', label: 'Window profiles that differ, service vs whole-file', value: mismatches.length, unit: '', digits: 0, target: { op: '<=', value: 0 }, note: `${check.compared} compared` });
        if (mismatches.length) log(`answers differ:\n  ${mismatches.slice(0, 10).join('\n  ')}`);
      }
      details.baseline = {
        ...Object.fromEntries(Object.entries(results).map(([k, r]) => [k, { ...r, outputs: undefined }])),
        roundTripFloor: { ...probe, outputs: undefined },
      };
      (details.baseline as Record<string, unknown>).mismatches = mismatches;
    }

    // ---- packs: the 1-day and whole-month windows from the month's data pack vs GDAC ranges,
    // with --latency on the index store (a remote store's round trip) as well as on the GDAC.
    if (wants('packs')) {
      mirror.setLatency(o.latency);
      const { store, freshCatalog } = openStore(storeMain);
      const summary = (await freshCatalog().listMonths()).find((m) => m.month === o.month);
      await store.close?.();
      assert.ok(summary?.pack, `month ${o.month} has no data pack`);
      const { startMs: monthStart, endMs: monthEnd } = monthBounds(o.month);
      const monthPath = windowQuery(monthStart, monthEnd);
      const warmRuns = o.quick ? 3 : 10;
      const measure = async (source: 'pack' | 'gdac', path: string) => {
        const s = await server(serviceEnv(storeMain, { ARGO_QUERY_SOURCE: source }), undefined, o.latency);
        const before = await s.storeStats();
        mirror.resetStats();
        const cold = await fetchWindow(s.url, path);
        const after = await s.storeStats();
        const gdac = { requests: mirror.stats.requests, bytes: mirror.stats.bytes };
        const warm: number[] = [];
        for (let i = 0; i < warmRuns; i++) warm.push((await fetchWindow(s.url, path)).totalMs);
        await stopServer(s);
        const r = {
          source,
          profiles: cold.profiles,
          coldMs: cold.totalMs,
          ttfbMs: cold.ttfbMs,
          warmMs: median(warm),
          storeRequests: after.requests - before.requests,
          storeBytes: after.bytes - before.bytes,
          packBytes: after.packBytes - before.packBytes,
          gdac,
        };
        log(`${source} ${path === monthPath ? 'month' : '1-day'}: ${r.profiles.length} profiles, cold ${r.coldMs.toFixed(0)} ms, warm ${r.warmMs.toFixed(1)} ms, store ${r.storeRequests} requests / ${(r.storeBytes / 1024).toFixed(0)} KiB (pack ${(r.packBytes / 1024).toFixed(0)} KiB), GDAC ${gdac.requests} requests`);
        return r;
      };
      const dayPack = await measure('pack', windowPath);
      const dayGdac = await measure('gdac', windowPath);
      const monthPack = await measure('pack', monthPath);
      const monthGdac = await measure('gdac', monthPath);
      const lat = `${o.latency} ms on store and GDAC`;
      add({ key: 'pack_bytes_per_profile', phase: 'packs', label: 'Data pack size', value: summary.pack.bytes / summary.pack.rows, unit: 'B/profile', digits: 0, target: { op: '<=', value: 1536 } });
      add({ key: 'pack_day_cold_s', phase: 'packs', label: `Cold 1-day window from the pack (${lat})`, value: dayPack.coldMs / 1000, unit: 's', digits: 2 });
      add({ key: 'gdac_day_cold_s', phase: 'packs', label: `Cold 1-day window from GDAC ranges (${lat})`, value: dayGdac.coldMs / 1000, unit: 's', digits: 2 });
      add({ key: 'pack_day_warm_ms', phase: 'packs', label: 'Warm 1-day window from the pack (1 client, median)', value: dayPack.warmMs, unit: 'ms', digits: 1 });
      add({ key: 'gdac_day_warm_ms', phase: 'packs', label: 'Warm 1-day window from GDAC ranges (1 client, median)', value: dayGdac.warmMs, unit: 'ms', digits: 1 });
      add({ key: 'pack_ratio_day_gdac', phase: 'packs', label: 'Cold 1-day window: GDAC ranges ÷ pack', value: dayGdac.coldMs / dayPack.coldMs, unit: '×', digits: 1, target: { op: '>=', value: 5 } });
      const wholeFile = (details.baseline as Record<string, WholeFileResult | undefined> | undefined)?.[String(o.clients)];
      if (wholeFile) {
        add({ key: 'pack_ratio_day_wholefile', phase: 'packs', label: `Cold 1-day window: whole-file ${o.clients} at once ÷ pack`, value: (wholeFile.seconds * 1000) / dayPack.coldMs, unit: '×', digits: 1, target: { op: '>=', value: 10 } });
      }
      add({ key: 'pack_day_store_bytes_per_profile', phase: 'packs', label: 'Cold 1-day window from the pack: store pack bytes read per profile', value: dayPack.packBytes / dayPack.profiles.length, unit: 'B', digits: 0, target: { op: '<=', value: 1536 } });
      add({ key: 'pack_day_store_all_bytes_per_profile', phase: 'packs', label: 'Cold 1-day window from the pack: all store bytes per profile (master and month index included)', value: dayPack.storeBytes / dayPack.profiles.length, unit: 'B', digits: 0 });
      add({ key: 'pack_day_gdac_requests', phase: 'packs', label: 'Cold 1-day window from the pack: GDAC requests', value: dayPack.gdac.requests, unit: '', digits: 0, target: { op: '<=', value: 0 } });
      add({ key: 'month_profiles', phase: 'packs', label: 'Whole-month window: profiles returned (max_profiles 10000)', value: monthPack.profiles.length, unit: '', digits: 0 });
      add({ key: 'pack_month_cold_s', phase: 'packs', label: `Cold whole-month window from the pack (${lat})`, value: monthPack.coldMs / 1000, unit: 's', digits: 2 });
      add({ key: 'gdac_month_cold_s', phase: 'packs', label: `Cold whole-month window from GDAC ranges (${lat})`, value: monthGdac.coldMs / 1000, unit: 's', digits: 2 });
      add({ key: 'pack_month_warm_ms', phase: 'packs', label: 'Warm whole-month window from the pack (1 client, median)', value: monthPack.warmMs, unit: 'ms', digits: 1 });
      add({ key: 'gdac_month_warm_ms', phase: 'packs', label: 'Warm whole-month window from GDAC ranges (1 client, median)', value: monthGdac.warmMs, unit: 'ms', digits: 1 });
      add({ key: 'pack_ratio_month_gdac', phase: 'packs', label: 'Cold whole-month window: GDAC ranges ÷ pack', value: monthGdac.coldMs / monthPack.coldMs, unit: '×', digits: 1, target: { op: '>=', value: 20 } });
      add({ key: 'pack_month_store_bytes_per_profile', phase: 'packs', label: 'Cold whole-month window from the pack: store pack bytes read per profile', value: monthPack.packBytes / monthPack.profiles.length, unit: 'B', digits: 0 });
      const day = compareAnswers(dayPack.profiles, dayGdac.profiles);
      const month = compareAnswers(monthPack.profiles, monthGdac.profiles);
      const packMismatches = [...day.mismatches.map((m) => `1-day: ${m}`), ...month.mismatches.map((m) => `month: ${m}`)];
      add({ key: 'pack_answers_differ', phase: 'packs', label: 'Profiles that differ, pack vs GDAC ranges (1-day and whole month)', value: packMismatches.length, unit: '', digits: 0, target: { op: '<=', value: 0 }, note: `${day.compared + month.compared} compared` });
      if (packMismatches.length) log(`pack answers differ:\n  ${packMismatches.slice(0, 10).join('\n  ')}`);
      const strip = ({ profiles, ...r }: typeof dayPack) => ({ ...r, profiles: profiles.length });
      details.packs = {
        latencyMs: o.latency,
        pack: summary.pack,
        day: { pack: strip(dayPack), gdac: strip(dayGdac) },
        month: { query: monthPath, pack: strip(monthPack), gdac: strip(monthGdac) },
        mismatches: packMismatches,
      };
    }

    // ---- nocache: the service without its decoded-profile cache
    if (wants('nocache')) {
      mirror.setLatency(o.latency);
      const s = await server(serviceEnv(storeMain, { ARGO_PROFILE_CACHE_MB: '0', ARGO_RESPONSE_CACHE_MB: '0' }));
      mirror.resetStats();
      const a = await fetchWindow(s.url, windowPath);
      const coldBytes = mirror.stats.bytes;
      mirror.resetStats();
      const load = await runInChild<LoadInput, LoadResult>({
        file: 'bench/load.ts',
        // One client: with every request going to the GDAC, 8 clients would only queue on the
        // download pool (ARGO_DOWNLOAD_WORKERS) and stretch the run.
        input: { url: `${s.url}${windowPath}`, connections: 1, durationMs: Math.max(1, o.warmSeconds / 2) * 1000, warmupMs: 0 },
      });
      // warmupMs 0: the client sends one uncounted request first, then the counted ones.
      const warmBytesPerProfile = mirror.stats.bytes / Math.max(1, (load.requests + 1) * a.profiles.length);
      log(`no data caches: cold ${a.totalMs.toFixed(0)} ms; repeated, 1 client: p50 ${load.latencyMs.p50.toFixed(1)} ms, ${load.requestsPerSecond.toFixed(1)} req/s, ${warmBytesPerProfile.toFixed(0)} B/profile`);
      await stopServer(s);
      add({ key: 'nocache_cold_s', phase: 'nocache', label: 'No data caches: cold 1-day window total', value: a.totalMs / 1000, unit: 's', digits: 2 });
      add({ key: 'nocache_warm_p50_ms', phase: 'nocache', label: 'No data caches: repeated window p50 (1 client)', value: load.latencyMs.p50, unit: 'ms', digits: 1 });
      add({ key: 'nocache_warm_rps', phase: 'nocache', label: 'No data caches: repeated window throughput', value: load.requestsPerSecond, unit: 'req/s', digits: 1 });
      add({ key: 'nocache_bytes_per_profile', phase: 'nocache', label: 'No data caches: GDAC bytes per profile (every request)', value: warmBytesPerProfile, unit: 'B', digits: 0 });
      if (Number.isFinite(coldTotalMs)) {
        add({ key: 'nocache_ratio_cold', phase: 'nocache', label: 'Cold time: no data caches ÷ service', value: a.totalMs / coldTotalMs, unit: '×', digits: 2 });
        add({ key: 'nocache_ratio_bytes', phase: 'nocache', label: 'Bytes per profile: no data caches (cold) ÷ service', value: coldBytes / a.profiles.length / coldBytesPerProfile, unit: '×', digits: 2 });
      }
      details.nocache = { cold: { ttfbMs: a.ttfbMs, totalMs: a.totalMs, bytes: coldBytes, profiles: a.profiles.length }, warm: load };
    }

    // ---- liveness: /healthz while the heaviest warm queries run (the event loop is never held)
    if (wants('liveness')) {
      mirror.setLatency(0);
      // A profile cache that holds the whole month's levels and outputs; no response cache, so
      // every request runs the pipeline (a cached body would only be copied out). No cost guard:
      // the heavy query (10,000 profiles × 1,000 levels × 2 variables) is over its default
      // ceiling, and the worst case is a replica whose operator turned the guard off.
      const s = await server(serviceEnv(storeMain, { ARGO_PROFILE_CACHE_MB: '2048', ARGO_RESPONSE_CACHE_MB: '0', ARGO_MAX_REQUEST_COST: '0' }));
      const { startMs, endMs } = monthBounds(o.month);
      const url = `${s.url}${heavyQuery(startMs, endMs)}`;
      const t0 = performance.now();
      const cold = await drain(url);
      assert.equal(cold.status, 200, 'heavy query');
      log(`liveness: heavy query cold: ${cold.lines} profiles, ${(cold.bytes / MB).toFixed(0)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const runs: Record<string, unknown> = {};
      for (const clients of [1, 5]) {
        const stop = new AbortController();
        const polls = pollHealthz(s.url, stop.signal);
        const t1 = performance.now();
        const answers = await Promise.all(Array.from({ length: clients }, () => drain(url)));
        const seconds = (performance.now() - t1) / 1000;
        stop.abort();
        const times = await polls;
        for (const a of answers) assert.equal(a.bytes, cold.bytes, 'a warm heavy answer differs from the cold one');
        const worst = times[times.length - 1] ?? NaN;
        const p50 = times[Math.floor(times.length / 2)] ?? NaN;
        log(`liveness: ${clients} warm heavy ${clients === 1 ? 'query' : 'queries'} in ${seconds.toFixed(1)} s; /healthz ${times.length} polls, p50 ${p50.toFixed(1)} ms, worst ${worst.toFixed(0)} ms`);
        add({ key: `liveness_healthz_max_ms_${clients}`, phase: 'liveness', label: `Worst /healthz answer during ${clients} warm heavy ${clients === 1 ? 'query' : 'queries'} (1,000 levels, the month)`, value: worst, unit: 'ms', digits: 0, target: { op: '<=', value: 1000 } });
        add({ key: `liveness_healthz_p50_ms_${clients}`, phase: 'liveness', label: `/healthz p50 during ${clients} warm heavy ${clients === 1 ? 'query' : 'queries'}`, value: p50, unit: 'ms', digits: 1 });
        add({ key: `liveness_heavy_s_${clients}`, phase: 'liveness', label: `${clients} warm heavy ${clients === 1 ? 'query' : 'queries'} at once: total`, value: seconds, unit: 's', digits: 1 });
        runs[clients] = { seconds, polls: times.length, p50, worst };
      }
      const memory = await s.memory();
      await stopServer(s);
      details.liveness = { query: heavyQuery(startMs, endMs), profiles: cold.lines, bytes: cold.bytes, runs, rss: memory.rss };
    }

    // ---- months: server RSS with N months cached
    if (wants('months')) {
      mirror.setLatency(0);
      const storeMonths = join(work, 'store-months');
      const written = await writeShiftedMonths({ from: storeMain, to: storeMonths, month: o.month, count: o.months });
      // auto: the months' packs when the copies have them, as the service runs by default.
      const s = await server(serviceEnv(storeMonths, { ARGO_QUERY_SOURCE: 'auto' }));
      const before = await s.memory();
      let profiles = 0;
      const t0 = performance.now();
      for (const m of written.months) {
        const { startMs } = monthBounds(m);
        const a = await fetchWindow(s.url, windowQuery(startMs + 14 * 86_400_000, startMs + 15 * 86_400_000));
        profiles += a.profiles.length;
      }
      const after = await s.memory();
      log(`${written.months.length} months cached (${profiles} profiles read in ${((performance.now() - t0) / 1000).toFixed(1)} s): RSS ${(after.rss / MB).toFixed(0)} MB (was ${(before.rss / MB).toFixed(0)} MB), heap ${(after.heapUsed / MB).toFixed(0)} MB`);
      await stopServer(s);
      add({ key: 'months_rss_mb', phase: 'months', label: `Server RSS with ${written.months.length} months cached`, value: after.rss / MB, unit: 'MB', digits: 0, target: { op: '<=', value: 250 } });
      details.months = { months: written.months, profilesPerMonth: written.profilesPerMonth, profilesRead: profiles, before, after };
      await rm(storeMonths, { recursive: true, force: true });
    }

    // ---- cpu profiles of the build and of the warm server (not timed: profiling slows things down)
    if (o.cpuProf) {
      await rm(cpuProfDir, { recursive: true, force: true });
      mirror.setLatency(0);
      await runInChild<BuildInput, BuildOutput>({
        file: 'bench/build.ts',
        input: { env: serviceEnv(join(work, 'store-prof')), months: [o.month], cpuProfile: join(cpuProfDir, 'build', 'build.cpuprofile') },
      });
      mirror.setLatency(o.latency);
      const cold = await server(serviceEnv(storeMain));
      await cold.startProfile();
      await fetchWindow(cold.url, windowPath);
      await cold.stopProfile(join(cpuProfDir, 'cold-server', 'cold-server.cpuprofile'));
      await stopServer(cold);
      const s = await server(serviceEnv(storeMain));
      await fetchWindow(s.url, windowPath);
      // Warm the JIT and the caches first: the profile is of the steady state.
      await runInChild<LoadInput, LoadResult>({
        file: 'bench/load.ts',
        input: { url: `${s.url}${windowPath}`, connections: o.clients, durationMs: 2000, warmupMs: 0 },
      });
      await s.startProfile();
      await runInChild<LoadInput, LoadResult>({
        file: 'bench/load.ts',
        input: { url: `${s.url}${windowPath}`, connections: o.clients, durationMs: o.warmSeconds * 1000, warmupMs: 0 },
      });
      await s.stopProfile(join(cpuProfDir, 'warm-server', 'warm-server.cpuprofile'));
      await stopServer(s);
      cpu = {
        build: await summarizeCpuProfiles(join(cpuProfDir, 'build')),
        coldServer: await summarizeCpuProfiles(join(cpuProfDir, 'cold-server')),
        warmServer: await summarizeCpuProfiles(join(cpuProfDir, 'warm-server')),
      };
      for (const [name, summary] of Object.entries(cpu)) {
        const row = (f: FunctionTime, ms: number, pct: number): string => `    ${ms.toFixed(0).padStart(6)} ms ${pct.toFixed(1).padStart(5)}%  ${f.name}  ${f.location}`;
        log(
          `cpu profile ${name}: ${summary.totalMs.toFixed(0)} ms busy, ${summary.idleMs.toFixed(0)} ms idle\n` +
            `  by area (self):\n${summary.areas.slice(0, 10).map((a) => `    ${a.selfMs.toFixed(0).padStart(6)} ms ${a.selfPercent.toFixed(1).padStart(5)}%  ${a.area}`).join('\n')}\n` +
            `  top self time:\n${summary.topFunctions.slice(0, 15).map((f) => row(f, f.selfMs, f.selfPercent)).join('\n')}\n` +
            `  top inclusive time:\n${summary.topInclusive.slice(0, 15).map((f) => row(f, f.totalMs, f.totalPercent)).join('\n')}`,
        );
      }
    }
  } finally {
    for (const s of servers) await s.stop().catch(() => {});
    await mirror.stop();
    await rm(work, { recursive: true, force: true });
  }

  const seconds = (performance.now() - started) / 1000;
  const table = markdownTable(figures);
  process.stdout.write(`\n${table}\n\n`);
  const targets = figures.filter((f) => f.target);
  process.stdout.write(`targets met: ${targets.filter((f) => met(f)).length}/${targets.length}; run took ${seconds.toFixed(1)} s\n`);

  const result = {
    kind: o.quick ? 'quick' : 'full',
    at: new Date().toISOString(),
    seconds,
    options: { ...o, only: [...o.only], out: relative(process.cwd(), o.out) },
    git: gitInfo(REPO_ROOT),
    machine: { ...machineInfo(), loadAverageAtStart: loadAtStart },
    figures: Object.fromEntries(figures.map((f) => [f.key, { label: f.label, value: Number.isFinite(f.value) ? f.value : null, unit: f.unit, target: f.target ?? null, met: met(f) ?? null }])),
    table,
    details,
    ...(cpu ? { cpuProfiles: cpu } : {}),
  };
  await writeJson(o.out, result);
  log(`results written to ${o.out}`);

  if (o.quick) {
    // The smoke test: every phase produced numbers and the answers agree. Never a timing.
    const missing = figures.filter((f) => !Number.isFinite(f.value)).map((f) => f.key);
    const phasesWithout = [...o.only].filter((p) => !figures.some((f) => f.phase === p));
    const problems = [
      ...missing.map((k) => `figure ${k} has no number`),
      ...phasesWithout.map((p) => `phase ${p} produced no figure`),
    ];
    if (wants('baseline') && wants('cold')) {
      if (!serviceAnswer || serviceAnswer.length === 0) problems.push('the window returned no profile: nothing to compare');
      const differ = figures.find((f) => f.key === 'answers_differ');
      if (!differ || differ.value !== 0) problems.push('the service and the whole-file approach disagree on the window');
    }
    if (wants('packs')) {
      const differ = figures.find((f) => f.key === 'pack_answers_differ');
      if (!differ || differ.value !== 0) problems.push('answers from the pack and from GDAC ranges disagree');
    }
    if (problems.length > 0) {
      process.stderr.write(`bench --quick FAILED:\n  ${problems.join('\n  ')}\n`);
      process.exitCode = 1;
    } else {
      const agreed = wants('baseline') && wants('cold') ? ', the service and the whole-file approach agree' : '';
      process.stderr.write(`bench --quick OK: ${figures.length} figures${agreed} (${seconds.toFixed(1)} s)\n`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

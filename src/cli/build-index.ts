/**
 * `npm run build-index -- --start 2023-01 --end 2023-06` (or `--months 2023-04,2023-05`):
 * builds month indexes with the server's configuration (loadConfig) and services
 * (createServices), so it shares its GDAC pool, retries, store and limits.
 *
 * Output: on a terminal, one progress line updated in place (stderr) and warnings only from the
 * logs unless `--verbose`; otherwise plain progress lines every few seconds and the JSON logs at
 * the configured level (stderr). At the end, a summary table (stdout) and the failed files.
 * Exit code: 0 when the build succeeded (files that failed are listed, and retried by the next
 * build), 1 when it failed (e.g. the GDAC index could not be read: nothing was changed), 2 for a
 * usage or configuration error, 130 when interrupted.
 */
import { realpathSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { BUILD_MONTHS_CONVENTION, FIRST_ARGO_MONTH, buildMonthBoundsIssue } from '../../schemas/admin.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { addMonths, isMonth, monthOf, monthsBetween } from '../month-index/months.js';
import type { BuildEvent, BuildJob, MonthFailure } from '../month-index/types.js';
import { createServices, type CreateServicesOptions } from '../services.js';
import { checkLocalPaths } from '../startup-checks.js';

export const USAGE = `Usage: npm run build-index -- --start YYYY-MM --end YYYY-MM
       npm run build-index -- --months YYYY-MM[,YYYY-MM...]
       npm run build-index -- --recent N
       npm run build-index -- --packs-only [--start YYYY-MM --end YYYY-MM | --months ...]

Builds (or incrementally rebuilds) the month indexes of the given months from the GDAC,
with the same configuration as the server (ARGO_GDAC, ARGO_GDAC_INDEX, ARGO_INDEX_STORE, ...).
Months are YYYY-MM, both ends of a range included, from ${FIRST_ARGO_MONTH} (the first Argo
profiles) to the current month (UTC); queries, unlike builds, take dates.

Options:
  --start YYYY-MM   first month (included)
  --end YYYY-MM     last month (included; default: --start)
  --months LIST     comma-separated months, instead of --start/--end
  --recent N        the last N months up to the current one (UTC): --recent 2 is this
                    month and the previous one (the nightly rebuild)
  --slice I/N       only slice I (0-based) of N of those months, dealt round-robin: months
                    I, I+N, I+2N, ... of the sorted list (one Kubernetes Indexed Job completion:
                    --slice $(JOB_COMPLETION_INDEX)/N); an empty slice exits 0
  --dataset NAME    build only this dataset: phy (core profile files) or bgc (synthetic
                    profile files); default both (bgc skipped on a GDAC without a
                    synthetic profile index)
  --packs-only      only the built months that have no data pack yet (built before packs),
                    all of them or those of the range given: each gets its pack (its files
                    are downloaded once) and a new month version naming it
  --allow-shrink    accept new month versions that lose many profiles (refused by default:
                    a stale or partial GDAC index must not empty a month)
  --verbose         on a terminal, show the logs too (default: warnings only)
  --help            this text
`;

// The same ceiling as POST /admin/builds: 50 years, the whole Argo record.
const MAX_MONTHS = 600;
// A plain progress line at most this often when not on a terminal (CI logs stay readable).
const PLAIN_PROGRESS_INTERVAL_MS = 5000;
// Redraw the terminal line at most 10 times a second.
const TTY_REDRAW_INTERVAL_MS = 100;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

export interface RunBuildIndexOptions {
  argv: readonly string[];
  io?: CliIo;
  /** Environment overrides (tests point ARGO_GDAC and ARGO_INDEX_STORE at temp dirs). */
  env?: Record<string, string | undefined>;
  /** Replace services parts (tests). */
  overrides?: CreateServicesOptions['overrides'];
  signal?: AbortSignal;
  /** "Now", for --recent (tests pin it). */
  now?: Date;
}

export class UsageError extends Error {}

export interface BuildRequest {
  /** The months to build (this slice's, when `slice` is set), sorted. */
  months: string[];
  verbose: boolean;
  allowShrink: boolean;
  /** `--dataset`: build only this one (default: both). */
  datasets?: ('phy' | 'bgc')[];
  /** `--packs-only`: of `months` (or of every built month when empty), those without a pack. */
  packsOnly?: boolean;
  /** `--slice I/N`: which slice, and how many months the whole range has. */
  slice?: { index: number; count: number; of: number };
}

// A slice count above this is a typo: 600 months is the whole Argo record twice over.
const MAX_SLICES = MAX_MONTHS;

/** `I/N` → { index, count }, with 0 ≤ I < N. Throws UsageError. */
export function parseSlice(value: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
  if (!m) throw new UsageError(`--slice: expected INDEX/COUNT such as 0/4, got ${JSON.stringify(value)}`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SLICES) throw new UsageError(`--slice: COUNT must be between 1 and ${MAX_SLICES}, got ${count}`);
  if (index >= count) throw new UsageError(`--slice: INDEX must be below COUNT (0-based), got ${index}/${count}`);
  return { index, count };
}

/**
 * Slice `index` of `count`, dealt round-robin over the sorted months (months index, index+count,
 * ...). Round-robin rather than contiguous blocks: the Argo array grew from a few hundred profiles
 * a month in 1999 to ~13,000 today, so contiguous blocks would leave the last slice most of the
 * work, while dealing the months gives every slice old and recent months alike.
 */
export function sliceMonths(months: readonly string[], slice: { index: number; count: number }): string[] {
  return months.filter((_, k) => k % slice.count === slice.index);
}

export interface MonthsFromArgsOptions {
  /** "Now", for --recent (tests pin it). */
  now?: Date;
}

/** The months the arguments name. Throws UsageError. */
export function monthsFromArgs(argv: readonly string[], options: MonthsFromArgsOptions = {}): BuildRequest | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        start: { type: 'string' },
        end: { type: 'string' },
        months: { type: 'string' },
        recent: { type: 'string' },
        slice: { type: 'string' },
        dataset: { type: 'string' },
        'allow-shrink': { type: 'boolean', default: false },
        'packs-only': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) return 'help';
  let months: string[];
  const ways = [values.months !== undefined, values.start !== undefined || values.end !== undefined, values.recent !== undefined];
  if (ways.filter(Boolean).length > 1) throw new UsageError('give one of --months, --start/--end or --recent');
  if (values.recent !== undefined) {
    const n = /^\s*\d+\s*$/.test(values.recent) ? Number(values.recent) : NaN;
    if (!(n >= 1 && n <= MAX_MONTHS)) throw new UsageError(`--recent: a number of months between 1 and ${MAX_MONTHS}, got ${JSON.stringify(values.recent)}`);
    const current = monthOf((options.now ?? new Date()).getTime());
    months = monthsBetween(addMonths(current, -(n - 1)), current);
  } else if (values['packs-only'] && values.months === undefined && values.start === undefined && values.end === undefined) {
    // Every built month without a pack: chosen from the master index once the store is open.
    return { months: [], verbose: values.verbose, allowShrink: values['allow-shrink'], packsOnly: true };
  } else if (values.months !== undefined) {
    months = values.months.split(',').map((m) => m.trim()).filter(Boolean);
    if (months.length === 0) throw new UsageError('--months is empty');
  } else {
    if (values.start === undefined) throw new UsageError('give --start YYYY-MM (and --end), --months or --recent');
    const end = values.end ?? values.start;
    for (const [name, value] of [['--start', values.start], ['--end', end]] as const) {
      if (!isMonth(value)) throw new UsageError(`${name}: not a month as YYYY-MM: ${JSON.stringify(value)} (${BUILD_MONTHS_CONVENTION})`);
    }
    if (end < values.start) throw new UsageError(`--end ${end} is before --start ${values.start}`);
    // The same bounds as POST /admin/builds: from the first Argo profiles to the current month.
    for (const [name, value] of [['--start', values.start], ['--end', end]] as const) {
      const issue = buildMonthBoundsIssue(value, options.now ?? new Date());
      if (issue) throw new UsageError(`${name}: ${issue}`);
    }
    months = monthsBetween(values.start, end);
  }
  const bad = months.filter((m) => !isMonth(m));
  if (bad.length > 0) throw new UsageError(`not months as YYYY-MM: ${bad.join(', ')} (${BUILD_MONTHS_CONVENTION})`);
  const outside = months.map((m) => buildMonthBoundsIssue(m, options.now ?? new Date())).filter((issue) => issue !== undefined);
  if (outside.length > 0) throw new UsageError(`--months: ${outside.join('; ')}`);
  months = [...new Set(months)].sort();
  if (months.length > MAX_MONTHS) throw new UsageError(`${months.length} months: at most ${MAX_MONTHS} per build`);
  const request: BuildRequest = { months, verbose: values.verbose, allowShrink: values['allow-shrink'], ...(values['packs-only'] ? { packsOnly: true } : {}) };
  if (values.dataset !== undefined) {
    if (values.dataset !== 'phy' && values.dataset !== 'bgc') throw new UsageError(`--dataset: phy or bgc, got ${JSON.stringify(values.dataset)}`);
    request.datasets = [values.dataset];
  }
  if (values.slice !== undefined) {
    const slice = parseSlice(values.slice);
    request.months = sliceMonths(months, slice);
    request.slice = { ...slice, of: months.length };
  }
  return request;
}

function progressText(job: BuildJob): string {
  const { done, total, failed } = job.progress;
  const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
  const phase = job.phase === 'reading-index' ? 'reading the GDAC index' : job.phase === 'queued' ? 'queued' : `${done}/${total} files (${pct}%)`;
  return `${phase}, months ${job.monthsDone ?? job.results.length}/${job.months.length}${failed ? `, ${failed} failed` : ''}`;
}

/** The summary table (fixed-width text). */
export function summaryTable(job: BuildJob): string {
  const header = ['month', 'profiles', 'reused', 'fetched', 'failed', 'dropped', 'excluded'];
  const rows = job.results.map((r) => [r.month, r.profiles, r.reused, r.fetched, r.failed, r.dropped, r.excluded].map(String));
  const total = ['total', ...[1, 2, 3, 4, 5, 6].map((i) => String(rows.reduce((s, r) => s + Number(r[i]), 0)))];
  const all = [header, ...rows, ...(rows.length > 1 ? [total] : [])];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return all.map(line).join('\n') + '\n';
}

// Failed files listed per month at the end; the full list is in GET /v1/months/{month}.
const FAILURES_SHOWN = 20;

export async function runBuildIndex(options: RunBuildIndexOptions): Promise<number> {
  const io: CliIo = options.io ?? { stdout: process.stdout, stderr: process.stderr };
  let request;
  try {
    request = monthsFromArgs(options.argv, { now: options.now });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`build-index: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (request === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (request.months.length === 0 && !request.packsOnly) {
    // More Job completions than months: this one has nothing to do, and that is a success.
    const slice = request.slice;
    io.stderr.write(`build-index: slice ${slice?.index}/${slice?.count} of ${slice?.of} month(s) is empty: nothing to build\n`);
    return 0;
  }
  let config;
  try {
    config = loadConfig(options.env ?? {});
    checkLocalPaths(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  const tty = io.stderr.isTTY === true;
  const level = tty && !request.verbose && ['info', 'debug', 'trace'].includes(config.logLevel) ? 'warn' : config.logLevel;
  const logger = createLogger({ logLevel: level }, pino.destination({ dest: 2, sync: true }));
  const services = createServices({ config, logger, overrides: options.overrides });

  let lastDraw = 0;
  let drawn = false;
  const draw = (job: BuildJob, force = false): void => {
    const now = Date.now();
    if (tty) {
      if (!force && now - lastDraw < TTY_REDRAW_INTERVAL_MS) return;
      const width = Math.max(20, (io.stderr.columns ?? 100) - 1);
      io.stderr.write(`\r\x1b[2K${`build-index: ${progressText(job)}`.slice(0, width)}`);
      drawn = true;
    } else {
      if (!force && now - lastDraw < PLAIN_PROGRESS_INTERVAL_MS) return;
      io.stderr.write(`build-index: ${progressText(job)}\n`);
    }
    lastDraw = now;
  };
  const endLine = (): void => {
    if (tty && drawn) io.stderr.write('\n');
    drawn = false;
  };
  let failure: unknown;
  const onEvent = (event: BuildEvent): void => {
    if (event.type === 'finished' && event.error !== undefined) failure = event.error;
    if (event.type === 'month' && event.result) {
      if (!tty) {
        const r = event.result;
        io.stderr.write(`build-index: ${r.month} written: ${r.profiles} profiles (${r.reused} reused, ${r.fetched} fetched, ${r.failed} failed, ${r.dropped} dropped)\n`);
      }
      draw(event.job, true);
    } else if (event.type === 'progress') {
      draw(event.job);
    }
  };
  const unsubscribe = services.builds.subscribe?.(onEvent);

  const onAbort = (): void => void services.builds.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (request.packsOnly) {
      const wanted = new Set(request.months);
      const built = await services.catalog.listMonths();
      request.months = built.filter((s) => !s.pack && (wanted.size === 0 || wanted.has(s.month))).map((s) => s.month);
      if (request.months.length === 0) {
        io.stderr.write('build-index: --packs-only: every built month (of those asked) has its data pack: nothing to build\n');
        return 0;
      }
    }
    const sliceText = request.slice ? ` (slice ${request.slice.index}/${request.slice.count} of ${request.slice.of} months)` : '';
    io.stderr.write(`build-index: ${request.months.length} month(s) ${request.months[0]}..${request.months[request.months.length - 1]}${sliceText} from ${services.gdac.description} into ${services.store.description}\n`);
    const submitted = services.builds.submit({ months: request.months, allowShrink: request.allowShrink, ...(request.datasets ? { datasets: request.datasets } : {}) });
    const job = await services.builds.wait(submitted.id);
    draw(job, true);
    endLine();
    io.stdout.write(summaryTable(job));
    const failures: [string, MonthFailure[]][] = [];
    for (const r of job.results) {
      if (r.failed === 0) continue;
      const detail = await services.catalog.monthDetail(r.month).catch(() => undefined);
      if (detail) failures.push([r.month, detail.failures]);
    }
    if (job.undated?.failures.length) failures.push(['(undated)', job.undated.failures]);
    for (const [month, list] of failures) {
      io.stderr.write(`build-index: ${month}: ${list.length} file(s) failed (retried by the next build):\n`);
      for (const f of list.slice(0, FAILURES_SHOWN)) io.stderr.write(`  ${f.id}: ${f.reason}\n`);
      if (list.length > FAILURES_SHOWN) io.stderr.write(`  ... and ${list.length - FAILURES_SHOWN} more (GET /v1/months/${month})\n`);
    }
    if (job.status !== 'succeeded') {
      io.stderr.write(`build-index: FAILED: ${job.error ?? 'unknown error'}\n`);
      // The job's text is the one an HTTP client gets; the operator at the terminal needs the
      // path and the cause, which otherwise are only in a JSON log line.
      if (failure !== undefined && !options.signal?.aborted) io.stderr.write(`build-index:   ${describeFailure(failure)}\n`);
      return options.signal?.aborted ? 130 : 1;
    }
    io.stderr.write(`build-index: done in ${((Date.parse(job.finishedAt ?? '') - Date.parse(job.startedAt ?? '')) / 1000).toFixed(1)} s\n`);
    return 0;
  } finally {
    endLine();
    options.signal?.removeEventListener('abort', onAbort);
    unsubscribe?.();
    await services.close();
  }
}

/**
 * One line for an error and its causes: each message once (a wrapper often repeats its cause's),
 * then the context that names what was being read (path, location, key) when no message did.
 */
export function describeFailure(error: unknown): string {
  const messages: string[] = [];
  const where: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    if (message && !messages.some((m) => m.includes(message))) messages.push(message);
    const context = (e as { context?: Record<string, unknown> }).context;
    for (const key of ['path', 'location', 'key', 'url']) {
      const value = context?.[key];
      if (typeof value === 'string' && value !== '') where.push(value);
    }
    e = e instanceof Error ? e.cause : undefined;
  }
  const text = messages.join(': ');
  const unnamed = where.filter((w) => !text.includes(w));
  return unnamed.length > 0 ? `${text} (${[...new Set(unnamed)].join(', ')})` : text;
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  const controller = new AbortController();
  let interrupted = 0;
  const onSignal = (): void => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    process.stderr.write('\nbuild-index: interrupted: stopping (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  runBuildIndex({ argv: process.argv.slice(2), signal: controller.signal }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`build-index: fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

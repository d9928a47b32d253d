/** `npm run build-index`: arguments, exit codes, progress output, the summary table. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { monthsFromArgs, parseSlice, runBuildIndex, sliceMonths, UsageError, type BuildRequest, type CliIo } from '../../src/cli/build-index.js';
import { generateDemoGdac } from '../../fixtures/index.js';
import { createMonthCatalog } from '../../src/month-index/catalog.js';
import { createBlobStore } from '../../src/storage/index.js';
import { tempDir } from '../month-index/helpers.js';

function captureIo(tty = false): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: { write: (s: string) => ((io.out += s), true) },
    stderr: { write: (s: string) => ((io.err += s), true), isTTY: tty, columns: 80 },
  };
  return io;
}

async function demoEnv(t: TestContext) {
  const gdacDir = await tempDir(t, 'demo-gdac-');
  const demo = await generateDemoGdac({ outDir: gdacDir, months: ['2024-01', '2024-02'], profilesPerMonth: 12, seed: 11 });
  const storeDir = await tempDir(t, 'store-');
  return { demo, storeDir, env: { ARGO_GDAC: gdacDir, ARGO_GDAC_INDEX: 'ar_index_global_prof.txt', ARGO_INDEX_STORE: storeDir, LOG_LEVEL: 'silent' } };
}

test('arguments: ranges, lists, and usage errors', () => {
  assert.deepEqual(monthsFromArgs(['--start', '2023-11', '--end', '2024-02']), { months: ['2023-11', '2023-12', '2024-01', '2024-02'], verbose: false, allowShrink: false });
  assert.deepEqual(monthsFromArgs(['--start', '2023-11']), { months: ['2023-11'], verbose: false, allowShrink: false });
  assert.deepEqual(monthsFromArgs(['--months', '2024-05, 2024-04,2024-05', '--verbose']), { months: ['2024-04', '2024-05'], verbose: true, allowShrink: false });
  assert.deepEqual(monthsFromArgs(['--months', '2024-04', '--allow-shrink']), { months: ['2024-04'], verbose: false, allowShrink: true });
  assert.equal(monthsFromArgs(['--help']), 'help');
  for (const argv of [[], ['--start', '2024-13'], ['--start', '2024-02', '--end', '2024-01'], ['--months', '2024-01', '--start', '2024-01'], ['--months', ''], ['--bogus'], ['2024-01'], ['--start', '1900-01', '--end', '2024-01']]) {
    assert.throws(() => monthsFromArgs(argv), UsageError, JSON.stringify(argv));
  }
});

test('months from 1997-01 to the current month (the same bounds as POST /admin/builds), and the other convention said', () => {
  const now = new Date('2024-02-15T00:00:00Z');
  const usage = (argv: string[]) => {
    try {
      monthsFromArgs(argv, { now });
    } catch (error) {
      assert.ok(error instanceof UsageError);
      return error.message;
    }
    assert.fail(`${JSON.stringify(argv)} was accepted`);
  };
  assert.equal(usage(['--start', '1990-01', '--end', '2024-01']), '--start: 1990-01 is before 1997-01: the first Argo profiles are from 1997');
  assert.equal(usage(['--start', '2024-01', '--end', '2024-03']), '--end: 2024-03 is after the current month (2024-02): there is nothing to build yet');
  assert.equal(usage(['--months', '2024-01,2030-05']), '--months: 2030-05 is after the current month (2024-02): there is nothing to build yet');
  assert.equal(
    usage(['--start', '2024-01-01']),
    '--start: not a month as YYYY-MM: "2024-01-01" (builds take months YYYY-MM (start and end both included); profiles take dates ([start, end), end excluded))',
  );
  assert.deepEqual(monthsFromArgs(['--start', '1997-01', '--end', '1997-02'], { now }), { months: ['1997-01', '1997-02'], verbose: false, allowShrink: false });
  assert.deepEqual(monthsFromArgs(['--months', '2024-02'], { now }), { months: ['2024-02'], verbose: false, allowShrink: false });
});

test('--recent N: the last N months up to the current one (UTC)', () => {
  const months = (argv: string[], now: string): string[] => (monthsFromArgs(argv, { now: new Date(now) }) as BuildRequest).months;
  assert.deepEqual(months(['--recent', '2'], '2025-03-01T00:30:00Z'), ['2025-02', '2025-03']);
  assert.deepEqual(months(['--recent', '2'], '2025-01-31T23:59:59Z'), ['2024-12', '2025-01'], 'across a year');
  assert.deepEqual(months(['--recent', '1'], '2025-01-15T00:00:00Z'), ['2025-01']);
  assert.equal(months(['--recent', '24'], '2025-06-10T00:00:00Z').length, 24);
  assert.equal(months(['--recent', '24'], '2025-06-10T00:00:00Z')[0], '2023-07');
  for (const argv of [['--recent', '0'], ['--recent', 'two'], ['--recent', '1.5'], ['--recent', '601'], ['--recent', '2', '--start', '2024-01'], ['--recent', '2', '--months', '2024-01']]) {
    assert.throws(() => monthsFromArgs(argv), UsageError, JSON.stringify(argv));
  }
});

// A clock after the range's last month: months after the current one are refused.
const SLICE_NOW = new Date('2026-01-15T00:00:00Z');

test('--slice I/N: round-robin slices that cover the range once, whatever N', () => {
  const all = (monthsFromArgs(['--start', '1997-07', '--end', '2025-12'], { now: SLICE_NOW }) as BuildRequest).months;
  assert.equal(all.length, 342);
  for (const count of [1, 2, 3, 7, 10, 342, 400]) {
    const slices = Array.from({ length: count }, (_, index) => monthsFromArgs(['--start', '1997-07', '--end', '2025-12', '--slice', `${index}/${count}`], { now: SLICE_NOW }) as BuildRequest);
    const union = slices.flatMap((s) => s.months).sort();
    assert.deepEqual(union, all, `${count} slices: every month exactly once`);
    const sizes = slices.map((s) => s.months.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `${count} slices: balanced (${Math.min(...sizes)}..${Math.max(...sizes)})`);
    assert.deepEqual(slices[0].slice, { index: 0, count, of: 342 });
  }
  // Dealt, not blocks: slice 1 of 4 has old and recent months.
  const one = (monthsFromArgs(['--start', '1997-07', '--end', '2025-12', '--slice', '1/4'], { now: SLICE_NOW }) as BuildRequest).months;
  assert.deepEqual(one.slice(0, 3), ['1997-08', '1997-12', '1998-04']);
  assert.equal(one.at(-1), '2025-12');
  assert.deepEqual(sliceMonths(['2024-01', '2024-02', '2024-03'], { index: 2, count: 3 }), ['2024-03']);
  assert.deepEqual((monthsFromArgs(['--recent', '2', '--slice', '1/2'], { now: new Date('2025-03-05T00:00:00Z') }) as BuildRequest).months, ['2025-03']);
  assert.deepEqual(parseSlice(' 3 / 8 '), { index: 3, count: 8 });
  for (const value of ['3', '3/3', '-1/3', '1/0', 'a/b', '1/2/3', '', '0/601']) {
    assert.throws(() => parseSlice(value), UsageError, value);
    assert.throws(() => monthsFromArgs(['--months', '2024-01', '--slice', value]), UsageError, value);
  }
});

test('an empty slice (more Job completions than months) exits 0 without building', async () => {
  const io = captureIo();
  // No configuration is read: a broken one would otherwise exit 2.
  assert.equal(await runBuildIndex({ argv: ['--months', '2024-01,2024-02', '--slice', '5/8'], io, env: { ARGO_DOWNLOAD_WORKERS: 'many' } }), 0);
  assert.match(io.err, /slice 5\/8 of 2 month\(s\) is empty: nothing to build/);
  assert.equal(io.out, '');
});

test('usage and configuration errors exit 2', async () => {
  const io = captureIo();
  assert.equal(await runBuildIndex({ argv: ['--start', 'nope'], io }), 2);
  assert.match(io.err, /not a month/);
  assert.match(io.err, /Usage: npm run build-index/);
  const help = captureIo();
  assert.equal(await runBuildIndex({ argv: ['--help'], io: help }), 0);
  assert.match(help.out, /--months LIST/);
  const config = captureIo();
  assert.equal(await runBuildIndex({ argv: ['--months', '2024-01'], io: config, env: { ARGO_DOWNLOAD_WORKERS: 'many' } }), 2);
  assert.match(config.err, /ARGO_DOWNLOAD_WORKERS/);
});

test('a build: plain progress lines, the summary table, the months in the store', async (t) => {
  const { demo, storeDir, env } = await demoEnv(t);
  const io = captureIo(false);
  assert.equal(await runBuildIndex({ argv: ['--start', '2024-01', '--end', '2024-02'], io, env }), 0, io.err);
  assert.match(io.err, /build-index: 2024-01 written: \d+ profiles/);
  assert.match(io.err, /done in/);
  const lines = io.out.trim().split('\n');
  assert.deepEqual(lines[0].split(/\s+/), ['month', 'profiles', 'reused', 'fetched', 'failed', 'dropped', 'excluded']);
  const count = (m: string) => demo.profiles.filter((p) => p.timeMs !== null && p.latitude !== null && new Date(p.timeMs).toISOString().startsWith(m)).length;
  const row = (m: string) => lines.find((l) => l.startsWith(m))!.split(/\s+/).map((c, i) => (i === 0 ? c : Number(c)));
  assert.equal(row('2024-01')[1], count('2024-01'));
  assert.equal(row('2024-02')[1], count('2024-02'));
  assert.equal(row('2024-01')[2], 0, 'nothing reused on a first build');
  assert.ok(lines.some((l) => l.startsWith('total')));
  const catalog = createMonthCatalog({ store: createBlobStore({ location: storeDir }), monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2024-01', '2024-02']);

  // Again, on a "terminal": one line redrawn in place; everything reused.
  const tty = captureIo(true);
  assert.equal(await runBuildIndex({ argv: ['--months', '2024-01'], io: tty, env }), 0);
  assert.ok(tty.err.includes('\r\x1b[2K'), 'the progress line is redrawn');
  assert.equal(tty.out.trim().split('\n')[1].split(/\s+/)[3], '0', 'nothing fetched');
});

test('a build that cannot read the GDAC index exits 1 and says why', async (t) => {
  const io = captureIo();
  const env = { ARGO_GDAC: await tempDir(t, 'empty-gdac-'), ARGO_INDEX_STORE: await tempDir(t, 'store-'), LOG_LEVEL: 'silent' };
  assert.equal(await runBuildIndex({ argv: ['--months', '2024-01'], io, env }), 1);
  assert.match(io.err, /FAILED: The GDAC profile index could not be read/);
  // The human line names the file and the cause, not only the JSON log (silent here).
  const detail = io.err.split('\n').find((l) => l.startsWith('build-index:   '));
  assert.ok(detail, io.err);
  assert.ok(detail.includes(join(env.ARGO_GDAC, 'ar_index_global_prof.txt')), detail);
  assert.match(detail, /ENOENT: no such file or directory/);
});

test('a local GDAC root that does not exist is a configuration error naming ARGO_GDAC (exit 2)', async (t) => {
  const io = captureIo();
  const env = { ARGO_GDAC: join(await tempDir(t, 'gone-'), 'nonexistent'), ARGO_INDEX_STORE: await tempDir(t, 'store-'), LOG_LEVEL: 'silent' };
  assert.equal(await runBuildIndex({ argv: ['--months', '2024-01'], io, env }), 2);
  assert.equal(io.err, `Invalid configuration:\n  ARGO_GDAC: the local GDAC root ${JSON.stringify(env.ARGO_GDAC)} does not exist\n`);
});

test('a slice builds only its own months', async (t) => {
  const { storeDir, env } = await demoEnv(t);
  const io = captureIo();
  assert.equal(await runBuildIndex({ argv: ['--start', '2024-01', '--end', '2024-02', '--slice', '1/2'], io, env }), 0, io.err);
  assert.match(io.err, /1 month\(s\) 2024-02\.\.2024-02 \(slice 1\/2 of 2 months\)/);
  const catalog = createMonthCatalog({ store: createBlobStore({ location: storeDir }), monthCacheBytes: 1 << 20, masterTtlMs: 0 });
  assert.deepEqual((await catalog.listMonths()).map((m) => m.month), ['2024-02']);
});

test('the command runs as a process (npm run build-index) and exits 0', async (t) => {
  const { env } = await demoEnv(t);
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/build-index.ts', '--months', '2024-02'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, err);
  assert.match(out, /^month\s+profiles/m);
  assert.match(out, /^2024-02\s+\d+/m);
});

test('--packs-only: alone it means every built month without a pack; with a range, those of the range', () => {
  assert.deepEqual(monthsFromArgs(['--packs-only']), { months: [], verbose: false, allowShrink: false, packsOnly: true });
  assert.deepEqual(monthsFromArgs(['--packs-only', '--months', '2023-02,2023-01']), { months: ['2023-01', '2023-02'], verbose: false, allowShrink: false, packsOnly: true });
  assert.throws(() => monthsFromArgs(['--packs-only', '--start', 'nope']), UsageError);
});

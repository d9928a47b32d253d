/**
 * The reliability tests' common setup: a fixture GDAC behind the loopback test mirror, an index
 * store (a temp directory unless told otherwise), the app on a config with short timeouts, and
 * small helpers to build months and query them. Everything is closed in `t.after`.
 *
 *     const fx = await startFixture(t, { months: ['2023-01', '2023-02'], perMonth: 6 });
 *     const app = await fx.app();
 *     await buildMonths(app, ['2023-01']);
 *     const r = await getProfiles(app, 'start=2023-01-01&end=2023-02-01');
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { decodeMonthIndex } from '../../../src/month-index/codec.js';
import { parseMaster } from '../../../src/month-index/master.js';
import { MASTER_KEY, MONTHS_PREFIX, parseMonthKey } from '../../../src/month-index/months.js';
import type { BuildJob } from '../../../src/month-index/types.js';
import { createBlobStore } from '../../../src/storage/index.js';
import type { BlobStore } from '../../../src/storage/types.js';
import { startGdacMirror, type GdacMirror } from '../../kit/gdac-mirror.js';
import { build } from '../../helpers/build.js';
import { makeFixtureGdac, type FixtureGdac, type FixtureGdacOptions } from './fixture-gdac.js';

export const ADMIN_TOKEN = 'reliability-admin-token-0123456789';

/**
 * Short, test-sized timings: 0.5 s per GDAC attempt, 10 ms first back-off, 3 retries. A fault
 * that outlasts them surfaces in about two seconds instead of a production minute.
 *
 * Load shedding is off (ARGO_MAX_EVENT_LOOP_DELAY_MS=0): on a busy 2-core CI machine a test
 * process can be starved for a second, and under-pressure would then answer 503 to whatever the
 * test sends next. The overload tests switch it on with their own budget.
 */
export const FAST_ENV: Readonly<Record<string, string>> = Object.freeze({
  ARGO_FETCH_TIMEOUT_SECONDS: '0.5',
  ARGO_RETRY_BACKOFF_SECONDS: '0.01',
  ARGO_MAX_FETCH_RETRIES: '3',
  ARGO_GDAC_INDEX: 'ar_index_global_prof.txt',
  ARGO_MASTER_TTL_SECONDS: '0',
  ARGO_ADMIN_TOKEN: ADMIN_TOKEN,
  ARGO_MAX_EVENT_LOOP_DELAY_MS: '0',
  LOG_LEVEL: 'silent',
  // These tests inject GDAC faults into queries: read level data from the GDAC, not from the
  // month's data pack (the pack path, GDAC stopped, is test/e2e/packs.test.ts).
  ARGO_QUERY_SOURCE: 'gdac',
});

export async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface Fixture {
  gdac: FixtureGdac;
  mirror: GdacMirror;
  storeDir: string;
  env: Record<string, string>;
  /** A new app on this fixture (each call a new one: new caches, like a restarted replica). */
  app(extraEnv?: Record<string, string>, overrides?: { store?: BlobStore }): Promise<FastifyInstance>;
}

export async function startFixture(
  t: TestContext,
  options: Partial<FixtureGdacOptions> & { env?: Record<string, string> } = {},
): Promise<Fixture> {
  const gdac = makeFixtureGdac({ seed: options.seed ?? 11, months: options.months ?? ['2023-01', '2023-02', '2023-03'], perMonth: options.perMonth ?? 6, nLevels: options.nLevels, floats: options.floats });
  const mirror = await startGdacMirror({ files: gdac.files });
  t.after(() => mirror.stop());
  const storeDir = await tempDir(t, 'rel-store-');
  const env = { ...FAST_ENV, ARGO_GDAC: mirror.url, ARGO_INDEX_STORE: storeDir, ...options.env };
  return {
    gdac,
    mirror,
    storeDir,
    env,
    app: (extraEnv = {}, overrides = {}) => build(t, { env: { ...env, ...extraEnv }, overrides }),
  };
}

/** Builds months through the app's BuildService and waits (bounded) for the job to end. */
export async function buildMonths(app: FastifyInstance, months: string[], timeoutMs = 30_000): Promise<BuildJob> {
  const submitted = app.builds.submit({ months });
  return app.builds.wait(submitted.id, { signal: AbortSignal.timeout(timeoutMs) });
}

export interface QueryAnswer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  contentType: string | undefined;
  body: string;
  /** NDJSON lines parsed (empty for other bodies). */
  lines: Record<string, unknown>[];
  ms: number;
}

export async function getProfiles(app: FastifyInstance, query: string, headers: Record<string, string> = {}): Promise<QueryAnswer> {
  const started = Date.now();
  const response = await app.inject({ method: 'GET', url: `/v1/profiles?${query}`, headers });
  const contentType = response.headers['content-type'] as string | undefined;
  const lines = contentType?.startsWith('application/x-ndjson')
    ? response.body
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
    : [];
  return { status: response.statusCode, headers: response.headers, contentType, body: response.body, lines, ms: Date.now() - started };
}

export interface StoreReport {
  masterOk: boolean;
  masterMonths: string[];
  /** month → keys of its objects in the store. */
  objects: Map<string, string[]>;
  /** month objects that do not decode (half-written or corrupt). */
  undecodable: string[];
  /** month → profiles of its newest decodable object. */
  newestCount: Map<string, number>;
}

/** Reads every month object and the master index of a store and says what state they are in. */
export async function inspectStore(store: BlobStore): Promise<StoreReport> {
  const report: StoreReport = { masterOk: false, masterMonths: [], objects: new Map(), undecodable: [], newestCount: new Map() };
  const master = await store.get(MASTER_KEY);
  if (master) {
    try {
      report.masterMonths = Object.keys(parseMaster(master.body).months).sort();
      report.masterOk = true;
    } catch {
      report.masterOk = false;
    }
  }
  for (const listed of await store.list(MONTHS_PREFIX)) {
    const parsed = parseMonthKey(listed.key);
    if (!parsed) continue;
    const keys = report.objects.get(parsed.month) ?? [];
    keys.push(listed.key);
    report.objects.set(parsed.month, keys);
  }
  for (const [month, keys] of report.objects) {
    keys.sort();
    for (const key of [...keys].reverse()) {
      const object = await store.get(key);
      if (!object) continue;
      try {
        const index = await decodeMonthIndex(object.body, { key });
        if (!report.newestCount.has(month)) report.newestCount.set(month, index.count);
      } catch {
        report.undecodable.push(key);
      }
    }
  }
  return report;
}

/** Polls `check` every `everyMs` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => Promise<boolean>, { timeoutMs = 10_000, everyMs = 100 } = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function cleanup(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * An S3 index store on a loopback endpoint, built from plain (unfrozen) settings.
 *
 * Why not from the config: `parseConfig` deep-freezes the config, and the AWS SDK writes a
 * `$source` marker into the credentials object it is given, which fails on a frozen one
 * ("Cannot set properties of undefined (setting 'CREDENTIALS_CODE')"): every request of an S3
 * store configured with AWS keys from the environment fails. The bug is pinned by a todo test in
 * faults.test.ts; until it is fixed, tests that need a working S3 store inject one.
 */
export function s3Store(location: string, endpoint: string): BlobStore {
  return createBlobStore({
    location,
    s3: { endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } },
    // s3rver ignores If-Match / If-None-Match: say so, as the store contract asks.
    conditionalWrites: false,
  });
}

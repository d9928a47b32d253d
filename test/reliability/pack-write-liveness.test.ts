/**
 * A build with data packs leaves the server's event loop free while the month's pack is written
 * (issue 12; issue 19's "the event loop is never held for long"). The app runs in this process on
 * a real port, its builds are submitted over HTTP as an operator would, and the fixture GDAC is
 * the loopback test mirror.
 *
 * The pack step is wrapped so the test knows when the month's pack is being made (its `finish`):
 * at that moment it sends GET /healthz to the server and counts turns of the event loop until the
 * pack is made. Before: the Parquet write (hyparquet-writer + ZSTD 19) ran synchronously on this
 * thread, so the /healthz request could not even leave the client until the write was over, and
 * the loop turned a handful of times. Now the write runs on a worker thread: /healthz answers
 * while it runs, and the loop keeps turning. Ordering and counts, never a wall-clock bound.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/logger.js';
import type { MonthStep } from '../../src/month-index/builder.js';
import { readMaster } from '../../src/month-index/master.js';
import type { BuildJob } from '../../src/month-index/types.js';
import { loadZstd } from '../../src/pack/zstd.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../helpers/config.js';
import { ADMIN_TOKEN, startFixture } from './kit/harness.js';

/**
 * Profiles in the month: enough that writing its pack is a few hundred ms of CPU, far more than a
 * /healthz round trip on loopback (a few ms), so the answer cannot come after the write by chance.
 */
const PROFILES = 1200;
/** Turns of the event loop the pack write must let through at least (before: ~2, a microtask or two). */
const MIN_TURNS = 20;

interface PackWindow {
  /** Event-loop turns (setImmediate) between the start of the pack's making and its end. */
  turns: number;
  /** What happened first after the start: /healthz answered, or the pack was made. */
  order: string[];
  healthzStatus?: number;
}

/** The pack step, reporting each month's pack window; sends /healthz to `baseUrl()` when one opens. */
function withPackWindowProbe(inner: MonthStep, baseUrl: () => string, windows: PackWindow[]): MonthStep {
  return {
    name: inner.name,
    start(context) {
      const run = inner.start(context);
      return {
        ...run,
        ...(run.file ? { file: (file) => run.file!(file) } : {}),
        close: () => run.close?.(),
        async finish(assembled, version) {
          const window: PackWindow = { turns: 0, order: [] };
          windows.push(window);
          let open = true;
          const turn = (): void => {
            if (!open) return;
            window.turns++;
            setImmediate(turn);
          };
          setImmediate(turn);
          const healthz = fetch(`${baseUrl()}/healthz`).then(async (response) => {
            await response.arrayBuffer();
            window.healthzStatus = response.status;
            window.order.push('healthz answered');
          });
          try {
            return await run.finish(assembled, version);
          } finally {
            open = false;
            window.order.push('pack made');
            await healthz;
          }
        },
      };
    },
  };
}

test('a build with packs: /healthz answers and the event loop turns while the pack is written', async (t) => {
  const fx = await startFixture(t, { months: ['2023-01'], perMonth: PROFILES, seed: 19 });
  // The ZSTD codec loaded, as in a server that has built before: on Node 20 its first load is
  // asynchronous (WebAssembly) and would give the loop turns of its own before the write.
  await loadZstd();
  const config = testConfig(fx.env);
  const logger = createLogger(config);
  let url = '';
  const windows: PackWindow[] = [];
  // The service's build as createServices wires it, its pack step probed.
  const services = createServices({ config, logger, withMonthSteps: (steps) => steps.map((step) => withPackWindowProbe(step, () => url, windows)) });
  const app = await buildApp({ config, services, logger });
  t.after(async () => {
    await app.close();
    await services.close();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

  const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
  const submitted = await fetch(`${url}/admin/builds`, { method: 'POST', headers, body: JSON.stringify({ months: ['2023-01'] }) });
  assert.equal(submitted.status, 202, await submitted.clone().text());
  const { id } = (await submitted.json()) as { id: string };
  const job: BuildJob = await app.builds.wait(id, { signal: AbortSignal.timeout(300_000) });
  assert.equal(job.status, 'succeeded', job.error);

  const { master } = await readMaster(services.store);
  assert.equal(master.months['2023-01'].pack?.rows, PROFILES, 'the pack holds every profile');
  assert.equal(windows.length, 1, 'one pack written');
  const [window] = windows;
  t.diagnostic(`event-loop turns while the pack was made: ${window.turns}; order: ${window.order.join(', ')}`);
  assert.equal(window.healthzStatus, 200);
  assert.deepEqual(window.order, ['healthz answered', 'pack made'], 'a /healthz sent as the pack write began is answered before it ends');
  assert.ok(window.turns >= MIN_TURNS, `only ${window.turns} event-loop turns while the pack was written`);
});

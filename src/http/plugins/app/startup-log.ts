/**
 * The start-up line: once the server listens, one log line says what it serves: the GDAC, the
 * index store, whether the admin routes are on, the query limits and the months built. An operator
 * reading the first lines of a pod's log knows what it runs without reading its environment.
 *
 * The months come from the index store; the line never waits on it longer than
 * MONTHS_TIMEOUT_MS (the server already listens: a slow store only makes the line say so).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../../config.js';
import { SERVICE_VERSION } from '../../../version.js';

export interface StartupLogOptions {
  limits: Config['limits'];
  adminEnabled: boolean;
}

// As long as a readiness probe waits for the store: a working store lists its months in ms.
const MONTHS_TIMEOUT_MS = 3000;
// The months are shown as runs (`2019-01..2024-12, 2025-03`); past this many runs, the rest is counted.
const MONTH_RUNS_SHOWN = 8;

function monthNumber(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

/** `2024-01..2024-03, 2024-06` for sorted months. */
export function monthRuns(months: readonly string[]): string {
  if (months.length === 0) return 'none';
  const runs: string[] = [];
  let first = months[0];
  let last = months[0];
  for (const month of [...months.slice(1), undefined]) {
    if (month !== undefined && monthNumber(month) === monthNumber(last) + 1) {
      last = month;
      continue;
    }
    runs.push(first === last ? first : `${first}..${last}`);
    if (month !== undefined) first = last = month;
  }
  const shown = runs.slice(0, MONTH_RUNS_SHOWN).join(', ');
  return runs.length > MONTH_RUNS_SHOWN ? `${shown} and ${runs.length - MONTH_RUNS_SHOWN} more runs` : shown;
}

export default fp(
  async function startupLog(app: FastifyInstance, { limits, adminEnabled }: StartupLogOptions) {
    app.addHook('onListen', async function onListen() {
      const address = app.server.address();
      const url = typeof address === 'object' && address ? `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : String(address);
      let months: string[] | undefined;
      let monthsError: string | undefined;
      try {
        months = (await app.catalog.listMonths({ signal: AbortSignal.timeout(MONTHS_TIMEOUT_MS) })).map((m) => m.month);
      } catch (error) {
        monthsError = `the index store did not list them (${(error as Error).message})`;
      }
      const admin = adminEnabled ? 'on' : 'off (no ARGO_ADMIN_TOKEN)';
      const monthsText = !months
        ? `unknown: ${monthsError}`
        : months.length === 0
          ? '0 (none built yet: POST /admin/builds or npm run build-index)'
          : `${months.length} (${monthRuns(months)})`;
      const limitsText =
        `window ≤ ${limits.maxWindowDays} d, ≤ ${limits.maxLevels} levels, ` +
        `max_profiles ${limits.defaultMaxProfiles} (≤ ${limits.maxProfilesLimit})`;
      const fields = {
        version: SERVICE_VERSION,
        url,
        gdac: app.gdac.description,
        index_store: app.store.description,
        admin: adminEnabled,
        limits: {
          max_window_days: limits.maxWindowDays,
          max_levels: limits.maxLevels,
          default_max_profiles: limits.defaultMaxProfiles,
          max_profiles_limit: limits.maxProfilesLimit,
          query_concurrency: limits.queryConcurrency,
          max_body_bytes: limits.maxBodyBytes,
          max_event_loop_delay_ms: limits.maxEventLoopDelayMs,
        },
        months: months ? { count: months.length, built: monthRuns(months) } : { error: monthsError },
      };
      const text =
        `argo-profiles-service ${SERVICE_VERSION} on ${url}: ${app.gdac.description}; index store ` +
        `${app.store.description}; admin ${admin}; months ${monthsText}; limits: ${limitsText}`;
      if (months) app.log.info(fields, text);
      else app.log.warn(fields, text);
    });
  },
  { name: 'startup-log', dependencies: ['services'] },
);

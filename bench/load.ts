/**
 * The load generator, run as its own process: `connections` clients each sending the same GET
 * one after the other for `durationMs`, reading every body to the end. Latency is per request,
 * from sending it to the last body byte.
 *
 *     const load = await runInChild<LoadInput, LoadResult>({ file: 'bench/load.ts', input: { url, connections: 8, durationMs: 10000 } });
 */
import { Pool } from 'undici';
import { isMain, serveChild } from './children.js';

export interface LoadInput {
  url: string;
  connections: number;
  durationMs: number;
  /** Load before the clock starts (not counted): JIT and caches warm up (default 1,000 ms). */
  warmupMs?: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  /** Non-2xx answers (counted in errors). */
  statuses: Record<string, number>;
  seconds: number;
  requestsPerSecond: number;
  bodyBytes: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number; min: number };
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

export async function runLoad(input: LoadInput): Promise<LoadResult> {
  const url = new URL(input.url);
  const pool = new Pool(url.origin, { connections: input.connections, pipelining: 1 });
  const path = url.pathname + url.search;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bodyBytes = 0;

  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const res = await pool.request({ method: 'GET', path });
    let n = 0;
    for await (const chunk of res.body) n += (chunk as Buffer).length;
    const ms = performance.now() - t0;
    if (res.statusCode < 200 || res.statusCode > 299) throw new Error(`status ${res.statusCode}`);
    bodyBytes += n;
    return ms;
  };

  try {
    const warmupEnd = performance.now() + (input.warmupMs ?? 1000);
    await Promise.all(
      Array.from({ length: input.connections }, async () => {
        do await once();
        while (performance.now() < warmupEnd);
      }),
    );
    bodyBytes = 0;
    const started = performance.now();
    const deadline = started + input.durationMs;
    await Promise.all(
      Array.from({ length: input.connections }, async () => {
        while (performance.now() < deadline) {
          try {
            latencies.push(await once());
          } catch (error) {
            errors++;
            const key = error instanceof Error ? error.message : String(error);
            statuses[key] = (statuses[key] ?? 0) + 1;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const sum = latencies.reduce((s, x) => s + x, 0);
    return {
      requests: latencies.length,
      errors,
      statuses,
      seconds,
      requestsPerSecond: latencies.length / seconds,
      bodyBytes,
      latencyMs: {
        p50: percentile(latencies, 0.5),
        p90: percentile(latencies, 0.9),
        p99: percentile(latencies, 0.99),
        max: latencies[latencies.length - 1] ?? NaN,
        min: latencies[0] ?? NaN,
        mean: latencies.length ? sum / latencies.length : NaN,
      },
    };
  } finally {
    await pool.close();
  }
}

if (isMain(import.meta.url)) serveChild(runLoad);

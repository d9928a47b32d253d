/**
 * The load generator, in its own process: autocannon holding `connections` clients for
 * `durationSeconds` against a mix of GET paths (each connection cycles through the list from its
 * own starting point), reading every body. Besides autocannon's own figures it checks every body:
 * a 200 NDJSON/JSON body must not end with an error line/member (a failure after the headers),
 * and every non-200 must be a problem+json whose `status` is the HTTP status.
 *
 *     node --import tsx test-reliability/load/load-child.ts /tmp/input.json   → one JSON line on stdout
 *
 * Input (JSON file): { url, paths: string[], connections, durationSeconds, timeoutSeconds? }.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

export interface LoadInput {
  url: string;
  paths: string[];
  connections: number;
  durationSeconds: number;
  /** Per-request timeout (autocannon counts it as an error); default 30 s. */
  timeoutSeconds?: number;
}

export interface LoadOutput {
  requests: number;
  /** Connection errors and timeouts (autocannon's `errors`, `timeouts`). */
  errors: number;
  timeouts: number;
  non2xx: number;
  statuses: Record<string, number>;
  /** 200 answers whose body ended with an error line or member. */
  streamErrors: number;
  /** Non-200 answers that were not a problem+json with a matching status. */
  badProblems: number;
  /** Up to 5 examples of bad answers. */
  examples: string[];
  durationSeconds: number;
  requestsPerSecond: { mean: number; p50: number; min: number; max: number };
  throughputBytesPerSecond: number;
  latencyMs: { p50: number; p90: number; p97_5: number; p99: number; mean: number; max: number };
}

function endsWithError(body: string): boolean {
  const tail = body.trimEnd().slice(-400);
  const lastLine = tail.slice(tail.lastIndexOf('\n') + 1);
  return lastLine.startsWith('{"error":') || /,"error":\{"status":\d+/.test(tail) || lastLine.startsWith('# error:');
}

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadInput;
  let streamErrors = 0;
  let badProblems = 0;
  const examples: string[] = [];
  const note = (text: string): void => {
    if (examples.length < 5) examples.push(text.slice(0, 400));
  };
  const onResponse = (path: string) => (status: number, body: string, _context: unknown, headers: Record<string, string>) => {
    if (status === 200) {
      if (endsWithError(body ?? '')) {
        streamErrors++;
        note(`${path} → 200 ending in an error: ${String(body).slice(-300)}`);
      }
      return;
    }
    const type = headers['content-type'] ?? headers['Content-Type'] ?? '';
    let ok = String(type).startsWith('application/problem+json');
    try {
      ok &&= (JSON.parse(body) as { status?: number }).status === status;
    } catch {
      ok = false;
    }
    if (!ok) {
      badProblems++;
      note(`${path} → ${status} ${type}: ${String(body).slice(0, 200)}`);
    }
  };
  const requests = input.paths.map((path) => ({ method: 'GET' as const, path, onResponse: onResponse(path) }));
  const result = await autocannon({
    url: input.url,
    connections: input.connections,
    duration: input.durationSeconds,
    timeout: input.timeoutSeconds ?? 30,
    requests,
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (stat as { count: number }).count;
  const output: LoadOutput = {
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statuses,
    streamErrors,
    badProblems,
    examples,
    durationSeconds: result.duration,
    requestsPerSecond: { mean: result.requests.mean, p50: result.requests.p50, min: result.requests.min, max: result.requests.max },
    throughputBytesPerSecond: result.throughput.mean,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p97_5: result.latency.p97_5,
      p99: result.latency.p99,
      mean: result.latency.mean,
      max: result.latency.max,
    },
  };
  process.stdout.write(`${JSON.stringify(output)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`load-child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

/**
 * `withQueryDeadline` (src/query/deadline.ts) around scripted query services: whatever the
 * cancelled step throws, past the limit the query fails with QueryTimeoutError (504) and a message
 * naming the limit; the inner query's signal fires (what it had in flight is cancelled); a client
 * that left is still a quiet abort; a query that ends in time, or is never iterated, leaves no
 * clock running; the limit counts from the start of the plan.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { AbortedError, QueryTimeoutError, UpstreamError, isAbortError, publicMessage, statusOf } from '../../src/errors.js';
import { withQueryDeadline } from '../../src/query/deadline.js';
import { encodeProfile } from '../../src/query/output-cache.js';
import type { EncodedProfile, OutputProfile, ProfileQuery, QueryResult, QueryService } from '../../src/query/types.js';

const QUERY: ProfileQuery = {
  startMs: Date.UTC(2024, 0, 1),
  endMs: Date.UTC(2024, 0, 2),
  vertical: 'depth',
  variables: ['TEMP'],
  mode: 'standard',
  maxProfiles: 10,
};

function profile(i: number): EncodedProfile {
  const p: OutputProfile = { id: `p${i}`, platform_number: '1', cycle_number: i, direction: 'A', data_mode: 'R', time: '2024-01-01T00:00:00.000Z', latitude: 0, longitude: 0 };
  return encodeProfile(p);
}

/** Waits until `signal` fires, then throws what a cancelled read throws (not a timeout: an abort). */
async function stalledRead(signal: AbortSignal): Promise<never> {
  if (!signal.aborted) await once(signal, 'abort');
  throw new AbortedError({ message: 'read aborted', cause: signal.reason });
}

/** A service whose plan or profiles stall until its signal fires; records that signal. */
function scripted(options: { stallPlan?: boolean; stallAfter?: number; failWith?: Error; profiles?: number }) {
  const seen: { signal?: AbortSignal } = {};
  const service: QueryService = {
    async run(query, { signal }) {
      seen.signal = signal;
      if (options.stallPlan) await stalledRead(signal);
      const n = options.profiles ?? 3;
      const profiles = (async function* () {
        for (let i = 0; i < n; i++) {
          if (i === options.stallAfter) {
            if (options.failWith) {
              await once(signal, 'abort');
              throw options.failWith;
            }
            await stalledRead(signal);
          }
          yield profile(i);
        }
      })();
      const result: QueryResult = { matched: n, truncated: false, monthsMissing: [], monthKeys: [], query, profiles };
      return result;
    },
  };
  return { service, seen };
}

async function collect(result: QueryResult): Promise<{ ids: string[]; error?: unknown }> {
  const ids: string[] = [];
  try {
    for await (const p of result.profiles) ids.push(p.profile.id);
  } catch (error) {
    return { ids, error };
  }
  return { ids };
}

const MESSAGE = 'the query exceeded its time limit of 0.2 s; narrow the window or lower max_profiles';

test('a plan past the limit: QueryTimeoutError (504, its own message), and the inner signal fired', async () => {
  const { service, seen } = scripted({ stallPlan: true });
  const started = Date.now();
  await assert.rejects(withQueryDeadline(service, { timeoutMs: 200 }).run(QUERY, { signal: new AbortController().signal }), (error: unknown) => {
    assert.ok(error instanceof QueryTimeoutError);
    assert.equal(error.message, MESSAGE);
    assert.equal(statusOf(error), 504);
    assert.equal(publicMessage(error), MESSAGE, 'the client sees what to change');
    assert.equal(isAbortError(error), false, 'a timeout is never mistaken for a client that left');
    return true;
  });
  assert.ok(Date.now() - started >= 190);
  assert.equal(seen.signal?.aborted, true, 'what the plan had in flight was cancelled');
});

test('profiles past the limit: the iterator throws QueryTimeoutError after what came in time', async () => {
  const { service, seen } = scripted({ stallAfter: 2, profiles: 5 });
  const result = await withQueryDeadline(service, { timeoutMs: 200 }).run(QUERY, { signal: new AbortController().signal });
  const { ids, error } = await collect(result);
  assert.deepEqual(ids, ['p0', 'p1']);
  assert.ok(error instanceof QueryTimeoutError, String(error));
  assert.equal(error.message, MESSAGE);
  assert.equal(seen.signal?.aborted, true, 'the reads in flight were cancelled');
});

test('past the limit, whatever the cancelled step threw (an upstream error) is reported as the timeout', async () => {
  const { service } = scripted({ stallAfter: 0, failWith: new UpstreamError({ message: 'connection closed while reading' }) });
  const result = await withQueryDeadline(service, { timeoutMs: 100 }).run(QUERY, { signal: new AbortController().signal });
  const { error } = await collect(result);
  assert.ok(error instanceof QueryTimeoutError, String(error));
  assert.ok(error.cause instanceof UpstreamError, 'the step that failed is kept as the cause (logs)');
});

test('the client leaving is an abort, not a timeout', async () => {
  const { service } = scripted({ stallAfter: 1 });
  const client = new AbortController();
  const result = await withQueryDeadline(service, { timeoutMs: 10_000 }).run(QUERY, { signal: client.signal });
  setTimeout(() => client.abort(new AbortedError({ message: 'client closed the connection' })), 20);
  const { ids, error } = await collect(result);
  assert.deepEqual(ids, ['p0']);
  assert.ok(isAbortError(error), String(error));
  assert.ok(!(error instanceof QueryTimeoutError));
});

test('a query that ends in time stops the clock: its signal never fires afterwards', async () => {
  const { service, seen } = scripted({ profiles: 3 });
  const result = await withQueryDeadline(service, { timeoutMs: 100 }).run(QUERY, { signal: new AbortController().signal });
  assert.deepEqual((await collect(result)).ids, ['p0', 'p1', 'p2']);
  await sleep(200);
  assert.equal(seen.signal?.aborted, false);
});

test('an answer never iterated (a response-cache hit) holds no clock: its signal never fires afterwards', async () => {
  const { service, seen } = scripted({ profiles: 3 });
  await withQueryDeadline(service, { timeoutMs: 100 }).run(QUERY, { signal: new AbortController().signal });
  await sleep(200);
  assert.equal(seen.signal?.aborted, false);
});

test('the limit counts from the plan: what the plan used is not given again to the profiles', async () => {
  let release!: () => void;
  const planned = new Promise<void>((resolve) => (release = resolve));
  const seen: { signal?: AbortSignal } = {};
  const service: QueryService = {
    async run(query, { signal }) {
      seen.signal = signal;
      await planned;
      const profiles = (async function* () {
        yield profile(0);
        await stalledRead(signal);
      })();
      return { matched: 1, truncated: false, monthsMissing: [], monthKeys: [], query, profiles };
    },
  };
  const started = Date.now();
  setTimeout(release, 600);
  const result = await withQueryDeadline(service, { timeoutMs: 1000 }).run(QUERY, { signal: new AbortController().signal });
  const { ids, error } = await collect(result);
  assert.deepEqual(ids, ['p0']);
  assert.ok(error instanceof QueryTimeoutError, String(error));
  const ms = Date.now() - started;
  assert.ok(ms >= 990 && ms < 1450, `ended ${ms} ms after the start: 1 s in all, not 0.6 + 1 s`);
});

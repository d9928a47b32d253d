import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProfileLevels } from '../../src/argo/types.js';
import type { LevelReader, ProfileRef } from '../../src/query/reader.js';
import { withSingleFlight } from '../../src/query/single-flight.js';

const REF = { id: 'aoml/1/profiles/R1_001.nc', dateUpdate: '20240101000000' } as ProfileRef;
const LEVELS = { nLevels: 1 } as ProfileLevels;

/** An inner reader whose reads finish when told to; records each read's signal. */
function gated() {
  const calls: { signal: AbortSignal; finish: (v: ProfileLevels) => void; fail: (e: unknown) => void }[] = [];
  const reader: LevelReader = {
    read: (_ref, _names, { signal }) =>
      new Promise<ProfileLevels>((resolve, reject) => {
        calls.push({ signal, finish: resolve, fail: reject });
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
  return { reader, calls };
}

test('concurrent reads of one profile and variables share one upstream read', async () => {
  const { reader, calls } = gated();
  const shared = withSingleFlight(reader);
  const a = shared.read(REF, ['PRES', 'TEMP'], { signal: new AbortController().signal });
  const b = shared.read(REF, ['TEMP', 'PRES'], { signal: new AbortController().signal });
  const other = shared.read(REF, ['PSAL'], { signal: new AbortController().signal });
  assert.equal(calls.length, 2, 'one read for PRES+TEMP, one for PSAL');
  calls[0].finish(LEVELS);
  calls[1].finish(LEVELS);
  assert.equal(await a, LEVELS);
  assert.equal(await b, LEVELS);
  await other;
  // Finished flights are forgotten: a later read goes upstream again (the level cache sits above).
  const later = shared.read(REF, ['PRES', 'TEMP'], { signal: new AbortController().signal });
  assert.equal(calls.length, 3);
  calls[2].finish(LEVELS);
  await later;
});

test('a caller that hangs up stops waiting; the read is cancelled only when nobody waits', async () => {
  const { reader, calls } = gated();
  const shared = withSingleFlight(reader);
  const first = new AbortController();
  const second = new AbortController();
  const a = shared.read(REF, ['PRES'], { signal: first.signal });
  const b = shared.read(REF, ['PRES'], { signal: second.signal });
  first.abort();
  await assert.rejects(a, { name: 'AbortedError' });
  assert.equal(calls[0].signal.aborted, false, 'the other caller still wants it');
  second.abort();
  await assert.rejects(b, { name: 'AbortedError' });
  assert.equal(calls[0].signal.aborted, true, 'the last one out cancels the upstream read');
  // A new read after that starts afresh.
  const c = shared.read(REF, ['PRES'], { signal: new AbortController().signal });
  assert.equal(calls.length, 2);
  calls[1].finish(LEVELS);
  assert.equal(await c, LEVELS);
});

test('a failed read fails every waiter and is not kept', async () => {
  const { reader, calls } = gated();
  const shared = withSingleFlight(reader);
  const a = shared.read(REF, ['PRES'], { signal: new AbortController().signal });
  const b = shared.read(REF, ['PRES'], { signal: new AbortController().signal });
  calls[0].fail(new Error('mirror down'));
  await assert.rejects(a, /mirror down/);
  await assert.rejects(b, /mirror down/);
  const c = shared.read(REF, ['PRES'], { signal: new AbortController().signal });
  assert.equal(calls.length, 2);
  calls[1].finish(LEVELS);
  await c;
});

/**
 * `createPackWriter`: a month's pack writer (writer.ts) on `node:worker_threads` workers, or on
 * the caller's thread.
 *
 * Why workers: a month's pack is seconds of CPU (decoding each downloaded file's levels, then
 * hyparquet-writer and ZSTD at level 19: ~15–20 s for a 13,000-profile month), and the Parquet
 * write is synchronous. On the server's thread (builds run there, POST /admin/builds) it held the
 * event loop for the whole write: no /healthz, no query. Here the caller's thread only forwards
 * bytes (transferred, not copied, where their buffer is their own) and gets the written pack
 * back the same way.
 *
 * Threads: one per writer (a month in flight), started on first use: it decodes each file as it
 * arrives and holds the month's levels. For the write, a month of at least SPLIT_MIN_ROWS rows is
 * cut in two between days: a second thread, started for the write only, takes the later half's
 * levels (transferred) and writes those row groups while the first writes the earlier half, then
 * the first assembles the file — the same bytes as one write, in about half the time when a core
 * is free (a build waiting on the GDAC leaves one). Two threads, not a pool sized to the cores:
 * the levels are in the month's thread, so a second is the one hand-off that costs nothing
 * (levels move, they are not copied), and the builder's three months in flight already give the
 * cores more threads than they have.
 *
 * Failures: a thread that crashes (an uncaught error, an exit, a message it cannot read) or a
 * write that throws rejects what is pending and every later call with a `PackWriteError`; the
 * signal firing stops the threads and rejects them with an `AbortedError`.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PackWriteError, type AppError } from '../errors.js';
import { abortedBy, onAbort } from '../util/abort.js';
import { checkOrder, type PackLayout } from './write.js';
import { createInThreadPackWriter, requestLayout, type PackEntry, type PackWriteResult, type PackWriter } from './writer.js';
import { deserializeError, levelsForTransfer, ownedBuffer, type FromThread, type ToThread } from './writer-protocol.js';

export interface PackWriterOptions {
  /** `worker` (default): worker threads of its own; `caller`: the caller's thread (tests, tools). */
  thread?: 'worker' | 'caller';
  /** Stops the threads; pending and later calls reject with AbortedError. */
  signal?: AbortSignal;
  /** Context for the errors it raises (the month). */
  context?: Record<string, unknown>;
  /** Rows from which the write is split over two threads (default SPLIT_MIN_ROWS). */
  splitMinRows?: number;
}

/**
 * Below ~2,000 rows a pack is well under a second of CPU, and a second thread's start (loading
 * the writer's modules: ~0.1–0.3 s) would eat much of what splitting saves.
 */
export const SPLIT_MIN_ROWS = 2000;

/**
 * The thread's module beside this one, with this module's extension: `.ts` under the TypeScript
 * loader (tests, `npm start`), `.js` from the compiled `dist/` (and the benchmark's transpiled copy).
 */
const THREAD_URL = new URL(`./writer-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * Old-generation ceiling of a pack thread, MB: a runaway (a month far larger than today's) fails
 * its pack with PackWriteError, and the month's build with it (its current version kept), rather
 * than growing the process until the container is killed. What a thread holds alive is its
 * month's levels, packed (held-levels.ts: ~1.5 KB a profile, ~20 MB for a 13,000-profile month)
 * plus one row group being written (a UTC day: a few tens of MB of the writer's temporaries);
 * 256 MB is several times that. Measured on that month: the build's peak RSS did not move between
 * ceilings of 160 and 384 MB, so the ceiling costs no collection work in normal months.
 */
const THREAD_HEAP_MB = 256;
const THREAD_LIMITS = { resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB } };

function startThread(): Worker {
  if (!THREAD_URL.pathname.endsWith('.ts')) return new Worker(THREAD_URL, THREAD_LIMITS);
  // TypeScript sources: Node 20's workers do not inherit the parent's `--import` loader hooks,
  // so the thread registers the same loader (the dev dependency that runs `.ts`) before its module.
  const loader = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(loader)}).then((api) => { api.register(); return import(${JSON.stringify(THREAD_URL.href)}); });`, { eval: true, ...THREAD_LIMITS });
}

/** Requests to one thread, answered by `seq`; `onCrash` when it dies. */
interface Channel {
  call<T extends FromThread>(message: ToThread & { seq: number }, transfer?: ArrayBuffer[]): Promise<T>;
  post(message: ToThread, transfer?: ArrayBuffer[]): void;
  /** Rejects what is pending with `error` and stops the thread. */
  stop(error: unknown): void;
}

function openChannel(onCrash: (message: string, cause?: unknown) => void): Channel {
  const worker = startThread();
  const pending = new Map<number, { resolve: (value: FromThread) => void; reject: (error: unknown) => void }>();
  let stopped = false;
  worker.on('message', (message: FromThread) => {
    const p = pending.get(message.seq);
    if (!p) return;
    pending.delete(message.seq);
    if (message.type === 'failed') p.reject(deserializeError(message.error));
    else p.resolve(message);
  });
  const crashed = (message: string, cause?: unknown): void => {
    if (!stopped) onCrash(message, cause);
  };
  worker.on('error', (error) => crashed(`data pack worker crashed: ${error.message}`, error));
  worker.on('messageerror', (error) => crashed('data pack worker sent a message that cannot be read', error));
  worker.on('exit', (code) => crashed(`data pack worker exited (code ${code})`));
  return {
    call: <T extends FromThread>(message: ToThread & { seq: number }, transfer: ArrayBuffer[] = []) =>
      new Promise<T>((resolve, reject) => {
        pending.set(message.seq, { resolve: resolve as (value: FromThread) => void, reject });
        worker.postMessage(message, transfer);
      }),
    post: (message, transfer = []) => worker.postMessage(message, transfer),
    stop(error) {
      if (stopped) return;
      stopped = true;
      for (const p of pending.values()) p.reject(error);
      pending.clear();
      void worker.terminate();
    },
  };
}

/** Index of the first row of the later half: a day (row-group slice) boundary near the middle, or 0. */
function splitPoint(entries: readonly PackEntry[], layout: PackLayout): number {
  const sliceMs = layout.description.rowGroupHours * 3_600_000;
  const half = entries.length / 2;
  let best = 0;
  for (let i = 1; i < entries.length; i++) {
    if (Math.floor(entries[i].timeMs / sliceMs) === Math.floor(entries[i - 1].timeMs / sliceMs)) continue;
    if (best === 0 || Math.abs(i - half) < Math.abs(best - half)) best = i;
  }
  return best;
}

export function createWorkerPackWriter(options: Omit<PackWriterOptions, 'thread'> = {}): PackWriter {
  const { signal } = options;
  const context = options.context ?? {};
  const splitMinRows = options.splitMinRows ?? SPLIT_MIN_ROWS;
  const channels = new Set<Channel>();
  let main: Channel | undefined;
  let failure: AppError | undefined;
  let closed = false;
  let seq = 0;
  let stopAbortWatch: (() => void) | undefined;

  const fail = (error: AppError): void => {
    failure ??= error;
    stopAbortWatch?.();
    for (const channel of channels) channel.stop(failure);
    channels.clear();
    main = undefined;
  };

  const open = (): Channel => {
    const channel = openChannel((message, cause) => {
      if (!closed) fail(new PackWriteError({ message, context, ...(cause !== undefined ? { cause } : {}) }));
    });
    channels.add(channel);
    if (signal && !stopAbortWatch) stopAbortWatch = onAbort(signal, () => fail(abortedBy(signal, 'build aborted', context)));
    return channel;
  };

  const usable = (): Channel => {
    if (failure) throw failure;
    if (closed) throw new PackWriteError({ message: 'data pack writer used after close', context });
    if (signal?.aborted) {
      fail(abortedBy(signal, 'build aborted', context));
      throw failure;
    }
    return (main ??= open());
  };

  /** The pack, in one part or two (module comment). */
  async function writeParts(entries: readonly PackEntry[], layout: PackLayout, maxRowGroupRows?: number): Promise<PackWriteResult> {
    const first = usable();
    const at = entries.length >= splitMinRows ? splitPoint(entries, layout) : 0;
    const halves = at > 0 ? [entries.slice(0, at), entries.slice(at)] : [entries];
    const partOf = (channel: Channel, half: readonly PackEntry[]) =>
      channel.call<FromThread & { type: 'part' }>({ type: 'part', seq: ++seq, entries: half, layout, ...(maxRowGroupRows !== undefined ? { maxRowGroupRows } : {}) });
    const tasks: Promise<FromThread & { type: 'part' }>[] = [];
    let helper: Channel | undefined;
    if (halves.length === 2) {
      helper = open();
      // Taken before the first thread starts its part: a thread does one message at a time, and
      // a part is seconds of synchronous work.
      const taken = await first.call<FromThread & { type: 'taken' }>({ type: 'take', seq: ++seq, ids: halves[1].map((e) => e.id) });
      const moved = levelsForTransfer(taken.entries);
      helper.post({ type: 'levels', entries: moved.entries }, moved.transfer);
      tasks.push(partOf(helper, halves[1]));
    }
    tasks.unshift(partOf(first, halves[0]));
    try {
      const parts = await Promise.all(tasks);
      const written = await first.call<FromThread & { type: 'written' }>(
        { type: 'assemble', seq: ++seq, parts: parts.map((p) => p.part), layout },
        parts.map((p) => p.part.bytes.buffer as ArrayBuffer),
      );
      return { ...written.result, missing: parts.flatMap((p) => p.missing) };
    } finally {
      if (helper) {
        channels.delete(helper);
        helper.stop(new PackWriteError({ message: 'data pack helper thread stopped', context }));
      }
    }
  }

  return {
    async addFile({ id, bytes }) {
      const owned = ownedBuffer(bytes);
      await usable().call({ type: 'file', seq: ++seq, id, bytes: owned }, [owned.buffer as ArrayBuffer]);
    },
    addLevels(id, levels) {
      const moved = levelsForTransfer([[id, levels]]);
      usable().post({ type: 'levels', entries: moved.entries }, moved.transfer);
    },
    async write({ profiles: entries, maxRowGroupRows, ...request }) {
      const layout = requestLayout(request, context);
      try {
        checkOrder(entries);
        return await writeParts(entries, layout, maxRowGroupRows);
      } catch (error) {
        if (error instanceof PackWriteError || error === failure) throw error;
        throw new PackWriteError({ message: `data pack write failed: ${(error as Error).message}`, context, cause: error });
      }
    },
    close() {
      if (closed) return;
      closed = true;
      const error = failure ?? new PackWriteError({ message: 'data pack writer closed', context });
      stopAbortWatch?.();
      for (const channel of channels) channel.stop(error);
      channels.clear();
      main = undefined;
    },
  };
}

/** A pack writer on worker threads (default) or on the caller's thread. */
export function createPackWriter(options: PackWriterOptions = {}): PackWriter {
  return options.thread === 'caller' ? createInThreadPackWriter(options.context) : createWorkerPackWriter(options);
}

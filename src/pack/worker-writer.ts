/**
 * `createPackWriter`: a month's pack writer (writer.ts) on a `node:worker_threads` worker, or on
 * the caller's thread.
 *
 * Why a worker: a month's pack is seconds of CPU (decoding each downloaded file's levels, then
 * hyparquet-writer and ZSTD at level 19: ~15–20 s for a 13,000-profile month), and the write is
 * one synchronous call. On the server's thread (builds run there, POST /v1/admin/builds) it held
 * the event loop for the whole write: no /healthz, no query. In the worker the caller's thread
 * only forwards bytes (transferred, not copied, where their buffer is their own) and gets the
 * written pack back the same way.
 *
 * One worker per writer, started on first use and stopped by `close` (or the signal): a month's
 * levels live in the worker that writes them, so they never cross threads twice.
 *
 * Failures: a worker that crashes (an uncaught error, an exit, a message it cannot read) or a
 * write that throws rejects what is pending and every later call with a `PackWriteError`; the
 * signal firing stops the worker and rejects them with an `AbortedError`.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PackWriteError, type AppError } from '../errors.js';
import { abortedBy, onAbort } from '../util/abort.js';
import type { PackLevels } from './types.js';
import { createInThreadPackWriter, type PackWriteResult, type PackWriter } from './writer.js';
import { deserializeError, ownedBuffer, type FromThread, type ToThread } from './writer-protocol.js';

export interface PackWriterOptions {
  /** `worker` (default): a worker thread of its own; `caller`: the caller's thread (tests, tools). */
  thread?: 'worker' | 'caller';
  /** Stops the worker; pending and later calls reject with AbortedError. */
  signal?: AbortSignal;
  /** Context for the errors it raises (the month). */
  context?: Record<string, unknown>;
}

/**
 * The thread's module beside this one, with this module's extension: `.ts` under the TypeScript
 * loader (tests, `npm start`), `.js` from the compiled `dist/` (and the benchmark's transpiled copy).
 */
const THREAD_URL = new URL(`./writer-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

function startThread(): Worker {
  if (!THREAD_URL.pathname.endsWith('.ts')) return new Worker(THREAD_URL);
  // TypeScript sources: Node 20's workers do not inherit the parent's `--import` loader hooks,
  // so the thread registers the same loader (the dev dependency that runs `.ts`) before its module.
  const loader = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(loader)}).then((api) => { api.register(); return import(${JSON.stringify(THREAD_URL.href)}); });`, { eval: true });
}

/** The ArrayBuffers of a profile's float arrays that can move to the worker without a copy. */
function levelsForTransfer(levels: PackLevels): { levels: PackLevels; transfer: ArrayBuffer[] } {
  const out: Record<string, unknown> = {};
  const transfer = new Set<ArrayBuffer>();
  for (const [name, value] of Object.entries(levels)) {
    if (value instanceof Float32Array || value instanceof Float64Array) {
      const owned = ownedBuffer(value);
      const buffer = owned.buffer as ArrayBuffer;
      // A buffer may be named once in a transfer list: a second array on it is copied.
      if (transfer.has(buffer)) {
        out[name] = owned.slice();
      } else {
        transfer.add(buffer);
        out[name] = owned;
      }
    } else {
      out[name] = value;
    }
  }
  return { levels: out as PackLevels, transfer: [...transfer] };
}

export function createWorkerPackWriter(options: Omit<PackWriterOptions, 'thread'> = {}): PackWriter {
  const { signal } = options;
  const context = options.context ?? {};
  let worker: Worker | undefined;
  let failure: AppError | undefined;
  let closed = false;
  let seq = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  let stopAbortWatch: (() => void) | undefined;

  const stop = (): void => {
    stopAbortWatch?.();
    stopAbortWatch = undefined;
    const w = worker;
    worker = undefined;
    if (w) void w.terminate();
  };

  const fail = (error: AppError): void => {
    failure ??= error;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
    stop();
  };

  const crashed = (message: string, cause?: unknown): void => {
    if (closed || failure) return;
    fail(new PackWriteError({ message, context, ...(cause !== undefined ? { cause } : {}) }));
  };

  const ensureWorker = (): Worker => {
    if (worker) return worker;
    const w = startThread();
    worker = w;
    w.on('message', (message: FromThread) => {
      const p = pending.get(message.seq);
      if (!p) return;
      pending.delete(message.seq);
      if (message.type === 'failed') p.reject(deserializeError(message.error));
      else p.resolve(message.type === 'written' ? message.result : undefined);
    });
    w.on('error', (error) => crashed(`data pack worker crashed: ${error.message}`, error));
    w.on('messageerror', (error) => crashed('data pack worker sent a message that cannot be read', error));
    w.on('exit', (code) => crashed(`data pack worker exited (code ${code})`));
    if (signal) stopAbortWatch = onAbort(signal, () => fail(abortedBy(signal, 'build aborted', context)));
    return w;
  };

  const usable = (): Worker => {
    if (failure) throw failure;
    if (closed) throw new PackWriteError({ message: 'data pack writer used after close', context });
    if (signal?.aborted) {
      fail(abortedBy(signal, 'build aborted', context));
      throw failure;
    }
    return ensureWorker();
  };

  const call = <T>(message: ToThread & { seq: number }, transfer: ArrayBuffer[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const w = usable();
      pending.set(message.seq, { resolve: resolve as (value: unknown) => void, reject });
      w.postMessage(message, transfer);
    });

  return {
    async addFile({ id, bytes }) {
      const owned = ownedBuffer(bytes);
      await call<void>({ type: 'file', seq: ++seq, id, bytes: owned }, [owned.buffer as ArrayBuffer]);
    },
    addLevels(id, levels) {
      const moved = levelsForTransfer(levels);
      usable().postMessage({ type: 'levels', id, levels: moved.levels } satisfies ToThread, moved.transfer);
    },
    async write(request) {
      try {
        return await call<PackWriteResult>({ type: 'write', seq: ++seq, request }, []);
      } catch (error) {
        if (error instanceof PackWriteError || error === failure) throw error;
        throw new PackWriteError({ message: `data pack write failed: ${(error as Error).message}`, context, cause: error });
      }
    },
    close() {
      if (closed) return;
      closed = true;
      for (const p of pending.values()) p.reject(failure ?? new PackWriteError({ message: 'data pack writer closed', context }));
      pending.clear();
      stop();
    },
  };
}

/** A pack writer on a worker thread (default) or on the caller's thread. */
export function createPackWriter(options: PackWriterOptions = {}): PackWriter {
  return options.thread === 'caller' ? createInThreadPackWriter(options.context) : createWorkerPackWriter(options);
}

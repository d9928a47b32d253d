/**
 * The messages between a worker pack writer (worker-writer.ts) and its thread (writer-thread.ts),
 * and the helpers both sides use to move bytes without copying them twice.
 */
import type { PackLevels } from './types.js';
import type { PackLayout, PackPart } from './write.js';
import type { PackEntry, PackWriteResult } from './writer.js';

export type ToThread =
  | { type: 'file'; seq: number; id: string; bytes: Uint8Array }
  | { type: 'levels'; entries: [string, PackLevels][] }
  /** Hand the levels of `ids` back (to move them to another thread). */
  | { type: 'take'; seq: number; ids: string[] }
  | { type: 'part'; seq: number; entries: readonly PackEntry[]; layout: PackLayout; maxRowGroupRows?: number }
  | { type: 'assemble'; seq: number; parts: PackPart[]; layout: PackLayout };

export type FromThread =
  | { type: 'done'; seq: number }
  | { type: 'written'; seq: number; result: PackWriteResult }
  | { type: 'taken'; seq: number; entries: [string, PackLevels][] }
  | { type: 'part'; seq: number; part: PackPart; missing: string[] }
  | { type: 'failed'; seq: number; error: SerializedError };

/** An error as it crosses threads: its class is lost, its words are kept. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { name: 'Error', message: String(error) };
}

export function deserializeError(error: SerializedError): Error {
  const out = new Error(error.message);
  out.name = error.name;
  if (error.stack) out.stack = error.stack;
  return out;
}

/**
 * `bytes` on an ArrayBuffer of its own, so the buffer can be transferred: the view itself when
 * it spans its whole (non-shared) buffer, else a copy. Transferring the buffer under a view of a
 * larger one would take the rest of that buffer away from whoever else holds it.
 */
export function ownedBuffer<T extends Uint8Array | Float32Array | Float64Array>(bytes: T): T {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !(bytes.buffer instanceof SharedArrayBuffer);
  return whole ? bytes : (bytes.slice() as T);
}

/**
 * Levels ready to post: each float array on a buffer of its own, and those buffers, to transfer
 * rather than copy. A buffer may be named once in a transfer list: a second array on one is copied.
 */
export function levelsForTransfer(entries: readonly [string, PackLevels][]): { entries: [string, PackLevels][]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const out = entries.map(([id, levels]): [string, PackLevels] => {
    const moved: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(levels)) {
      if (value instanceof Float32Array || value instanceof Float64Array) {
        const owned = ownedBuffer(value);
        const buffer = owned.buffer as ArrayBuffer;
        if (transfer.has(buffer)) {
          moved[name] = owned.slice();
        } else {
          transfer.add(buffer);
          moved[name] = owned;
        }
      } else {
        moved[name] = value;
      }
    }
    return [id, moved as PackLevels];
  });
  return { entries: out, transfer: [...transfer] };
}

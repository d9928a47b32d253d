/**
 * The messages between a worker pack writer (worker-writer.ts) and its thread (writer-thread.ts),
 * and the helpers both sides use to move bytes without copying them twice.
 */
import type { PackLevels } from './types.js';
import type { PackWriteRequest, PackWriteResult } from './writer.js';

export type ToThread =
  | { type: 'file'; seq: number; id: string; bytes: Uint8Array }
  | { type: 'levels'; id: string; levels: PackLevels }
  | { type: 'write'; seq: number; request: PackWriteRequest };

export type FromThread =
  | { type: 'done'; seq: number }
  | { type: 'written'; seq: number; result: PackWriteResult }
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

/**
 * A GDAC tree in a local directory (a mounted copy, or the shared sample in tests).
 *
 * Reads go through a file handle (range reads at a position, no whole-file read for a range).
 * ENOENT / ENOTDIR / EISDIR → UpstreamNotFoundError; EMFILE, EAGAIN, EBUSY, EIO → transient
 * (file descriptors run out under load, network file systems hiccup); anything else (EACCES)
 * → permanent UpstreamError. Paths are checked by `normalizeGdacPath` and again after joining:
 * nothing outside the root is ever opened. Symbolic links inside the root are followed (an
 * operator may link `dac/` to another disk).
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UpstreamError, UpstreamNotFoundError, type ErrorContext } from '../errors.js';
import { onAbort } from '../util/abort.js';
import { abortedError } from './abort.js';
import type { FetchRequest, FetchResult, Fetcher, OpenRequest, StatsCollector } from './fetcher.js';
import { TransientUpstreamError, errorCode } from './transient.js';

export interface LocalFetcherOptions {
  /** A directory path or a `file://` URL. */
  root: string;
  stats: StatsCollector;
}

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR', 'EISDIR']);
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO', 'ETIMEDOUT', 'ESTALE']);

export function createLocalFetcher(options: LocalFetcherOptions): Fetcher {
  const root = resolve(options.root.startsWith('file://') ? fileURLToPath(options.root) : options.root);
  const { stats } = options;
  const name = root;

  function fullPath(path: string): string {
    const full = resolve(root, ...path.split('/'));
    const rel = relative(root, full);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new UpstreamError({ message: `refused GDAC path outside the root: ${path}`, context: { root, path } });
    }
    return full;
  }

  function translate(error: unknown, context: ErrorContext, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return abortedError(signal, context);
    if (error instanceof UpstreamError) return error;
    const code = errorCode(error);
    if (code !== undefined && NOT_FOUND.has(code)) {
      return new UpstreamNotFoundError({ message: `GDAC object not found: ${String(context.path)}`, context, cause: error });
    }
    if (code !== undefined && TRANSIENT.has(code)) {
      return new TransientUpstreamError({ message: `GDAC file read failed (${code})`, context, cause: error });
    }
    return new UpstreamError({ message: `GDAC file read failed${code ? ` (${code})` : ''}`, context, cause: error });
  }

  async function openChecked(path: string): Promise<FileHandle> {
    const handle = await openFile(fullPath(path), 'r');
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw Object.assign(new Error(`not a regular file: ${path}`), { code: 'EISDIR' });
      return handle;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async function fetch({ path, range, signal }: FetchRequest): Promise<FetchResult> {
    const context: ErrorContext = { root, path, ...(range ? { range } : {}) };
    let handle: FileHandle | undefined;
    try {
      if (signal?.aborted) throw abortedError(signal, context);
      stats.requests++;
      handle = await openChecked(path);
      const size = (await handle.stat()).size;
      const offset = range ? Math.min(range.offset, size) : 0;
      const length = range ? Math.min(range.length, size - offset) : size;
      const bytes = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        if (signal?.aborted) throw abortedError(signal, context);
        const { bytesRead } = await handle.read(bytes, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      stats.bytes += done;
      if (done < length) {
        // The file shrank while we read it (a mirror sync in progress): try again.
        throw new TransientUpstreamError({ message: `GDAC file shorter than its size (${done} of ${length})`, context });
      }
      return { bytes, whole: range === undefined, objectSize: size };
    } catch (error) {
      throw translate(error, context, signal);
    } finally {
      await handle?.close();
    }
  }

  async function open({ path, signal }: OpenRequest): Promise<AsyncIterable<Uint8Array>> {
    const context: ErrorContext = { root, path };
    let handle: FileHandle;
    try {
      if (signal?.aborted) throw abortedError(signal, context);
      stats.requests++;
      handle = await openChecked(path);
    } catch (error) {
      throw translate(error, context, signal);
    }
    // The stream owns the handle from here and closes it when it ends or is destroyed.
    const stream = handle.createReadStream({ autoClose: true });
    const unfollow = signal ? onAbort(signal, () => stream.destroy(abortedError(signal, context))) : undefined;
    return (async function* chunks() {
      try {
        for await (const chunk of stream as AsyncIterable<Uint8Array>) {
          stats.bytes += chunk.length;
          yield chunk;
        }
      } catch (error) {
        throw translate(error, context, signal);
      } finally {
        unfollow?.();
        if (!stream.destroyed) stream.destroy();
      }
    })();
  }

  return { name, fetch, open };
}

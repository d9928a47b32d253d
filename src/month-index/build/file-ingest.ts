/**
 * Step 2, file ingest: fetch one file from the GDAC, parse it, extract what the month index
 * needs, and say in words why a file could not be read. A failed file is an outcome (recorded in
 * its month's `failures` and retried by the next build), never a failed build; an abort is.
 *
 * A file is read once per build even when two months ask for it (a row within a second of a month
 * edge) or when undated placement read it first: those outcomes are remembered, without their
 * bytes (undated files can be many; a step that needs the bytes of such a file reads it again).
 */
import { AbortedError, ArgoFormatError, NetcdfFormatError, UpstreamError, UpstreamNotFoundError, UpstreamTimeoutError, isAbortError } from '../../errors.js';
import type { GdacSource } from '../../gdac/types.js';
import { readProfileBytes } from './profile-file.js';
import type { FileOutcome, IngestedFile } from './types.js';

/** Why a file could not be indexed, in words for the month detail (no stack, no internals). */
export function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UpstreamNotFoundError) return 'not found on the GDAC (404)';
  if (error instanceof UpstreamTimeoutError) return `GDAC download timed out: ${message}`;
  if (error instanceof UpstreamError) return `GDAC download failed: ${message}`;
  if (error instanceof NetcdfFormatError) return `not a readable NetCDF classic file: ${message}`;
  if (error instanceof ArgoFormatError) return `not an Argo core profile file: ${message}`;
  return `could not be read: ${message}`;
}

/** Turns a downloaded file into its outcome (default: a core profile file, profile-file.ts). */
export type FileReader = (id: string, bytes: Uint8Array, dateUpdate: string) => FileOutcome;

export interface FileIngestOptions {
  gdac: GdacSource;
  /** Files that two months ask for: their outcome is remembered for the second. */
  shared?: ReadonlySet<string>;
  readFile?: FileReader;
  signal?: AbortSignal;
}

export interface FileIngest {
  /** The file's outcome; rejects only with AbortedError. */
  read(id: string, dateUpdate: string): Promise<IngestedFile>;
  /** Whether this build read the file already (or is reading it). */
  has(id: string): boolean;
  /** Remember an outcome read elsewhere in this build, for the month that lists the file. */
  remember(file: IngestedFile): void;
}

export function createFileIngest(options: FileIngestOptions): FileIngest {
  const { gdac, signal } = options;
  const readFile = options.readFile ?? readProfileBytes;
  const shared = options.shared ?? new Set<string>();
  const memo = new Map<string, Promise<IngestedFile>>();

  async function fetchAndRead(id: string, dateUpdate: string): Promise<IngestedFile> {
    try {
      // NetCDF expected: a body that is not (a proxy's HTML page) is an upstream fault, retried and
      // failed over like any other, not a file recorded as unreadable until the next build.
      const bytes = await gdac.get(`dac/${id}`, { signal, expect: 'netcdf' });
      return { id, dateUpdate, outcome: readFile(id, bytes, dateUpdate), bytes };
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) {
        throw error instanceof AbortedError ? error : new AbortedError({ message: 'build aborted', context: { id }, cause: error });
      }
      return { id, dateUpdate, outcome: { ok: false, reason: failureReason(error) } };
    }
  }

  const withoutBytes = ({ bytes: _bytes, ...file }: IngestedFile): IngestedFile => file;

  return {
    read(id, dateUpdate) {
      const known = memo.get(id);
      if (known) return known;
      const pending = fetchAndRead(id, dateUpdate);
      if (shared.has(id)) {
        const remembered = pending.then(withoutBytes);
        // Only an abort rejects, and the caller of `pending` sees it: not an unhandled rejection.
        remembered.catch(() => undefined);
        memo.set(id, remembered);
      }
      return pending;
    },
    has: (id) => memo.has(id),
    remember(file) {
      memo.set(file.id, Promise.resolve(withoutBytes(file)));
    },
  };
}

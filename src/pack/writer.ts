/**
 * A month's pack being made: the levels of each profile are handed in as they come (a downloaded
 * file's bytes, decoded here; or levels read from a previous pack), then `write` packs the
 * profiles a month index lists, in its order. The CPU of a pack is in this object — decoding each
 * file's level arrays and the Parquet write with ZSTD — so it can run off the caller's thread:
 *
 *     const writer = createPackWriter({ thread: 'worker', signal });   // worker-writer.ts
 *     await writer.addFile({ id, bytes });          // rejects for an unreadable file (that one only)
 *     writer.addLevels(id, levels);                 // levels from elsewhere
 *     const { bytes, rows, missing } = await writer.write({ profiles, month });
 *     writer.close();
 *
 * `createInThreadPackWriter` is the same contract on the caller's thread; the worker threads hold
 * their levels in a `createPackWriterCore`.
 */
import { readProfileFile } from '../argo/read-file.js';
import { PackWriteError } from '../errors.js';
import { createHeldLevels, type HeldLevels } from './held-levels.js';
import { compactLevels } from './levels.js';
import type { PackLevels, PackProfile } from './types.js';
import { assemblePack, checkOrder, packLayout, packRowGroupSizes, writePackPart, type PackLayout, type PackPart, type WritePackOptions, type WrittenPack } from './write.js';

/** A profile to pack without its levels: the writer has them (`addFile`, `addLevels`). */
export type PackEntry = Omit<PackProfile, 'levels'>;

export interface PackWriteRequest extends Omit<WritePackOptions, 'profiles'> {
  /** In the query's result order. */
  profiles: readonly PackEntry[];
}

export interface PackWriteResult extends WrittenPack {
  /** Ids of `profiles` the writer had no levels for: left out of the pack. */
  missing: string[];
}

export interface PackWriter {
  /**
   * Decodes a downloaded file's primary profile and keeps its levels. Rejects, for this file
   * only, when its levels cannot be read. The writer may take `bytes` over (a worker transfers
   * their buffer): the caller must not read them afterwards.
   */
  addFile(file: { id: string; bytes: Uint8Array }): Promise<void>;
  /** Keeps levels had elsewhere (a previous pack's row). Taken over like `addFile`'s bytes. */
  addLevels(id: string, levels: PackLevels): void;
  /** Writes the pack; the levels held are released. Rejects with PackWriteError on a failure. */
  write(request: PackWriteRequest): Promise<PackWriteResult>;
  /** Releases what the writer holds (a worker is stopped). Idempotent. */
  close(): void;
}

/** The levels of one file's primary profile, float32; throws for an unreadable file. */
export function levelsOfFile(id: string, bytes: Uint8Array): PackLevels {
  return compactLevels(readProfileFile({ id, bytes }).levels, { id });
}

/** The pack's entries the writer holds levels for, and the ids without any. */
function splitHeld(entries: readonly PackEntry[], levels: Pick<HeldLevels, 'has'>): { present: PackEntry[]; missing: string[] } {
  const present: PackEntry[] = [];
  const missing: string[] = [];
  for (const entry of entries) {
    if (levels.has(entry.id)) present.push(entry);
    else missing.push(entry.id);
  }
  return { present, missing };
}

/** Writes the held profiles of `entries` as one part (levels unpacked a row group at a time). */
async function writeHeld(entries: readonly PackEntry[], levels: HeldLevels, layout: PackLayout, maxRowGroupRows?: number): Promise<{ part: PackPart; missing: string[] }> {
  const { present, missing } = splitHeld(entries, levels);
  const part = await writePackPart(present, packRowGroupSizes(present, layout, maxRowGroupRows), layout, (e) => levels.get(e.id)!);
  return { part, missing };
}

/**
 * What a thread holding a month's levels does with them: the in-thread writer, and the worker
 * threads (writer-thread.ts), which also write parts of a pack and assemble them.
 */
export interface PackWriterCore {
  /** Held packed (held-levels.ts): a month's levels as plain arrays outgrow a builder's memory. */
  levels: HeldLevels;
  /** Removes and returns the levels of `ids` it holds (to hand them to another thread). */
  take(ids: readonly string[]): [string, PackLevels][];
  /**
   * The row groups of `entries` (those it holds levels for); their levels are released. Parts
   * split between two row-group time slices make the same groups as one write of them all.
   */
  part(entries: readonly PackEntry[], layout: PackLayout, maxRowGroupRows?: number): Promise<{ part: PackPart; missing: string[] }>;
  assemble(parts: readonly PackPart[], layout: PackLayout): Promise<WrittenPack>;
}

export function createPackWriterCore(): PackWriterCore {
  const levels = createHeldLevels();
  return {
    levels,
    take(ids) {
      const out: [string, PackLevels][] = [];
      for (const id of ids) {
        const l = levels.get(id);
        if (!l) continue;
        levels.delete(id);
        out.push([id, l]);
      }
      return out;
    },
    async part(entries, layout, maxRowGroupRows) {
      const written = await writeHeld(entries, levels, layout, maxRowGroupRows);
      for (const e of entries) levels.delete(e.id);
      return written;
    },
    assemble: (parts, layout) => assemblePack(parts, layout),
  };
}

/** The layout of a write request, or the PackWriteError that says why it has none. */
export function requestLayout(request: Omit<PackWriteRequest, 'profiles'>, context: Record<string, unknown> = {}): PackLayout {
  try {
    return packLayout(request);
  } catch (error) {
    throw new PackWriteError({ message: `data pack write failed: ${(error as Error).message}`, context, cause: error });
  }
}

/** The writer on the caller's thread: each `addFile` decodes before it resolves. */
export function createInThreadPackWriter(context: Record<string, unknown> = {}): PackWriter {
  const levels = createHeldLevels();
  return {
    async addFile({ id, bytes }) {
      levels.set(id, levelsOfFile(id, bytes));
    },
    addLevels(id, l) {
      levels.set(id, compactLevels(l, { id }));
    },
    async write({ profiles: entries, ...options }) {
      try {
        checkOrder(entries);
        const layout = packLayout(options);
        const { part, missing } = await writeHeld(entries, levels, layout, options.maxRowGroupRows);
        return { ...(await assemblePack([part], layout)), missing };
      } catch (error) {
        throw new PackWriteError({ message: `data pack write failed: ${(error as Error).message}`, context, cause: error });
      } finally {
        levels.clear();
      }
    },
    close() {
      levels.clear();
    },
  };
}

/**
 * The data pack step (issue 12; docs/data-packs.md): with each month version, one Parquet file of
 * every profile's level arrays, written beside the month index and named by the same master
 * entry (`MonthSummary.pack`), so a query answers the month from the index store alone.
 *
 * Where each profile's levels come from:
 *   - a file this build downloaded: its bytes, handed to the month's pack writer as the file
 *     arrives, which decodes its levels and holds them as float32 until the month is written;
 *   - a reused file (unchanged `date_update`): its row of the previous version's pack, read with
 *     ranged reads through the store, never downloaded again;
 *   - a file with neither (the month's previous version has no pack: built before packs, or the
 *     outcome was remembered without its bytes): downloaded whole from the GDAC once.
 * A profile whose levels cannot be had (its file became unreadable since) is left out of the pack
 * and logged: the query reads that one profile from the GDAC (query/pack-reader.ts).
 *
 * The pack's CPU — decoding every downloaded file, then the Parquet write with ZSTD 19 — runs on
 * a worker thread (pack/worker-writer.ts), one per month in flight: at most MONTH_CONCURRENCY (3)
 * at once, each holding its month's levels (so no month's levels are copied between threads),
 * plus a helper for the second half of a big month's write. This thread only forwards bytes, so
 * a build in the server leaves its event loop free for /healthz and queries. The month keeps its
 * builder slot while its pack is written: starting a fourth month then would add a fourth
 * month's levels to memory, and on two cores the writing threads already use both.
 *
 * A month whose current version has no pack is rewritten even when no file changed (`rewrite`):
 * that is how `build-index --packs-only` adds packs to months built before them.
 */
import { PackWriteError, isAbortError } from '../../errors.js';
import type { GdacSource } from '../../gdac/types.js';
import { compactLevels, createPackWriter, openPack, readPackProfiles, type PackLevels, type PackWriter, type PackWriterOptions, type PackWriteResult } from '../../pack/index.js';
import type { BlobStore } from '../../storage/types.js';
import { createLimiter, runPool } from '../../util/pool.js';
import type { ProfileEntry } from '../codec.js';
import { packKeyOf } from '../pack-keys.js';
import type { MonthPack, MonthSummary } from '../types.js';
import type { MonthStep, MonthStepContext, MonthStepRun } from './month-steps.js';
import type { AssembledMonth, BuildLogger, MonthFile } from './types.js';

export const PACK_CONTENT_TYPE = 'application/vnd.apache.parquet';

// Whole-file downloads at once for profiles neither downloaded by this build nor in a previous
// pack (a month built before packs): the GDAC source's own pool is the real limit.
const DOWNLOAD_CONCURRENCY = 8;

// Files handed to the pack writer and not yet decoded, per month, before `file` waits for one:
// enough to keep the worker busy through a burst of downloads (each file a few tens of KB, so a
// few MB at most), while a worker slower than the GDAC slows the downloads instead of queueing
// a month of bytes.
const MAX_DECODES_IN_FLIGHT = 64;

export interface PackStepOptions {
  store: BlobStore;
  /** For profiles this build did not download and no previous pack holds. */
  gdac: GdacSource;
  /** zstd level of the pack (default: the pack module's, see PACK_ZSTD_LEVEL). */
  zstdLevel?: number;
  /** Where the pack's CPU runs (default `worker`: a worker thread per month in flight). */
  thread?: PackWriterOptions['thread'];
  logger?: BuildLogger;
}

/** Rows of `ids` from a previous pack, by id (ranged reads of the row groups that hold them). */
async function previousRows(
  store: BlobStore,
  pack: MonthPack,
  wanted: ReadonlyMap<string, ProfileEntry>,
  signal: AbortSignal | undefined,
): Promise<Map<string, PackLevels>> {
  const found = new Map<string, PackLevels>();
  let start = Infinity;
  let end = -Infinity;
  for (const e of wanted.values()) {
    start = Math.min(start, e.timeMs);
    end = Math.max(end, e.timeMs + 1);
  }
  const opened = await openPack({
    size: pack.bytes,
    footerBytes: pack.footerBytes,
    ...(signal ? { signal } : {}),
    readRange: async ({ offset, length, signal: s }) => {
      const bytes = await store.getRange(pack.key, { offset, length, ...(s ? { signal: s } : {}) });
      if (!bytes) throw new Error(`data pack ${pack.key} is gone from the store`);
      return bytes;
    },
  });
  for await (const { meta, levels } of readPackProfiles({
    pack: opened,
    window: { start, end },
    metadata: false,
    filter: (m) => wanted.get(m.id)?.timeMs === m.timeMs,
    ...(signal ? { signal } : {}),
  })) {
    found.set(meta.id, compactLevels(levels, { id: meta.id }));
  }
  return found;
}

/**
 * Pack writes at once, over the months a build has in flight. A write is where a month's memory
 * peaks (its levels unpacked a row group at a time, the Parquet writer's temporaries and a ZSTD
 * context at level 19, in each of its two threads: ~0.35 GB for a 13,000-profile month), and it
 * already keeps both cores busy, so a second write at once would add its peak and gain nothing.
 */
const WRITES_AT_ONCE = 1;

export function createPackStep(options: PackStepOptions): MonthStep {
  const { store, gdac, logger } = options;
  const writeSlots = createLimiter(WRITES_AT_ONCE);
  return {
    name: 'pack',
    start(context: MonthStepContext): MonthStepRun {
      const { month, signal } = context;
      let writer: PackWriter | undefined;
      const writerOf = (): PackWriter =>
        (writer ??= createPackWriter({ ...(options.thread ? { thread: options.thread } : {}), ...(signal ? { signal } : {}), context: { month } }));
      /** Profiles whose levels the writer holds. */
      const held = new Set<string>();
      /** Profiles placed without bytes: from the previous pack, else the GDAC. */
      const missing = new Map<string, ProfileEntry>();
      const decoding = new Set<Promise<void>>();

      /** Hands a file to the writer; settles once decoded (or left out, logged). Never rejects. */
      const decode = (id: string, bytes: Uint8Array, why: string): Promise<void> => {
        const done: Promise<void> = writerOf()
          .addFile({ id, bytes })
          .then(
            () => void held.add(id),
            (error: unknown) => {
              // The writer is gone (crashed, aborted): the write raises it for the month.
              if (error instanceof PackWriteError || isAbortError(error) || signal?.aborted) return;
              logger?.warn({ err: error, month, id }, why);
            },
          )
          .finally(() => decoding.delete(done));
        decoding.add(done);
        return done;
      };

      const run: MonthStepRun = {
        // A current version without a pack is rewritten once to gain one.
        ...(context.previous && !context.previous.pack ? { rewrite: true } : {}),
        async file(file: MonthFile) {
          if (file.placement !== 'profile' || !file.entry) return;
          if (!file.bytes) {
            missing.set(file.id, file.entry);
            return;
          }
          void decode(file.id, file.bytes, 'profile left out of the data pack: its levels cannot be read');
          while (decoding.size >= MAX_DECODES_IN_FLIGHT) await Promise.race(decoding);
        },
        async finish(assembled: AssembledMonth, version) {
          await Promise.all(decoding);
          const wanted = new Map<string, ProfileEntry>();
          for (const p of assembled.profiles) if (!held.has(p.id) && missing.has(p.id)) wanted.set(p.id, p);
          const previousPack = (context.previous as MonthSummary | undefined)?.pack;
          if (wanted.size > 0 && previousPack) {
            try {
              const rows = await previousRows(store, previousPack, wanted, signal);
              for (const [id, l] of rows) {
                writerOf().addLevels(id, l);
                held.add(id);
                wanted.delete(id);
              }
            } catch (error) {
              if (isAbortError(error) || signal?.aborted || error instanceof PackWriteError) throw error;
              logger?.warn({ err: error, month, key: previousPack.key }, 'previous data pack unreadable: its profiles are downloaded again');
            }
          }
          if (wanted.size > 0) {
            await runPool(wanted.values(), { concurrency: DOWNLOAD_CONCURRENCY, ...(signal ? { signal } : {}) }, async (entry) => {
              let bytes: Uint8Array;
              try {
                bytes = await gdac.get(`dac/${entry.id}`, { ...(signal ? { signal } : {}), expect: 'netcdf' });
              } catch (error) {
                if (isAbortError(error) || signal?.aborted) throw error;
                logger?.warn({ err: error, month, id: entry.id }, 'profile left out of the data pack: its file cannot be read');
                return;
              }
              await decode(entry.id, bytes, 'profile left out of the data pack: its file cannot be read');
            });
          }
          await Promise.all(decoding);
          // One month's write at a time (the other months keep decoding meanwhile): see WRITES_AT_ONCE.
          const release = await writeSlots.acquire(signal);
          let written: PackWriteResult;
          try {
            written = await writerOf().write({ profiles: assembled.profiles, month, ...(options.zstdLevel !== undefined ? { zstdLevel: options.zstdLevel } : {}) });
          } finally {
            release();
          }
          run.close!();
          const pack: MonthPack = { key: packKeyOf(version.key), bytes: written.bytes.length, rows: written.rows, footerBytes: written.footerBytes };
          if (written.missing.length > 0) logger?.warn({ month, skipped: written.missing.length }, 'data pack written without some profiles (they are read from the GDAC)');
          return { objects: [{ key: pack.key, body: written.bytes, contentType: PACK_CONTENT_TYPE }], summary: { pack } };
        },
        close() {
          writer?.close();
          held.clear();
          missing.clear();
        },
      };
      return run;
    },
  };
}

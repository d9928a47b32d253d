/**
 * The data pack step (issue 12; docs/data-packs.md): with each month version, one Parquet file of
 * every profile's level arrays, written beside the month index and named by the same master
 * entry (`MonthSummary.pack`), so a query answers the month from the index store alone.
 *
 * Where each profile's levels come from:
 *   - a file this build downloaded: its bytes, decoded as the file arrives (`readProfileFile`) and
 *     held as float32 (`compactLevels`) until the month is written;
 *   - a reused file (unchanged `date_update`): its row of the previous version's pack, read with
 *     ranged reads through the store, never downloaded again;
 *   - a file with neither (the month's previous version has no pack: built before packs, or the
 *     outcome was remembered without its bytes): downloaded whole from the GDAC once.
 * A profile whose levels cannot be had (its file became unreadable since) is left out of the pack
 * and logged: the query reads that one profile from the GDAC (query/pack-reader.ts).
 *
 * A month whose current version has no pack is rewritten even when no file changed (`rewrite`):
 * that is how `build-index --packs-only` adds packs to months built before them.
 */
import { readProfileFile } from '../../argo/read-file.js';
import { isAbortError } from '../../errors.js';
import type { GdacSource } from '../../gdac/types.js';
import { compactLevels, openPack, readPackProfiles, writePack, type PackLevels, type PackProfile } from '../../pack/index.js';
import type { BlobStore } from '../../storage/types.js';
import { runPool } from '../../util/pool.js';
import type { ProfileEntry } from '../codec.js';
import { packKeyOf } from '../pack-keys.js';
import type { MonthPack, MonthSummary } from '../types.js';
import type { MonthStep, MonthStepContext, MonthStepRun } from './month-steps.js';
import type { AssembledMonth, BuildLogger, MonthFile } from './types.js';

export const PACK_CONTENT_TYPE = 'application/vnd.apache.parquet';

// Whole-file downloads at once for profiles neither downloaded by this build nor in a previous
// pack (a month built before packs): the GDAC source's own pool is the real limit.
const DOWNLOAD_CONCURRENCY = 8;

export interface PackStepOptions {
  store: BlobStore;
  /** For profiles this build did not download and no previous pack holds. */
  gdac: GdacSource;
  /** zstd level of the pack (default: the pack module's, see PACK_ZSTD_LEVEL). */
  zstdLevel?: number;
  logger?: BuildLogger;
}

/** The levels of one file's primary profile, float32; throws for an unreadable file. */
function levelsOf(id: string, bytes: Uint8Array): PackLevels {
  return compactLevels(readProfileFile({ id, bytes }).levels, { id });
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

export function createPackStep(options: PackStepOptions): MonthStep {
  const { store, gdac, logger } = options;
  return {
    name: 'pack',
    start(context: MonthStepContext): MonthStepRun {
      const { month, signal } = context;
      const levels = new Map<string, PackLevels>();
      /** Profiles placed without bytes: from the previous pack, else the GDAC. */
      const missing = new Map<string, ProfileEntry>();
      const skipped: string[] = [];

      const run: MonthStepRun = {
        // A current version without a pack is rewritten once to gain one.
        ...(context.previous && !context.previous.pack ? { rewrite: true } : {}),
        file(file: MonthFile) {
          if (file.placement !== 'profile' || !file.entry) return;
          if (!file.bytes) {
            missing.set(file.id, file.entry);
            return;
          }
          try {
            levels.set(file.id, levelsOf(file.id, file.bytes));
          } catch (error) {
            skipped.push(file.id);
            logger?.warn({ err: error, month, id: file.id }, 'profile left out of the data pack: its levels cannot be read');
          }
        },
        async finish(assembled: AssembledMonth, version) {
          const wanted = new Map<string, ProfileEntry>();
          for (const p of assembled.profiles) if (!levels.has(p.id) && missing.has(p.id)) wanted.set(p.id, p);
          const previousPack = (context.previous as MonthSummary | undefined)?.pack;
          if (wanted.size > 0 && previousPack) {
            try {
              const rows = await previousRows(store, previousPack, wanted, signal);
              for (const [id, l] of rows) {
                levels.set(id, l);
                wanted.delete(id);
              }
            } catch (error) {
              if (isAbortError(error) || signal?.aborted) throw error;
              logger?.warn({ err: error, month, key: previousPack.key }, 'previous data pack unreadable: its profiles are downloaded again');
            }
          }
          if (wanted.size > 0) {
            await runPool(wanted.values(), { concurrency: DOWNLOAD_CONCURRENCY, ...(signal ? { signal } : {}) }, async (entry) => {
              try {
                const bytes = await gdac.get(`dac/${entry.id}`, { ...(signal ? { signal } : {}), expect: 'netcdf' });
                levels.set(entry.id, levelsOf(entry.id, bytes));
              } catch (error) {
                if (isAbortError(error) || signal?.aborted) throw error;
                skipped.push(entry.id);
                logger?.warn({ err: error, month, id: entry.id }, 'profile left out of the data pack: its file cannot be read');
              }
            });
          }
          const profiles: PackProfile[] = [];
          for (const p of assembled.profiles) {
            const l = levels.get(p.id);
            if (l) profiles.push({ ...p, levels: l });
          }
          levels.clear();
          const written = await writePack({ profiles, month, ...(options.zstdLevel !== undefined ? { zstdLevel: options.zstdLevel } : {}) });
          const pack: MonthPack = { key: packKeyOf(version.key), bytes: written.bytes.length, rows: written.rows, footerBytes: written.footerBytes };
          if (skipped.length > 0) logger?.warn({ month, skipped: skipped.length }, 'data pack written without some profiles (they are read from the GDAC)');
          return { objects: [{ key: pack.key, body: written.bytes, contentType: PACK_CONTENT_TYPE }], summary: { pack } };
        },
      };
      return run;
    },
  };
}

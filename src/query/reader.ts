/**
 * Reading a profile's level data from the GDAC: only the primary profile's rows of the variables
 * asked for, at the offsets the month index recorded, neighbouring rows coalesced into one Range
 * request, and decoded with argo's `decodeLevels` (fill → NaN, QC as strings).
 *
 * A mirror that ignores Range is handled inside the GDAC source (whole object, sliced and kept for
 * the next ranges of the same file). Caching decoded data is a wrapper (`withLevelCache`).
 *
 * Every read states the file's size as the month index recorded it, and that it is NetCDF: the
 * GDAC source checks each answer against both (gdac/answer-check.ts), so an HTML page or a file
 * of another size is never decoded as level data. When the file's size differs
 * (`GdacFileChangedError`: a DAC replaced the file since the month was built), the offsets the
 * index recorded mean nothing in the new file. The reader then reads the whole file once, decodes
 * the primary profile's levels from its own header, and logs that the month needs a rebuild; what
 * it returns is marked provisional (query/provisional.ts), so no cache keeps it.
 */
import { readBgcProfileFile } from '../argo/bgc/file.js';
import { decodeBgcLevels } from '../argo/bgc/extract.js';
import type { BgcLevels } from '../argo/bgc/types.js';
import { decodeLevels, levelColumns, levelVariableSlots, type LevelColumn } from '../argo/extract.js';
import type { LevelVariable, ProfileLevels } from '../argo/types.js';
import { GdacFileChangedError } from '../gdac/answer-check.js';
import type { Limiter } from '../gdac/limiter.js';
import type { GdacSource } from '../gdac/types.js';
import type { Logger } from '../logger.js';
import { monthOf } from '../month-index/months.js';
import type { FileLayout, VariableSlot } from '../month-index/types.js';
import { parseHeader } from '../netcdf/parse-header.js';
import { markProvisional } from './provisional.js';
import { COALESCE_GAP_BYTES, coalesceRanges, sliceMember } from './ranges.js';

/** What the reader needs to know about a profile (a `PlannedProfile` is one). */
export interface ProfileRef {
  /** `<dac>/<wmo>/profiles/<file>.nc`. */
  id: string;
  /** GDAC `date_update`: part of the cache key. */
  dateUpdate: string;
  /** File offset the layout's slots are relative to. */
  base: number;
  /** File size in bytes, as the month index recorded it: every answer from the GDAC must agree. */
  size: number;
  layout: FileLayout;
  /** Profile time (epoch ms), for the log line when the file changed since its month was built. */
  timeMs?: number;
}

export interface ReadLevelsOptions {
  signal: AbortSignal;
  /** Bounds this query's requests in flight (shared by all its profile reads). */
  limiter?: Limiter;
}

export interface LevelReader {
  /**
   * The profile's `ProfileLevels` with (at least) the named variables the file has decoded; every
   * other variable null. A name the file's layout lacks stays null (old floats have no PSAL).
   */
  read(ref: ProfileRef, names: readonly LevelVariable[], options: ReadLevelsOptions): Promise<ProfileLevels>;
  /**
   * Called once per query, after planning and before the answer starts, with the profiles it
   * will read: a reader that already knows it cannot serve some of them throws here, so the
   * client gets a problem with its status instead of a body cut by an error line (a month without
   * a data pack under ARGO_QUERY_SOURCE=pack). Optional; wrappers pass it on.
   */
  prepare?(refs: readonly ProfileRef[], options: { signal: AbortSignal }): Promise<void>;
}

/** The GDAC path of a profile id. */
export function gdacPathOf(id: string): string {
  return `dac/${id}`;
}

interface NamedSlot {
  name: string;
  type: LevelColumn['type'];
  offset: number;
  length: number;
  mask: Pick<LevelColumn, 'fillValue' | 'validMin' | 'validMax'>;
}

/**
 * The slot's masking attributes, as the month index recorded them: `_FillValue`, and the valid
 * range when the index keeps it (values outside it are masked like fills, as netCDF readers and
 * the reference do: a PSAL of 0 under `valid_min` 2 is no value). Absent → argo's defaults.
 */
function maskOf(slot: VariableSlot & { validMin?: number; validMax?: number }): NamedSlot['mask'] {
  const mask: NamedSlot['mask'] = {};
  if (slot.fillValue !== undefined) mask.fillValue = slot.fillValue;
  if (slot.validMin !== undefined) mask.validMin = slot.validMin;
  if (slot.validMax !== undefined) mask.validMax = slot.validMax;
  return mask;
}

export interface RangeReaderOptions {
  gdac: GdacSource;
  /** Gap below which two rows are fetched in one request (see ranges.ts). */
  maxGapBytes?: number;
  /** Where a file changed since its month was built is reported (the month needs a rebuild). */
  logger?: Pick<Logger, 'warn'>;
}

/**
 * The primary profile's levels decoded from a whole file, from its own header (not the month
 * index's layout): every level variable the file has, so the result stands alone. Throws
 * `NetcdfFormatError` / `ArgoFormatError` for a file that cannot be read.
 */
export function levelsFromWholeFile(bytes: Uint8Array, id: string): ProfileLevels {
  const header = parseHeader(bytes, { fileSize: bytes.length });
  const slots = levelVariableSlots(header, { id });
  const nLevels = header.dimensions.find((d) => d.name === 'N_LEVELS')?.size ?? 0;
  return decodeLevels({ nLevels, columns: levelColumns(slots, (slot) => bytes.subarray(slot.offset, slot.offset + slot.length)) });
}

/** Reads a BGC profile's level rows (any parameter's), as `LevelReader` does core ones. */
export interface BgcLevelReader {
  read(ref: ProfileRef, names: readonly string[], options: ReadLevelsOptions): Promise<BgcLevels>;
}

/**
 * The ranged reader for synthetic files: the same coalesced Range requests, decoded by
 * `decodeBgcLevels`. A file changed since its month was built is read whole (and its result
 * marked provisional), as for core files.
 */
export function createBgcRangeLevelReader({ gdac, maxGapBytes = COALESCE_GAP_BYTES, logger }: RangeReaderOptions): BgcLevelReader {
  return {
    async read(ref, names, { signal, limiter }) {
      try {
        const columns = await readColumns({ gdac, ref, names, signal, limiter, maxGapBytes });
        return decodeBgcLevels({ nLevels: ref.layout.nLevels, columns });
      } catch (error) {
        if (!(error instanceof GdacFileChangedError)) throw error;
        const bytes = await gdac.get(gdacPathOf(ref.id), { signal, expect: 'netcdf' });
        logger?.warn({ id: ref.id, recordedSize: ref.size, answeredSize: error.actualSize }, 'GDAC file differs from its month index: levels read from the whole file; rebuild the month');
        return markProvisional(readBgcProfileFile({ id: ref.id, bytes }).levels);
      }
    },
  };
}

/** The named rows of a profile, fetched in coalesced Range requests. */
async function readColumns({
  gdac,
  ref,
  names,
  signal,
  limiter,
  maxGapBytes,
}: {
  gdac: GdacSource;
  ref: ProfileRef;
  names: readonly string[];
  signal: AbortSignal;
  limiter: Limiter | undefined;
  maxGapBytes: number;
}): Promise<LevelColumn[]> {
  const slots: NamedSlot[] = [];
  for (const name of names) {
    const slot = ref.layout.variables[name];
    if (slot) slots.push({ name, type: slot.type, offset: ref.base + slot.rel, length: slot.length, mask: maskOf(slot) });
  }
  const groups = coalesceRanges(slots, maxGapBytes);
  const path = gdacPathOf(ref.id);
  const fetched = await Promise.all(
    groups.map(async (group) => {
      const release = limiter ? await limiter.acquire(signal) : undefined;
      try {
        return await gdac.getRange(path, { offset: group.offset, length: group.length }, { signal, expectedSize: ref.size, expect: 'netcdf' });
      } finally {
        release?.();
      }
    }),
  );
  const columns: LevelColumn[] = [];
  groups.forEach((group, g) => {
    for (const member of group.members) {
      columns.push({ name: member.name, type: member.type, bytes: sliceMember(group, fetched[g], member), ...member.mask });
    }
  });
  return columns;
}

export function createRangeLevelReader({ gdac, maxGapBytes = COALESCE_GAP_BYTES, logger }: RangeReaderOptions): LevelReader {
  /** The file changed since the build: one whole read, decoded on its own, provisional. */
  async function reread(ref: ProfileRef, changed: GdacFileChangedError, signal: AbortSignal): Promise<ProfileLevels> {
    const bytes = await gdac.get(gdacPathOf(ref.id), { signal, expect: 'netcdf' });
    const levels = levelsFromWholeFile(bytes, ref.id);
    logger?.warn(
      {
        id: ref.id,
        ...(ref.timeMs !== undefined ? { month: monthOf(ref.timeMs) } : {}),
        recordedSize: ref.size,
        answeredSize: changed.actualSize,
        wholeFileSize: bytes.length,
      },
      'GDAC file differs from its month index: levels read from the whole file and not cached; rebuild the month',
    );
    return markProvisional(levels);
  }

  return {
    async read(ref, names, { signal, limiter }) {
      try {
        return await readRanges(ref, names, signal, limiter);
      } catch (error) {
        if (!(error instanceof GdacFileChangedError)) throw error;
        return reread(ref, error, signal);
      }
    },
  };

  async function readRanges(
    ref: ProfileRef,
    names: readonly LevelVariable[],
    signal: AbortSignal,
    limiter: Limiter | undefined,
  ): Promise<ProfileLevels> {
    const columns = await readColumns({ gdac, ref, names, signal, limiter, maxGapBytes });
    // decodeLevels checks each row is complete: a short read is an ArgoFormatError, never garbage.
    return decodeLevels({ nLevels: ref.layout.nLevels, columns });
  }
}

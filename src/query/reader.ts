/**
 * Reading a profile's level data from the GDAC: only the primary profile's rows of the variables
 * asked for, at the offsets the month index recorded, neighbouring rows coalesced into one Range
 * request, and decoded with argo's `decodeLevels` (fill → NaN, QC as strings).
 *
 * A mirror that ignores Range is handled inside the GDAC source (whole object, sliced and kept for
 * the next ranges of the same file). Caching decoded data is a wrapper (`withLevelCache`).
 */
import { decodeLevels, type LevelColumn } from '../argo/extract.js';
import type { LevelVariable, ProfileLevels } from '../argo/types.js';
import type { Limiter } from '../gdac/limiter.js';
import type { GdacSource } from '../gdac/types.js';
import type { FileLayout, VariableSlot } from '../month-index/types.js';
import { COALESCE_GAP_BYTES, coalesceRanges, sliceMember } from './ranges.js';

/** What the reader needs to know about a profile (a `PlannedProfile` is one). */
export interface ProfileRef {
  /** `<dac>/<wmo>/profiles/<file>.nc`. */
  id: string;
  /** GDAC `date_update`: part of the cache key. */
  dateUpdate: string;
  /** File offset the layout's slots are relative to. */
  base: number;
  layout: FileLayout;
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
}

/** The GDAC path of a profile id. */
export function gdacPathOf(id: string): string {
  return `dac/${id}`;
}

interface NamedSlot {
  name: LevelVariable;
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
}

export function createRangeLevelReader({ gdac, maxGapBytes = COALESCE_GAP_BYTES }: RangeReaderOptions): LevelReader {
  return {
    async read(ref, names, { signal, limiter }) {
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
            return await gdac.getRange(path, { offset: group.offset, length: group.length }, { signal });
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
      // decodeLevels checks each row is complete: a short read is an ArgoFormatError, never garbage.
      return decodeLevels({ nLevels: ref.layout.nLevels, columns });
    },
  };
}

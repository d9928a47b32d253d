/**
 * Reading one downloaded core profile file for the month index: the primary profile's metadata
 * and where its level variables sit in the file. Pure: bytes in, outcome out.
 */
import { ArgoFormatError } from '../../errors.js';
import { extractMeta, levelVariableSlots, metaVariableRanges, type MetaVariable } from '../../argo/extract.js';
import { parseHeader } from '../../netcdf/parse-header.js';
import { monthOf } from '../months.js';
import type { FileLayout, VariableSlot } from '../types.js';
import type { FileOutcome } from './types.js';

/** Why a file that was read is not listed (recorded in the month's `excluded`). */
export const EXCLUSION = {
  noTime: 'no valid time (JULD)',
  noPosition: 'no valid position',
} as const;

/** Reads one downloaded file: the primary profile's metadata and level-variable layout. */
export function readProfileBytes(id: string, bytes: Uint8Array, dateUpdate: string): Exclude<FileOutcome, { ok: false }> {
  const header = parseHeader(bytes, { fileSize: bytes.length });
  const metaSlots = new Map(metaVariableRanges(header, { id }).map((s) => [s.name, s]));
  const meta = extractMeta({
    id,
    header,
    read: (name: MetaVariable) => {
      const slot = metaSlots.get(name)!;
      return bytes.subarray(slot.offset, slot.offset + slot.length);
    },
  });
  const slots = levelVariableSlots(header, { id });
  for (const s of slots) {
    if (s.offset + s.length > bytes.length) {
      throw new ArgoFormatError({ message: `file truncated: ${s.name} ends past the end of the file`, context: { id, variable: s.name } });
    }
  }
  const base = Math.min(...slots.map((s) => s.offset));
  const variables: Record<string, VariableSlot> = {};
  for (const s of slots) {
    const slot: VariableSlot = { type: s.type, rel: s.offset - base, length: s.length };
    if (s.fillValue !== undefined) slot.fillValue = s.fillValue;
    if (s.validMin !== undefined) slot.validMin = s.validMin;
    if (s.validMax !== undefined) slot.validMax = s.validMax;
    variables[s.name] = slot;
  }
  const layout: FileLayout = { nLevels: meta.nLevels, variables };
  if (meta.timeMs === null) return { ok: true, month: null, excludedReason: EXCLUSION.noTime };
  const month = monthOf(meta.timeMs);
  if (meta.latitude === null || meta.longitude === null) return { ok: true, month, excludedReason: EXCLUSION.noPosition };
  const wmo = id.split('/')[1];
  return {
    ok: true,
    month,
    entry: {
      id,
      platform: meta.platformNumber || wmo,
      cycle: meta.cycleNumber,
      direction: meta.direction,
      dataMode: meta.dataMode,
      timeMs: meta.timeMs,
      latitude: meta.latitude,
      longitude: meta.longitude,
      positionQc: meta.positionQc,
      juldQc: meta.juldQc,
      dateUpdate,
      size: bytes.length,
      base,
      layout,
    },
  };
}

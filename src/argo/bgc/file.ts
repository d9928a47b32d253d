/**
 * A synthetic profile file held whole in memory (the builder's download, a test's or the demo's
 * file): its primary profile's metadata, parameters with their attributes, the byte ranges of its
 * level rows, and the rows decoded. The same functions a ranged reader uses, over slices. Pure.
 */
import { ArgoFormatError } from '../../errors.js';
import { parseHeader } from '../../netcdf/parse-header.js';
import type { NcHeader } from '../../netcdf/types.js';
import { levelColumns, type ProfileSlot } from '../extract.js';
import { bgcLevelVariableSlots, bgcMetaVariableRanges, bgcParameterInfo, decodeBgcLevels, extractBgcMeta } from './extract.js';
import type { BgcLevels, BgcProfileMeta, ParameterInfo } from './types.js';

export interface BgcFileProfile {
  header: NcHeader;
  meta: BgcProfileMeta;
  /** Each parameter's class, units and names, in STATION_PARAMETERS order. */
  parameters: ParameterInfo[];
  /** Where each level row of the primary profile sits (what a month index records), in file order. */
  slots: ProfileSlot[];
  /** All those rows, decoded. */
  levels: BgcLevels;
}

function slice(bytes: Uint8Array, slot: { name: string; offset: number; length: number }, id: string): Uint8Array {
  if (slot.offset + slot.length > bytes.length) {
    throw new ArgoFormatError({ message: `file truncated: ${slot.name} ends past the end of the file`, context: { id, variable: slot.name } });
  }
  return bytes.subarray(slot.offset, slot.offset + slot.length);
}

/** Reads a whole synthetic profile file. Throws `NetcdfFormatError` / `ArgoFormatError` for one that is not. */
export function readBgcProfileFile({ id, bytes }: { id: string; bytes: Uint8Array }): BgcFileProfile {
  const header = parseHeader(bytes, { fileSize: bytes.length });
  const metaSlots = new Map(bgcMetaVariableRanges(header, { id }).map((s) => [s.name, s]));
  const meta = extractBgcMeta({ id, header, read: (name) => slice(bytes, metaSlots.get(name)!, id) });
  const names = Object.keys(meta.parameters);
  const slots = bgcLevelVariableSlots(header, { id, parameters: names });
  const levels = decodeBgcLevels({ nLevels: meta.nLevels, columns: levelColumns(slots, (slot) => slice(bytes, slot, id)) });
  return { header, meta, parameters: bgcParameterInfo(header, names), slots, levels };
}

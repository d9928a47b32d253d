/**
 * The primary profile of a whole Argo core file held in memory: its metadata and every level
 * array a query may need (`LEVEL_VARIABLES`), decoded exactly as the ranged query path decodes
 * them (fill and out-of-range values → NaN, QC as one character per level). Pure.
 *
 * The builder downloads whole files; this is what it keeps for a data pack, so a pack answers
 * every mode without another read of the file.
 */
import { ArgoFormatError } from '../errors.js';
import { parseHeader } from '../netcdf/parse-header.js';
import { decodeLevels, extractMeta, levelColumns, levelVariableSlots, metaVariableRanges, type MetaVariable } from './extract.js';
import type { ProfileLevels, ProfileMeta } from './types.js';

export interface ProfileFileContent {
  meta: ProfileMeta;
  levels: ProfileLevels;
}

/**
 * Reads a whole file's primary profile. Throws `NetcdfFormatError` for bytes that are not NetCDF
 * classic (or whose variables reach past the end), `ArgoFormatError` for a file that is not Argo
 * core (or has no profile, or a level row past the end).
 */
export function readProfileFile({ id, bytes }: { id: string; bytes: Uint8Array }): ProfileFileContent {
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
  const levels = decodeLevels({ nLevels: meta.nLevels, columns: levelColumns(slots, (s) => bytes.subarray(s.offset, s.offset + s.length)) });
  return { meta, levels };
}

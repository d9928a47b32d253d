/**
 * Reading one downloaded synthetic (BGC) profile file for the month index, as profile-file.ts does
 * for core files: the primary profile's metadata, its parameters with their data modes and
 * attributes (units, names), and where every level row of those parameters sits. Pure.
 */
import { readBgcProfileFile } from '../../argo/bgc/file.js';
import { monthOf } from '../months.js';
import type { FileLayout, VariableSlot } from '../types.js';
import { EXCLUSION } from './profile-file.js';
import type { FileOutcome } from './types.js';

export function readBgcProfileBytes(id: string, bytes: Uint8Array, dateUpdate: string): Exclude<FileOutcome, { ok: false }> {
  const file = readBgcProfileFile({ id, bytes });
  const { meta, slots } = file;
  const base = slots.length > 0 ? Math.min(...slots.map((s) => s.offset)) : 0;
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
      // Synthetic files have no profile-level DATA_MODE: PRES's own mode stands in for it in the
      // month's core column (the output says null; parameters carry the modes).
      dataMode: meta.parameters.PRES ?? ' ',
      timeMs: meta.timeMs,
      latitude: meta.latitude,
      longitude: meta.longitude,
      positionQc: meta.positionQc,
      juldQc: meta.juldQc,
      dateUpdate,
      size: bytes.length,
      base,
      layout,
      parameters: meta.parameters,
      parameterInfo: file.parameters.map((p) => ({ name: p.name, class: p.class, units: p.units, longName: p.longName, standardName: p.standardName })),
    },
  };
}

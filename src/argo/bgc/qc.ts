/**
 * Applying a QC mode to a BGC profile's levels (SEMANTICS-BGC.md): per variable and per level, a
 * value is used when the mode uses the parameter at its data mode, the value is not fill, its flag
 * is allowed for the parameter's class, and the level's pressure is usable under the same mode.
 * Pure.
 */
import { codeAllowed, codeTable, RESEARCH_MAX_PRES_ERROR } from '../qc.js';
import type { QcMode } from '../types.js';
import { parameterDataMode, parameterSource, PRES_ERROR_VARIABLE } from './rules.js';
import type { BgcLevels, ParameterModes } from './types.js';

/** Flag lookup tables per allowed-flags string, built once (a handful exist: '12', '1', '1258', '158'). */
const TABLES = new Map<string, Uint8Array>();

function tableOf(allowed: string): Uint8Array {
  let table = TABLES.get(allowed);
  if (table === undefined) {
    table = codeTable(allowed)!;
    TABLES.set(allowed, table);
  }
  return table;
}

/**
 * The values a mode uses, per level: NaN where not usable. `pressure` is never null (all NaN when
 * the mode uses none of PRES). Each requested parameter maps to its usable values: all NaN when
 * the mode uses none of them (CDOM outside expert, a data mode the mode does not accept), null
 * when the profile lacks the parameter or the file lacks the row the mode reads.
 */
export interface BgcUsableLevels {
  pressure: Float64Array;
  values: Map<string, Float64Array | null>;
}

/**
 * One parameter's row under the mode's rules, with `gate` (the usable pressure, or null for
 * pressure itself) NaN-masking the levels whose pressure is not usable.
 */
function usableRow(levels: BgcLevels, mode: QcMode, parameters: ParameterModes, name: string, gate: Float64Array | null): Float64Array | null {
  const n = levels.nLevels;
  if (parameterDataMode(parameters, name) === undefined) return null;
  const source = parameterSource(mode, parameters, name);
  // The profile has the parameter but the mode uses none of its values: all null (as the
  // reference has it), decided from the metadata alone so that a reader need not fetch the row.
  if (source === null) return new Float64Array(n).fill(NaN);
  const values = levels.values.get(source.values);
  // The file lacks the row the mode reads (or it was not read): the variable is absent.
  if (values === undefined) return gate === null ? new Float64Array(n).fill(NaN) : null;
  const flags = source.flags === null ? undefined : levels.flags.get(source.flags);
  const table = source.allowed === null ? null : tableOf(source.allowed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = gate !== null && Number.isNaN(gate[i]) ? NaN : values[i];
    // A missing QC row allows nothing: an unflagged value is not a checked one.
    if (table !== null && !(flags !== undefined && codeAllowed(flags, i, table))) v = NaN;
    out[i] = v;
  }
  return out;
}

/**
 * Apply a QC mode to BGC level data. Pressure follows the core rules at PRES's data mode (and in
 * research mode needs PRES_ADJUSTED_ERROR < 20 dbar); every other variable its own class and data
 * mode, on the levels whose pressure is usable.
 */
export function bgcUsableLevels({
  levels,
  mode,
  parameters,
  variables,
}: {
  levels: BgcLevels;
  mode: QcMode;
  parameters: ParameterModes;
  /** Parameter names; PRES gives the usable pressure again. */
  variables: readonly string[];
}): BgcUsableLevels {
  const pressure = usableRow(levels, mode, parameters, 'PRES', null) ?? new Float64Array(levels.nLevels).fill(NaN);
  if (mode === 'research') {
    const error = levels.values.get(PRES_ERROR_VARIABLE);
    // NaN error (fill) fails `< 20`: research mode needs a known, small pressure error.
    for (let i = 0; i < pressure.length; i++) if (!(error !== undefined && error[i] < RESEARCH_MAX_PRES_ERROR)) pressure[i] = NaN;
  }
  const values = new Map<string, Float64Array | null>();
  for (const name of variables) {
    if (values.has(name)) continue;
    values.set(name, name === 'PRES' ? pressure : usableRow(levels, mode, parameters, name, pressure));
  }
  return { pressure, values };
}

/**
 * Which level variables a query must read for one profile: only the rows its QC mode uses
 * (SEMANTICS.md), so a standard query on a D file never downloads the raw values, and an expert
 * query never downloads a QC flag.
 */
import { usesAdjusted } from '../argo/qc.js';
import { LEVEL_VARIABLES, type ArgoVariable, type LevelVariable, type QcMode } from '../argo/types.js';

export function levelVariablesToRead({
  mode,
  dataMode,
  variables,
}: {
  mode: QcMode;
  dataMode: string;
  variables: readonly ArgoVariable[];
}): LevelVariable[] {
  const adjusted = usesAdjusted(mode, dataMode);
  const names = new Set<string>();
  const add = (base: ArgoVariable): void => {
    const name = adjusted ? `${base}_ADJUSTED` : base;
    names.add(name);
    // Expert mode applies no QC: the flags are not needed.
    if (mode !== 'expert') names.add(`${name}_QC`);
  };
  // Pressure always: it decides which levels are usable and gives the vertical coordinate.
  add('PRES');
  if (mode === 'research') names.add('PRES_ADJUSTED_ERROR');
  for (const v of variables) if (v !== 'PRES') add(v);
  // File order, so neighbouring rows coalesce naturally.
  return LEVEL_VARIABLES.filter((name) => names.has(name));
}

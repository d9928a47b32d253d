/**
 * `../shared/argo-gdac-sample/expected/reference-bgc.json`: an independent implementation of
 * SEMANTICS-BGC.md over the sample's synthetic profile files. The layout of `reference.json`
 * (see reference.ts) plus `"dataset": "bgc"` and, per profile, each parameter's data mode; the
 * profile-level `data_mode` is null (synthetic files have none).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReferenceProfile } from './reference.js';

export interface BgcReferenceProfile extends Omit<ReferenceProfile, 'data_mode'> {
  data_mode: null;
  /** Data mode per parameter, in STATION_PARAMETERS order. */
  parameters: Record<string, string>;
}

export interface BgcReference {
  dataset: 'bgc';
  levels: number[];
  profiles: Record<string, BgcReferenceProfile>;
}

export function bgcReferencePath(sampleDir: string): string {
  return join(sampleDir, 'expected', 'reference-bgc.json');
}

/** The BGC reference of the shared sample directory, or undefined when this sample has none. */
export function loadBgcReference(sampleDir: string): BgcReference | undefined {
  const path = bgcReferencePath(sampleDir);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, 'utf8')) as BgcReference;
}

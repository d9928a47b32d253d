/**
 * Data pack test helpers: the shared sample's core profiles as `PackProfile`s (grouped by month,
 * in result order), generated profiles spread over days (no sample needed), and a counting
 * `readRange` over bytes in memory.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readProfileFile } from '../../src/argo/read-file.js';
import { LEVEL_VARIABLES, type ProfileLevels } from '../../src/argo/types.js';
import { compareProfiles } from '../../src/month-index/codec.js';
import type { PackProfile, ReadRange } from '../../src/pack/index.js';

/** Core profile files (R*, D*) of the sample, by id, with their levels as the files hold them. */
export interface SampleProfile extends PackProfile {
  levels: ProfileLevels;
}

const CORE_FILE = /^[RD]\d+_\d+D?\.nc$/;

function dateUpdates(sampleDir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSync(join(sampleDir, 'ar_index_global_prof.txt'), 'utf8').split('\n')) {
    if (line.startsWith('#') || !line.includes('.nc,')) continue;
    const cells = line.split(',');
    out.set(cells[0], cells[7]);
  }
  return out;
}

/**
 * Every core file of the sample with a valid time and position (the profiles a month index
 * lists), by month, each month in result order.
 */
export function sampleProfilesByMonth(sampleDir: string): Map<string, SampleProfile[]> {
  const updates = dateUpdates(sampleDir);
  const root = join(sampleDir, 'dac');
  const byMonth = new Map<string, SampleProfile[]>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !CORE_FILE.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    const id = path.slice(root.length + 1).split('\\').join('/');
    const bytes = new Uint8Array(readFileSync(path));
    const { meta, levels } = readProfileFile({ id, bytes });
    if (meta.timeMs === null || meta.latitude === null || meta.longitude === null) continue;
    const month = new Date(meta.timeMs).toISOString().slice(0, 7);
    const list = byMonth.get(month) ?? [];
    list.push({
      id,
      platform: meta.platformNumber || id.split('/')[1],
      cycle: meta.cycleNumber,
      direction: meta.direction,
      dataMode: meta.dataMode,
      timeMs: meta.timeMs,
      latitude: meta.latitude,
      longitude: meta.longitude,
      positionQc: meta.positionQc,
      juldQc: meta.juldQc,
      dateUpdate: updates.get(id) ?? '',
      size: bytes.length,
      levels,
    });
    byMonth.set(month, list);
  }
  for (const list of byMonth.values()) list.sort(compareProfiles);
  return byMonth;
}

/** A small deterministic generator (tests must not depend on Math.random). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * `count` profiles spread evenly over `days` UTC days from `startMs`, with float32 level values,
 * some fills (NaN), R profiles without adjusted values and some without PSAL: every shape the
 * pack must carry, without the shared sample.
 */
export function generatedProfiles({ count, days, startMs = Date.UTC(2023, 3, 1), seed = 1 }: { count: number; days: number; startMs?: number; seed?: number }): PackProfile[] {
  const rnd = random(seed);
  const out: PackProfile[] = [];
  for (let i = 0; i < count; i++) {
    const timeMs = startMs + Math.floor((i * days * 86_400_000) / count) + 1234;
    const nLevels = 5 + Math.floor(rnd() * 60);
    const dataMode = ['R', 'A', 'D'][i % 3];
    const hasPsal = i % 7 !== 0;
    const levels: Record<string, Float32Array | string | number | null> = { nLevels };
    for (const name of LEVEL_VARIABLES) {
      const adjusted = name.includes('_ADJUSTED');
      if ((name.startsWith('PSAL') && !hasPsal) || (adjusted && dataMode === 'R' && name !== 'PRES_ADJUSTED')) {
        levels[name] = null;
        continue;
      }
      if (name.endsWith('_QC')) {
        levels[name] = Array.from({ length: nLevels }, () => '11112348 '[Math.floor(rnd() * 9)]).join('');
        continue;
      }
      const values = new Float32Array(nLevels);
      for (let k = 0; k < nLevels; k++) values[k] = rnd() < 0.05 ? Number.NaN : (name.startsWith('PRES') ? k * 10 : 20) + rnd();
      levels[name] = values;
    }
    out.push({
      id: `gen/${5900000 + (i % 97)}/profiles/R${5900000 + (i % 97)}_${String(i).padStart(3, '0')}.nc`,
      platform: String(5900000 + (i % 97)),
      cycle: i,
      direction: 'A',
      dataMode,
      timeMs,
      latitude: -60 + rnd() * 120,
      longitude: -180 + rnd() * 360,
      positionQc: '1',
      juldQc: '1',
      dateUpdate: '20230501000000',
      size: 20_000 + i,
      levels: levels as PackProfile['levels'],
    });
  }
  return out;
}

export interface CountingReader {
  readRange: ReadRange;
  calls: { offset: number; length: number }[];
  bytes(): number;
}

/** A `readRange` over bytes in memory that records every call. */
export function countingReader(file: Uint8Array): CountingReader {
  const calls: { offset: number; length: number }[] = [];
  return {
    calls,
    bytes: () => calls.reduce((n, c) => n + c.length, 0),
    readRange: async ({ offset, length, signal }) => {
      signal?.throwIfAborted();
      calls.push({ offset, length });
      return file.slice(offset, Math.min(file.length, offset + length));
    },
  };
}

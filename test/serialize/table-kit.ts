/**
 * Inputs and checks shared by the Arrow, Parquet and GeoJSON tests: output profiles made from
 * `expected/reference.json` (real GDAC profiles, in the three level shapes) and synthetic edge
 * cases; today's CSV of the same profiles, parsed (RFC 4180) as the rows to agree with; and a
 * row-by-row comparison of typed rows with CSV rows.
 */
import assert from 'node:assert/strict';
import type { OutputProfile, ProfileQuery } from '../../src/query/types.js';
import { type LongTableLayout, longTableLayoutOf } from '../../src/serialize/long-table.js';
import { shortestFloat32 } from '../../src/query/numbers.js';
import { csvColumnsOf, csvRows } from '../../src/serialize/serialize.js';
import type { Reference } from '../kit/reference.js';

export type Shape = 'native' | 'depth' | 'pressure';

/** A query-like object with what the CSV serializer reads. */
export function queryOf(shape: Shape, variables: readonly string[]): ProfileQuery {
  return {
    startMs: 0,
    endMs: 1,
    vertical: shape === 'pressure' ? 'pressure' : 'depth',
    variables: variables as ProfileQuery['variables'],
    mode: 'standard',
    ...(shape === 'native' ? {} : { levels: [0, 5, 10] }),
    maxProfiles: 1,
  };
}

export function layoutOf(shape: Shape, variables: readonly string[]): LongTableLayout {
  return longTableLayoutOf({ native: shape === 'native', vertical: shape === 'pressure' ? 'pressure' : 'depth', variables });
}

const f32 = (values: readonly (number | null)[] | null | undefined) => values?.map((v) => (v === null ? null : shortestFloat32(Math.fround(v))));

/**
 * The reference's included profiles of a mode as output profiles. Native values are the file's
 * float32 (written the shortest way, as the service will); depth on native levels is computed.
 */
export function referenceProfiles(reference: Reference, shape: Shape, mode: 'standard' | 'expert' = 'standard'): OutputProfile[] {
  const out: OutputProfile[] = [];
  for (const [id, p] of Object.entries(reference.profiles)) {
    const r = p[mode];
    if (!r.included || p.time_ms === null || p.latitude === null || p.longitude === null) continue;
    const base: OutputProfile = {
      id,
      platform_number: p.platform_number,
      cycle_number: p.cycle_number,
      direction: p.direction,
      data_mode: p.data_mode,
      time: new Date(p.time_ms).toISOString(),
      latitude: p.latitude,
      longitude: p.longitude,
    };
    if (shape === 'native') {
      const native = r.native!;
      out.push({ ...base, depth: native.depth ?? [], pressure: f32(native.PRES) ?? [], TEMP: f32(native.TEMP) ?? null, PSAL: f32(native.PSAL) ?? null });
    } else {
      const onLevels = r[shape]!;
      out.push({ ...base, [shape]: reference.levels, TEMP: onLevels.TEMP ?? null, PSAL: onLevels.PSAL ?? null, PRES: onLevels.PRES ?? null });
    }
  }
  return out;
}

/** Synthetic edge cases: no level at all, a missing variable, nulls, a quote in an id, far longitudes. */
export function edgeProfiles(shape: Shape): OutputProfile[] {
  const level = shape === 'pressure' ? 'pressure' : 'depth';
  const levels = (values: (number | null)[]) => (shape === 'native' ? { depth: values, pressure: values.map((v) => (v === null ? null : shortestFloat32(v + 0.3))) } : { [level]: values });
  const meta = (i: number): OutputProfile => ({
    id: `edge/${1900000 + i}/profiles/R${1900000 + i}_00${i}.nc`,
    platform_number: String(1900000 + i),
    cycle_number: i,
    direction: i % 2 ? 'D' : 'A',
    data_mode: 'RAD'[i % 3],
    time: new Date(Date.UTC(2023, 3, 1, 0, 0, i, 250)).toISOString(),
    latitude: -89.5 + i,
    longitude: i % 2 ? 180 : -179.999999,
  });
  return [
    { ...meta(1), ...levels([]), TEMP: [], PSAL: [] },
    { ...meta(2), ...levels([1, 2, 3]), TEMP: [shortestFloat32(25.3), null, -1.85], PSAL: null },
    { ...meta(3), id: 'edge/"quoted",id/profiles/x.nc', ...levels([0.5]), TEMP: [null], PSAL: [35.123456] },
    { ...meta(4), ...levels([null, 7]), TEMP: [1e-7, 99999], PSAL: [0, -0] },
  ];
}

/** RFC 4180 parsing of a CSV text into rows of fields (quotes, doubled quotes, commas). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

/** Today's CSV of the profiles (header, then rows), parsed. */
export function csvOf(profiles: readonly OutputProfile[], query: ProfileQuery): { header: string[]; rows: string[][] } {
  const text = `${csvColumnsOf(query).join(',')}\n${profiles.map((p) => csvRows(p, query)).join('')}`;
  const [header, ...rows] = parseCsv(text);
  return { header, rows };
}

/** One typed row as a reader gives it: strings, numbers (or bigint), time in ms, nulls. */
export type TypedRow = Record<string, string | number | null>;

/**
 * Asserts typed rows equal the CSV rows: same count, same order, every cell. Float32 columns
 * hold the float32 of the CSV number; float64 columns the CSV number exactly; time is the CSV's
 * ISO instant in ms; an empty CSV cell is null.
 */
export function assertRowsMatchCsv(rows: readonly TypedRow[], csv: { header: string[]; rows: string[][] }, layout: LongTableLayout, what: string): number {
  assert.equal(rows.length, csv.rows.length, `${what}: row count`);
  const float32 = new Set([...layout.levels, ...layout.variables].filter((c) => c.type === 'float32').map((c) => c.name));
  let cells = 0;
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < csv.header.length; c++) {
      const name = csv.header[c];
      const text = csv.rows[r][c];
      const value = rows[r][name];
      const where = `${what}: row ${r} ${name} (csv ${JSON.stringify(text)}, got ${String(value)})`;
      if (['id', 'platform_number', 'direction', 'data_mode'].includes(name)) assert.equal(value, text, where);
      else if (name === 'time') assert.equal(value, Date.parse(text), where);
      else if (text === '') assert.equal(value, null, where);
      else if (float32.has(name)) assert.equal(value, Math.fround(Number(text)), where);
      else assert.equal(value, Number(text), where);
      cells++;
    }
  }
  return cells;
}

/** Everything an async generator of chunks yields, joined. */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts);
}

/** The profiles as an async iterable, counting how many were pulled, optionally failing after `failAfter`. */
export function source<P>(profiles: readonly P[], { failAfter, error }: { failAfter?: number; error?: Error } = {}) {
  const state = { pulled: 0, returned: false };
  const iterable = (async function* () {
    try {
      for (const p of profiles) {
        if (failAfter !== undefined && state.pulled >= failAfter) throw error ?? new Error('upstream failed');
        state.pulled++;
        yield p;
      }
      if (failAfter !== undefined && state.pulled >= failAfter) throw error ?? new Error('upstream failed');
    } finally {
      state.returned = true;
    }
  })();
  return { iterable, state };
}

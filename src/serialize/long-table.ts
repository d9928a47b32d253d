/**
 * The long table of `format=csv` (one row per profile and level) as typed Arrow record batches,
 * for `format=arrow` and `format=parquet`. Same columns, same order, same rows as the CSV:
 * metadata (`id`, `platform_number`, `cycle_number`, `direction`, `data_mode`, `time`, `latitude`,
 * `longitude`), the level coordinate(s), then the variables; a profile with no level still has
 * one row, with null level cells.
 *
 * Types:
 * - strings: dictionary-encoded UTF-8 (int32 indices), one dictionary per batch: they repeat on
 *   every level of a profile, so the batch carries each once;
 * - `cycle_number` int32; `time` timestamp[ms, UTC]; `latitude`/`longitude` float64;
 * - levels and variables: float32 when the values are the file's own float32 (native levels:
 *   pressure and the variables), float64 when we computed them (depth from TEOS-10, values
 *   interpolated onto target levels, the target levels themselves). `longTableLayoutOf` decides.
 *
 * Memory: columns are built straight into typed arrays for a batch of about `batchRows` rows
 * (profiles are whole in one batch), then released; nothing holds the whole result.
 */
import {
  Dictionary,
  Field,
  Float32,
  Float64,
  Int32,
  RecordBatch,
  Schema,
  Struct,
  TimestampMillisecond,
  Utf8,
  makeData,
  makeVector,
  type Data,
  type DataType,
} from 'apache-arrow';

export type FloatKind = 'float32' | 'float64';

export interface LongTableColumn {
  name: string;
  type: FloatKind;
}

/** The level and variable columns of a query's table (the metadata columns are fixed). */
export interface LongTableLayout {
  levels: readonly LongTableColumn[];
  variables: readonly LongTableColumn[];
}

/** What a profile must offer to become rows: the output profile's metadata and its arrays. */
export interface TableProfile {
  id: string;
  platform_number: string;
  cycle_number: number;
  direction: string;
  /** Null for BGC profiles (each parameter has its own data mode): an empty string in the table. */
  data_mode: string | null;
  /** ISO 8601 UTC. */
  time: string;
  latitude: number;
  longitude: number;
}

/**
 * Rows per record batch: ~32 Ki rows is ~2 MB of columns for a dozen columns, so a batch is a
 * bounded, small amount of memory per request, and large enough that the per-batch overhead
 * (message headers, one dictionary per string column) stays under 1 % of the body.
 */
export const DEFAULT_BATCH_ROWS = 32 * 1024;

/**
 * The layout for a query: `native` (no target levels) has both `depth` and `pressure`, the
 * others only the query's vertical coordinate; see the module comment for the types.
 */
export function longTableLayoutOf({
  native,
  vertical,
  variables,
}: {
  native: boolean;
  vertical: 'depth' | 'pressure';
  variables: readonly string[];
}): LongTableLayout {
  if (native) {
    return {
      levels: [
        { name: 'depth', type: 'float64' },
        { name: 'pressure', type: 'float32' },
      ],
      variables: variables.map((name) => ({ name, type: 'float32' })),
    };
  }
  return { levels: [{ name: vertical, type: 'float64' }], variables: variables.map((name) => ({ name, type: 'float64' })) };
}

/**
 * The string columns, dictionary-encoded; their index is the dictionary id (fixed: every batch of
 * a stream uses the same schema, dictionaries included).
 */
export const STRING_COLUMNS = ['id', 'platform_number', 'direction', 'data_mode'] as const;
type StringColumn = (typeof STRING_COLUMNS)[number];

function stringType(column: StringColumn): Dictionary<Utf8, Int32> {
  return new Dictionary(new Utf8(), new Int32(), STRING_COLUMNS.indexOf(column));
}

function floatType(kind: FloatKind): Float32 | Float64 {
  return kind === 'float32' ? new Float32() : new Float64();
}

/** The Arrow schema of a layout's table. */
export function longTableSchema(layout: LongTableLayout): Schema {
  const fields: Field[] = [
    new Field('id', stringType('id'), false),
    new Field('platform_number', stringType('platform_number'), false),
    new Field('cycle_number', new Int32(), false),
    new Field('direction', stringType('direction'), false),
    new Field('data_mode', stringType('data_mode'), false),
    new Field('time', new TimestampMillisecond('UTC'), false),
    new Field('latitude', new Float64(), false),
    new Field('longitude', new Float64(), false),
    ...[...layout.levels, ...layout.variables].map((c) => new Field(c.name, floatType(c.type), true)),
  ];
  return new Schema(fields);
}

type Values = ArrayLike<number | null> | null | undefined;

function valuesOf(profile: TableProfile, name: string): Values {
  return (profile as unknown as Record<string, Values>)[name];
}

/** Rows a profile takes: its level count, at least one (as in the CSV). */
export function rowsOf(profile: TableProfile, layout: LongTableLayout): number {
  let n = 1;
  for (const c of layout.levels) n = Math.max(n, valuesOf(profile, c.name)?.length ?? 0);
  return n;
}

const encoder = new TextEncoder();

/** A per-batch dictionary column: each profile's string repeated over its rows. */
function dictionaryData(type: Dictionary<Utf8, Int32>, perProfile: readonly string[], rows: readonly number[], total: number): Data {
  const indexOf = new Map<string, number>();
  const indices = new Int32Array(total);
  const parts: Uint8Array[] = [];
  const offsets: number[] = [0];
  let row = 0;
  for (let p = 0; p < perProfile.length; p++) {
    let index = indexOf.get(perProfile[p]);
    if (index === undefined) {
      index = indexOf.size;
      indexOf.set(perProfile[p], index);
      const bytes = encoder.encode(perProfile[p]);
      parts.push(bytes);
      offsets.push(offsets[offsets.length - 1] + bytes.length);
    }
    indices.fill(index, row, row + rows[p]);
    row += rows[p];
  }
  const bytes = new Uint8Array(offsets[offsets.length - 1]);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.length;
  }
  const dictionary = makeVector(makeData({ type: new Utf8(), length: indexOf.size, valueOffsets: Int32Array.from(offsets), data: bytes }));
  return makeData({ type, length: total, data: indices, dictionary });
}

/** A nullable float column from each profile's array (missing array or null/NaN → null). */
function floatData(kind: FloatKind, column: string, profiles: readonly TableProfile[], rows: readonly number[], total: number): Data {
  const values = kind === 'float32' ? new Float32Array(total) : new Float64Array(total);
  const validity = new Uint8Array((total + 7) >> 3);
  let nullCount = 0;
  let row = 0;
  for (let p = 0; p < profiles.length; p++) {
    const source = valuesOf(profiles[p], column);
    for (let i = 0; i < rows[p]; i++, row++) {
      const v = source?.[i];
      if (typeof v === 'number' && Number.isFinite(v)) {
        // -0 stored as 0, as the CSV and JSON print it.
        values[row] = v === 0 ? 0 : v;
        validity[row >> 3] |= 1 << (row & 7);
      } else {
        nullCount++;
      }
    }
  }
  return makeData({ type: floatType(kind), length: total, nullCount, nullBitmap: nullCount > 0 ? validity : null, data: values });
}

/** A non-null column with one value per profile, repeated over its rows. */
function repeated<T extends Int32Array | Float64Array | BigInt64Array>(array: T, perProfile: ArrayLike<number | bigint>, rows: readonly number[]): T {
  let row = 0;
  for (let p = 0; p < rows.length; p++) {
    (array.fill as (v: number | bigint, start: number, end: number) => T)(perProfile[p], row, row + rows[p]);
    row += rows[p];
  }
  return array;
}

/** One record batch holding `profiles` (all of them, in order). An empty list gives 0 rows. */
export function longTableBatch(profiles: readonly TableProfile[], layout: LongTableLayout, schema: Schema): RecordBatch {
  const rows = profiles.map((p) => rowsOf(p, layout));
  const total = rows.reduce((a, b) => a + b, 0);
  const field = (name: string) => schema.fields.find((f) => f.name === name)!.type as DataType;
  const strings = (name: StringColumn) => dictionaryData(field(name) as Dictionary<Utf8, Int32>, profiles.map((p) => p[name] ?? ''), rows, total);
  const children: Data[] = [
    strings('id'),
    strings('platform_number'),
    makeData({ type: new Int32(), length: total, data: repeated(new Int32Array(total), profiles.map((p) => p.cycle_number), rows) }),
    strings('direction'),
    strings('data_mode'),
    makeData({
      type: field('time') as TimestampMillisecond,
      length: total,
      data: repeated(new BigInt64Array(total), profiles.map((p) => BigInt(Date.parse(p.time))), rows),
    }),
    makeData({ type: new Float64(), length: total, data: repeated(new Float64Array(total), profiles.map((p) => p.latitude), rows) }),
    makeData({ type: new Float64(), length: total, data: repeated(new Float64Array(total), profiles.map((p) => p.longitude), rows) }),
    ...[...layout.levels, ...layout.variables].map((c) => floatData(c.type, c.name, profiles, rows, total)),
  ];
  const struct = makeData({ type: new Struct(schema.fields), length: total, nullCount: 0, children });
  return new RecordBatch(schema, struct);
}

/**
 * The table as record batches of about `batchRows` rows, built as the profiles arrive: a batch
 * leaves once it holds `batchRows` rows or the profiles end. Stopping the iteration early
 * returns the profiles' iterator (which cancels the query's reads).
 */
export async function* longTableBatches(
  profiles: AsyncIterable<TableProfile>,
  { layout, schema = longTableSchema(layout), batchRows = DEFAULT_BATCH_ROWS }: { layout: LongTableLayout; schema?: Schema; batchRows?: number },
): AsyncGenerator<RecordBatch> {
  let pending: TableProfile[] = [];
  let rows = 0;
  for await (const profile of profiles) {
    pending.push(profile);
    rows += rowsOf(profile, layout);
    if (rows >= batchRows) {
      const batch = longTableBatch(pending, layout, schema);
      pending = [];
      rows = 0;
      yield batch;
    }
  }
  if (pending.length > 0) yield longTableBatch(pending, layout, schema);
}

/**
 * The level arrays a month's pack writer holds until the write, kept compressed.
 *
 * Why: a writer holds every profile of its month from the first download to the write, and a
 * builder has three months in flight. As plain float32 arrays and QC strings that is ~6.6 KB per
 * profile on the benchmark's real-template month (~200 levels × seven float columns and six QC
 * strings): ~86 MB a 13,000-profile month, ~260 MB for three, and deep profiles (1,000 levels
 * and more) are several times that. Each profile is kept as one ZSTD frame of its columns, float
 * columns byte-split first (the transform the pack itself uses: each float's exponent and high
 * mantissa bytes side by side, which compress well), at level 1, the fastest: 1.5 KB a profile
 * measured, under a quarter of the plain size, for ~0.1 ms of CPU per profile on the writer's
 * thread, paid while the month's files download.
 *
 * Until the ZSTD codec has loaded (it is loaded when the holder is made), profiles are kept as
 * they came; a later `set` packs them too.
 */
import type { PackLevels } from './types.js';
import { loadZstd, type ZstdCodec } from './zstd.js';

/** ZSTD level of held levels: 1, the fastest (they are unpacked once, for the write). */
const HOLD_ZSTD_LEVEL = 1;

interface Column {
  name: string;
  /** `f32`: a Float32Array (byte-split in the frame); `str`: a latin1 string; `null`; `num`: a number kept aside. */
  kind: 'f32' | 'str' | 'null' | 'num';
  /** Bytes in the frame (f32, str) or the number (num). */
  size: number;
}

class Packed {
  constructor(
    readonly nLevels: number,
    readonly columns: Column[],
    readonly rawBytes: number,
    readonly frame: Uint8Array,
  ) {}
}

export interface HeldLevels {
  set(id: string, levels: PackLevels): void;
  /** The levels of `id`, unpacked (undefined when none are held). */
  get(id: string): PackLevels | undefined;
  delete(id: string): boolean;
  has(id: string): boolean;
  clear(): void;
  readonly size: number;
  /** Bytes held (frames, and profiles not packed yet). */
  readonly bytes: number;
}

function splitBytes(values: Float32Array, out: Uint8Array, offset: number): void {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const n = values.length;
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < 4; b++) out[offset + b * n + i] = bytes[i * 4 + b];
  }
}

function joinBytes(frame: Uint8Array, offset: number, n: number): Float32Array {
  const out = new Float32Array(n);
  const bytes = new Uint8Array(out.buffer);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < 4; b++) bytes[i * 4 + b] = frame[offset + b * n + i];
  }
  return out;
}

function pack(levels: PackLevels, codec: ZstdCodec): Packed {
  const columns: Column[] = [];
  let rawBytes = 0;
  for (const [name, value] of Object.entries(levels)) {
    if (name === 'nLevels' || value === undefined) continue;
    if (value === null) columns.push({ name, kind: 'null', size: 0 });
    else if (typeof value === 'number') columns.push({ name, kind: 'num', size: value });
    else if (typeof value === 'string') columns.push({ name, kind: 'str', size: value.length });
    else if (value instanceof Float32Array) columns.push({ name, kind: 'f32', size: value.byteLength });
    // Float64 arrays are made float32 by compactLevels before they get here.
    else throw new TypeError(`held levels: ${name} is not float32`);
  }
  for (const c of columns) if (c.kind === 'f32' || c.kind === 'str') rawBytes += c.size;
  const raw = new Uint8Array(rawBytes);
  let offset = 0;
  for (const c of columns) {
    const value = levels[c.name];
    if (c.kind === 'f32') splitBytes(value as Float32Array, raw, offset);
    // QC and mode strings are one ASCII character per level.
    else if (c.kind === 'str') raw.set(Buffer.from(value as string, 'latin1'), offset);
    else continue;
    offset += c.size;
  }
  return new Packed(levels.nLevels, columns, rawBytes, codec.compress(raw, HOLD_ZSTD_LEVEL));
}

function unpack(packed: Packed, codec: ZstdCodec): PackLevels {
  const raw = codec.decompress(packed.frame, packed.rawBytes);
  const out: Record<string, Float32Array | string | number | null> = { nLevels: packed.nLevels };
  let offset = 0;
  for (const c of packed.columns) {
    if (c.kind === 'null') out[c.name] = null;
    else if (c.kind === 'num') out[c.name] = c.size;
    else if (c.kind === 'str') out[c.name] = Buffer.from(raw.buffer, raw.byteOffset + offset, c.size).toString('latin1');
    else out[c.name] = joinBytes(raw, offset, c.size / 4);
    if (c.kind === 'str' || c.kind === 'f32') offset += c.size;
  }
  return out as PackLevels;
}

function plainBytes(levels: PackLevels): number {
  let n = 0;
  for (const value of Object.values(levels)) {
    if (typeof value === 'string') n += value.length;
    else if (value && typeof value === 'object') n += value.byteLength;
  }
  return n;
}

export function createHeldLevels(): HeldLevels {
  let codec: ZstdCodec | undefined;
  // A failure to load shows at the write, which needs the codec too.
  loadZstd().then(
    (c) => {
      codec = c;
    },
    () => undefined,
  );
  const held = new Map<string, Packed | PackLevels>();
  let bytes = 0;
  const sizeOf = (entry: Packed | PackLevels): number => (entry instanceof Packed ? entry.frame.byteLength : plainBytes(entry));
  const remove = (id: string): boolean => {
    const entry = held.get(id);
    if (!entry) return false;
    bytes -= sizeOf(entry);
    return held.delete(id);
  };
  return {
    set(id, levels) {
      remove(id);
      const entry = codec ? pack(levels, codec) : levels;
      held.set(id, entry);
      bytes += sizeOf(entry);
    },
    get(id) {
      const entry = held.get(id);
      if (!entry) return undefined;
      // Packed entries exist only once the codec has loaded.
      return entry instanceof Packed ? unpack(entry, codec!) : entry;
    },
    delete: remove,
    has: (id) => held.has(id),
    clear() {
      held.clear();
      bytes = 0;
    },
    get size() {
      return held.size;
    },
    get bytes() {
      return bytes;
    },
  };
}

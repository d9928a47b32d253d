/**
 * A small, deterministic GDAC for the reliability tests: Argo core profile files and their
 * `ar_index_global_prof.txt`, written by the repo's fixture writers (`fixtures/`), and the facts
 * each file was made from, so a test can tell a complete month from a damaged one.
 *
 *     const gdac = makeFixtureGdac({ seed: 7, months: ['2023-01', '2023-02'], perMonth: 6 });
 *     const mirror = await startGdacMirror({ files: gdac.files });     // served over loopback
 *     await gdac.writeTo(dir);                                         // or as a local GDAC tree
 *
 * Everything is a function of the options (no clock, no Math.random): two calls with the same
 * options give byte-identical files.
 */
import { CORE_INDEX_PATH, gdacIndexText, seededRandom, writeArgoProfile, writeTree, type GdacIndexEntry } from '../../../fixtures/index.js';

export interface FixtureProfile {
  /** `<dac>/<wmo>/profiles/<file>.nc` (the service's profile id). */
  id: string;
  /** GDAC path: `dac/<id>`. */
  path: string;
  month: string;
  platform: string;
  cycle: number;
  timeMs: number;
  latitude: number;
  longitude: number;
  dateUpdate: string;
  bytes: number;
}

export interface FixtureGdac {
  /** GDAC path → bytes, the index included (`ar_index_global_prof.txt`). */
  files: Map<string, Uint8Array>;
  profiles: FixtureProfile[];
  months: string[];
  /** Profiles per month, as built from these files. */
  countByMonth: Map<string, number>;
  indexText: string;
  /** Writes the tree under `dir` (a local GDAC root). */
  writeTo(dir: string): Promise<void>;
}

export interface FixtureGdacOptions {
  seed?: number;
  months: string[];
  perMonth: number;
  /** Levels per profile (default 60: a 0–2000 dbar profile every ~34 dbar). */
  nLevels?: number;
  /** Floats the profiles are spread over (default 5). */
  floats?: number;
}

export const INDEX_PATH = CORE_INDEX_PATH;

export function makeFixtureGdac(options: FixtureGdacOptions): FixtureGdac {
  const random = seededRandom(options.seed ?? 1);
  const nLevels = options.nLevels ?? 60;
  const floats = Array.from({ length: options.floats ?? 5 }, (_, i) => ({
    wmo: String(6_900_000 + (options.seed ?? 1) * 100 + i),
    dac: i % 2 === 0 ? 'coriolis' : 'aoml',
    cycle: 0,
  }));
  const files = new Map<string, Uint8Array>();
  const profiles: FixtureProfile[] = [];
  const rows: GdacIndexEntry[] = [];
  const countByMonth = new Map<string, number>();

  for (const month of options.months) {
    const start = Date.parse(`${month}-01T00:00:00Z`);
    const [y, m] = month.split('-').map(Number);
    const end = Date.UTC(y, m, 1);
    const span = end - start;
    for (let i = 0; i < options.perMonth; i++) {
      const float = floats[i % floats.length];
      float.cycle++;
      // Spread over the month, never within an hour of its edges (the builder's 1 s margin).
      const timeMs = Math.round(start + 3_600_000 + ((span - 7_200_000) * (i + random() * 0.5)) / options.perMonth);
      const latitude = Number((-60 + random() * 120).toFixed(3));
      const longitude = Number((-179 + random() * 358).toFixed(3));
      const pres = Array.from({ length: nLevels }, (_, k) => Number((5 + (k * 1995) / (nLevels - 1)).toFixed(1)));
      const surface = 5 + random() * 25;
      const temp = pres.map((p) => Number((surface * Math.exp(-p / 700) + 2 + random() * 0.01).toFixed(3)));
      const psal = pres.map((p) => Number((34.2 + 0.6 * (1 - Math.exp(-p / 500)) + random() * 0.01).toFixed(3)));
      const dateUpdate = `2024010${1 + (i % 9)}12000${i % 10}`;
      const bytes = writeArgoProfile({
        profiles: [
          {
            platformNumber: float.wmo,
            cycleNumber: float.cycle,
            timeMs,
            latitude,
            longitude,
            dataMode: i % 3 === 0 ? 'D' : 'R',
            levels: { PRES: pres, TEMP: temp, PSAL: psal },
          },
        ],
        dateUpdate,
      });
      const kind = i % 3 === 0 ? 'D' : 'R';
      const id = `${float.dac}/${float.wmo}/profiles/${kind}${float.wmo}_${String(float.cycle).padStart(3, '0')}.nc`;
      const path = `dac/${id}`;
      files.set(path, bytes);
      profiles.push({ id, path, month, platform: float.wmo, cycle: float.cycle, timeMs, latitude, longitude, dateUpdate, bytes: bytes.length });
      rows.push({ file: id, timeMs, latitude, longitude, ocean: 'A', profilerType: 846, institution: 'IF', dateUpdate });
      countByMonth.set(month, (countByMonth.get(month) ?? 0) + 1);
    }
  }
  // Rows in the order made (month by month), so that cutting the text short cuts a month short.
  const indexText = gdacIndexText({ rows, dateOfUpdate: '20240101000000', node: 'RELIABILITY-FIXTURE', sorted: false });
  files.set(INDEX_PATH, new TextEncoder().encode(indexText));

  return {
    files,
    profiles,
    months: [...options.months],
    countByMonth,
    indexText,
    async writeTo(dir) {
      await writeTree(dir, files);
    },
  };
}

/** The index text with only some rows kept (the header always). */
export function indexWith(gdac: FixtureGdac, keep: (profile: FixtureProfile) => boolean): Uint8Array {
  const keepIds = new Set(gdac.profiles.filter(keep).map((p) => p.id));
  const lines = gdac.indexText.split('\n').filter((line) => {
    if (line === '' || line.startsWith('#') || line.startsWith('file,')) return true;
    return keepIds.has(line.split(',')[0]);
  });
  return new TextEncoder().encode(lines.join('\n'));
}

/**
 * A float's summary (`GET /v1/platforms/{wmo}`), from the month indexes alone: the months come
 * from the platform map (month-index/platform-map.ts, checked against the master), and only those
 * month indexes are read. No profile file is read.
 */
import type { PlatformLocator } from '../month-index/platform-map.js';
import type { MonthCatalog } from '../month-index/types.js';

export interface PlatformSummary {
  platform: string;
  /** Data assembly centre(s) of its files (normally one). */
  dacs: string[];
  /** Listed profiles (valid time and position), every direction and data mode. */
  profiles: number;
  /** Distinct cycle numbers. */
  cycles: number;
  firstCycle: number;
  lastCycle: number;
  /** First and last profile time (ISO). */
  firstTime: string;
  lastTime: string;
  lastPosition: { latitude: number; longitude: number; time: string; cycle: number };
  /** Profiles per data mode (R, A, D). */
  dataModes: Record<string, number>;
  /** Level parameters its files hold (from the month indexes' file layouts: PRES, TEMP, PSAL). */
  parameters: string[];
  /** Built months with at least one of its profiles, in calendar order. */
  months: string[];
}

export interface PlatformService {
  /** undefined when no built month holds a profile of `wmo`. */
  summary(wmo: string, options?: { signal?: AbortSignal }): Promise<PlatformSummary | undefined>;
}

// Layout variables that are not parameters of their own: QC flags, adjusted values, errors.
const DERIVED_SUFFIX = /_(QC|ADJUSTED|ADJUSTED_QC|ADJUSTED_ERROR|ERROR)$/;

export function createPlatformService(options: { catalog: MonthCatalog; locator: PlatformLocator }): PlatformService {
  const { catalog, locator } = options;
  return {
    async summary(wmo, opts = {}) {
      const months = await locator.monthsOf(wmo, opts);
      const dacs = new Set<string>();
      const cycles = new Set<number>();
      const parameters = new Set<string>();
      const dataModes: Record<string, number> = {};
      const found: string[] = [];
      let profiles = 0;
      let first: { time: number } | undefined;
      let last: { time: number; latitude: number; longitude: number; cycle: number } | undefined;
      for (const { month } of months) {
        const index = await catalog.loadMonth(month, opts);
        if (!index) continue;
        let any = false;
        for (let i = 0; i < index.count; i++) {
          if (index.platform[i] !== wmo) continue;
          any = true;
          profiles++;
          const time = index.time[i];
          dacs.add(index.id[i].slice(0, index.id[i].indexOf('/')));
          cycles.add(index.cycle[i]);
          dataModes[index.dataMode[i]] = (dataModes[index.dataMode[i]] ?? 0) + 1;
          for (const name of Object.keys(index.layouts[index.layout[i]].variables)) if (!DERIVED_SUFFIX.test(name)) parameters.add(name);
          if (!first || time < first.time) first = { time };
          // Rows are in result order (time, then cycle): the last one seen is the latest.
          if (!last || time >= last.time) last = { time, latitude: index.latitude[i], longitude: index.longitude[i], cycle: index.cycle[i] };
        }
        if (any) found.push(month);
      }
      if (!first || !last) return undefined;
      const sortedCycles = [...cycles].sort((a, b) => a - b);
      return {
        platform: wmo,
        dacs: [...dacs].sort(),
        profiles,
        cycles: cycles.size,
        firstCycle: sortedCycles[0],
        lastCycle: sortedCycles[sortedCycles.length - 1],
        firstTime: new Date(first.time).toISOString(),
        lastTime: new Date(last.time).toISOString(),
        lastPosition: { latitude: last.latitude, longitude: last.longitude, time: new Date(last.time).toISOString(), cycle: last.cycle },
        dataModes,
        parameters: [...parameters].sort(),
        months: found,
      };
    },
  };
}

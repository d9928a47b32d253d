/**
 * Many built months, cheaply: the one built month re-encoded into `count` consecutive months
 * (the month itself and the ones before it), its times scaled into each month and its
 * `date_update` moved with them, then registered in the master index. The profiles point at the
 * same GDAC files, but every month's entries are distinct cache keys (id + date_update), so the
 * server's month and profile caches fill as they would with real months.
 *
 *     const { months } = await writeShiftedMonths({ from: storeDir, to: otherDir, month: '2023-04', count: 24 });
 */
import { decodeMonthIndex, encodeMonthIndex, profileAt, summaryOf, type ProfileEntry } from '../src/month-index/codec.js';
import { readMaster, setMonth, updateMaster } from '../src/month-index/master.js';
import { addMonths, monthEndMs, monthStartMs, newMonthKey } from '../src/month-index/months.js';
import type { MonthSummary } from '../src/month-index/types.js';
import { createBlobStore } from '../src/storage/index.js';
import { gdacIndexDate } from '../fixtures/index.js';

export interface ShiftedMonths {
  months: string[];
  profilesPerMonth: number[];
  /** Bytes of the month objects written. */
  bytes: number;
}

export async function writeShiftedMonths(options: { from: string; to: string; month: string; count: number }): Promise<ShiftedMonths> {
  const source = createBlobStore({ location: options.from });
  const target = createBlobStore({ location: options.to });
  try {
    const { master } = await readMaster(source);
    const summary = master.months[options.month];
    if (!summary) throw new Error(`month ${options.month} is not built in ${options.from}`);
    const object = await source.get(summary.key);
    if (!object) throw new Error(`month object ${summary.key} is missing from ${options.from}`);
    const index = await decodeMonthIndex(object.body, { key: summary.key });
    const entries: ProfileEntry[] = Array.from({ length: index.count }, (_, i) => profileAt(index, i));
    const fromStart = monthStartMs(options.month);
    const fromLength = monthEndMs(options.month) - fromStart;

    const months: string[] = [];
    const profilesPerMonth: number[] = [];
    const summaries: MonthSummary[] = [];
    let bytes = 0;
    for (let k = options.count - 1; k >= 0; k--) {
      const month = addMonths(options.month, -k);
      const start = monthStartMs(month);
      const scale = (monthEndMs(month) - start) / fromLength;
      const profiles = entries.map((e) => {
        const timeMs = start + Math.floor((e.timeMs - fromStart) * scale);
        return { ...e, timeMs, dateUpdate: k === 0 ? e.dateUpdate : gdacIndexDate(timeMs + 3_600_000) };
      });
      const key = newMonthKey(month, new Date());
      const body = await encodeMonthIndex({
        month,
        builtAt: new Date().toISOString(),
        source: `${index.source} (bench: ${options.month} shifted to ${month})`,
        key,
        profiles,
        failures: [],
        excluded: [],
        outside: [],
        counts: { reused: 0, fetched: profiles.length, failed: 0, dropped: 0, excluded: 0 },
      });
      await target.put(key, body);
      bytes += body.length;
      summaries.push(summaryOf(await decodeMonthIndex(body, { key })));
      months.push(month);
      profilesPerMonth.push(profiles.length);
    }
    await updateMaster({
      store: target,
      mutate: (m) => summaries.map((s) => setMonth(m, s)).some(Boolean),
    });
    return { months, profilesPerMonth, bytes };
  } finally {
    await source.close?.();
    await target.close?.();
  }
}

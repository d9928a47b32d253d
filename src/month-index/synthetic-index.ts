/**
 * Reading the GDAC synthetic profile index (`argo_synthetic-profile_index.txt`, or its `.gz`) as a
 * stream, as `gdac-index.ts` reads the core index (same opening, gunzip, line checks, columns by
 * name). Its rows carry two more columns: `parameters` (space-separated names) and
 * `parameter_data_mode` (one character per parameter). Only synthetic profile files are kept:
 * `<dac>/<wmo>/profiles/S[RD]<wmo>_<cycle>[D].nc`.
 *
 * The parse is tolerant: the index only finds candidate files, and the file itself is the truth
 * (time, parameters, data modes). A row with an empty date, no `parameters` column, fewer modes
 * than parameters (those are blank) or a name that is not an Argo parameter name (skipped) is
 * still a file; a row with too few fields is counted as malformed and skipped.
 */
import { isParameterName } from '../argo/bgc/rules.js';
import type { ParameterModes } from '../argo/bgc/types.js';
import { GdacIndexError, isAbortError } from '../errors.js';
import { indexLines, openGdacIndex, parseIndexDate, type GdacIndexRow, type ReadGdacIndexOptions } from './gdac-index.js';

export const DEFAULT_SYNTHETIC_INDEX_PATHS = ['argo_synthetic-profile_index.txt.gz', 'argo_synthetic-profile_index.txt'] as const;

export interface SyntheticIndexRow extends GdacIndexRow {
  /** The index's parameters with their data modes, in its order ({} when the index has none). */
  parameters: ParameterModes;
}

export interface SyntheticIndexStats {
  lines: number;
  rows: number;
  synthetic: number;
  /** Rows that could not be parsed (too few fields): skipped. */
  malformed: number;
}

/** A synthetic profile file path: S + R (real-time) or D (delayed) + WMO + cycle (+ D: descending). */
const SYNTHETIC_ID = /^[A-Za-z0-9_-]+\/[0-9A-Za-z]+\/profiles\/S[RD][0-9A-Za-z]+_\d+D?\.nc$/;

export function isSyntheticProfileId(id: string): boolean {
  return SYNTHETIC_ID.test(id);
}

/** `parameters` and `parameter_data_mode` fields → modes by name (tolerant; see the module comment). */
export function parseIndexParameters(parameters: string, dataModes: string): ParameterModes {
  const out: Record<string, string> = {};
  const names = parameters.trim().split(/\s+/);
  const modes = dataModes.trim();
  names.forEach((name, j) => {
    if (!isParameterName(name) || Object.hasOwn(out, name)) return;
    out[name] = j < modes.length ? modes[j] : ' ';
  });
  return out;
}

interface Columns {
  file: number;
  date: number;
  dateUpdate: number;
  parameters: number;
  dataModes: number;
  /** Fields a row needs: up to the last of file, date and date_update. */
  count: number;
}

function columnsOf(line: string, path: string): Columns {
  const names = line.split(',').map((f) => f.trim().toLowerCase());
  const file = names.indexOf('file');
  const date = names.indexOf('date');
  const dateUpdate = names.indexOf('date_update');
  if (file < 0 || date < 0 || dateUpdate < 0) {
    throw new GdacIndexError({
      message: 'GDAC synthetic profile index has no column header with file, date and date_update',
      context: { path, header: line.slice(0, 200) },
    });
  }
  return {
    file,
    date,
    dateUpdate,
    parameters: names.indexOf('parameters'),
    dataModes: names.indexOf('parameter_data_mode'),
    count: Math.max(file, date, dateUpdate) + 1,
  };
}

/**
 * Every synthetic-profile row of the GDAC synthetic profile index, streamed. The configured path
 * (`indexPath`), else `argo_synthetic-profile_index.txt.gz` then `.txt`. Throws `GdacIndexError`
 * when the index cannot be opened or read to its end, or has no usable column header (an
 * AbortedError passes through); as for the core index, act on the rows only once it completes.
 */
export async function* readSyntheticIndex(
  options: Omit<ReadGdacIndexOptions, 'defaultPaths' | 'onStats'> & { onStats?: (stats: SyntheticIndexStats) => void },
): AsyncGenerator<SyntheticIndexRow> {
  const stats: SyntheticIndexStats = { lines: 0, rows: 0, synthetic: 0, malformed: 0 };
  let path = options.indexPath ?? DEFAULT_SYNTHETIC_INDEX_PATHS[DEFAULT_SYNTHETIC_INDEX_PATHS.length - 1];
  try {
    const opened = await openGdacIndex({ gdac: options.gdac, indexPath: options.indexPath, signal: options.signal, defaultPaths: DEFAULT_SYNTHETIC_INDEX_PATHS });
    path = opened.path;
    options.onOpen?.(path);
    let columns: Columns | undefined;
    for await (const line of indexLines(opened.chunks, { path: opened.path, signal: options.signal })) {
      stats.lines++;
      if (line.length === 0 || line.startsWith('#')) continue;
      if (!columns) {
        columns = columnsOf(line, path);
        continue;
      }
      stats.rows++;
      const fields = line.split(',');
      if (fields.length < columns.count) {
        stats.malformed++;
        continue;
      }
      const id = fields[columns.file].trim();
      if (!SYNTHETIC_ID.test(id)) continue;
      stats.synthetic++;
      const field = (index: number): string => (index >= 0 && index < fields.length ? fields[index] : '');
      yield {
        id,
        dateMs: parseIndexDate(fields[columns.date].trim()),
        dateUpdate: fields[columns.dateUpdate].trim(),
        parameters: parseIndexParameters(field(columns.parameters), field(columns.dataModes)),
      };
    }
    if (!columns) throw new GdacIndexError({ message: 'GDAC synthetic profile index is empty (no column header)', context: { path } });
    options.onStats?.(stats);
  } catch (error) {
    if (isAbortError(error) || error instanceof GdacIndexError) throw error;
    throw new GdacIndexError({ message: `GDAC synthetic profile index ${path} could not be read`, context: { path, lines: stats.lines }, cause: error });
  }
}

/**
 * The query service contract: what `GET /v1/profiles` asks for and gets back. Formats and media
 * types are serialize/'s business; the query yields profiles and their JSON text.
 */
import type { ArgoVariable, QcMode, Vertical } from '../argo/types.js';

/** A validated query (the route's zod schema produces it; ceilings already enforced). */
export interface ProfileQuery {
  /** Window `[startMs, endMs)`, epoch milliseconds UTC. */
  startMs: number;
  endMs: number;
  /** Target levels, ascending, ≥ 0; absent → native levels. */
  levels?: number[];
  vertical: Vertical;
  /**
   * `phy`: core variables (ArgoVariable). `bgc` (dataset=bgc): PRES, TEMP, PSAL and any parameter
   * of the synthetic files.
   */
  variables: ArgoVariable[] | string[];
  /** Which files: core (`phy`, the default) or synthetic (`bgc`, SEMANTICS-BGC.md). */
  dataset?: 'phy' | 'bgc';
  mode: QcMode;
  /** `[lonMin, latMin, lonMax, latMax]`; lonMin > lonMax crosses the antimeridian. */
  bbox?: [number, number, number, number];
  /**
   * A ring of `[lon, lat]` vertices, closed automatically; edges straight in lon/lat, the shorter
   * way in longitude (geo/polygon.ts).
   */
  polygon?: [number, number][];
  /** A great-circle radius search: centre `[lon, lat]` and radius in km (geo/circle.ts). */
  near?: { center: [number, number]; radiusKm: number };
  platforms?: string[];
  maxProfiles: number;
  /**
   * Opaque key-set cursor (query/cursor.ts): the result continues strictly after the profile it
   * names. Bound to the filters it was made with.
   */
  cursor?: string;
  /**
   * `positions`: metadata and position only. The plan is the same; no level data is read, so
   * levels, vertical and variables have no effect.
   */
  fields?: ProfileFields;
  /**
   * A float's profiles (`GET /v1/platforms/{wmo}/profiles`): only the built months the platform
   * map names for this WMO are read, within the window (which may then span the whole record).
   */
  float?: string;
}

export const PROFILE_FIELDS = ['positions'] as const;
export type ProfileFields = (typeof PROFILE_FIELDS)[number];

/** One output profile (the NDJSON line / JSON array member / CSV rows). Nulls where no value. */
export interface OutputProfile {
  id: string;
  platform_number: string;
  cycle_number: number;
  direction: string;
  /** The profile's data mode; null for BGC profiles (each parameter has its own). */
  data_mode: string | null;
  /** BGC profiles: each parameter's data mode, `{"PRES": "D", "DOXY": "A"}`. */
  parameter_data_mode?: Readonly<Record<string, string>>;
  time: string;
  latitude: number;
  longitude: number;
  /** Present on depth levels and on native levels. */
  depth?: (number | null)[];
  /** Present on pressure levels and on native levels. */
  pressure?: (number | null)[];
  TEMP?: (number | null)[] | null;
  PSAL?: (number | null)[] | null;
  PRES?: (number | null)[] | null;
  /** BGC parameters (DOXY, CHLA, …): values, or null when the profile lacks the parameter. */
  [parameter: string]: unknown;
}

/**
 * One profile of a result and its encoded form: `json` is exactly `JSON.stringify(profile)`,
 * computed once where the profile is made (and kept with it by the output cache), so a serializer
 * never encodes the same profile twice. Both are frozen: a cached entry is shared by every request.
 */
export interface EncodedProfile {
  readonly profile: OutputProfile;
  readonly json: string;
}

/** What the planner knows before the first byte of the body: the headers come from here. */
export interface QueryResult {
  /** Profiles matching before the cap (with a cursor: those after it). */
  matched: number;
  truncated: boolean;
  /** Months of the window with no built index (with a cursor: from the cursor's month on). */
  monthsMissing: string[];
  /** When truncated: the cursor that continues after the last profile of this page. */
  next?: string;
  /**
   * Store keys of the month indexes the plan used. Month objects are immutable, so the keys
   * identify the data behind the answer (a rebuild, or a GDAC update seen by one, changes them).
   */
  monthKeys: string[];
  query: ProfileQuery;
  /** BGC queries: the requested parameters' units and names, from the files (for headers, clients). */
  parameters?: import('../month-index/types.js').MonthParameter[];
  /**
   * The profiles in result order, each with its JSON text, computed with bounded look-ahead.
   * Iterating pulls upstream reads; stopping early (return()) or the request signal firing cancels
   * what is outstanding. A failure mid-way throws from the iterator (the serializer turns it into
   * the error line/member).
   */
  profiles: AsyncIterable<EncodedProfile>;
}

export interface QueryService {
  run(query: ProfileQuery, options: { signal: AbortSignal }): Promise<QueryResult>;
}

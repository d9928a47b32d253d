/**
 * The request cost guard: a step between planning and reading. `withCostGuard` wraps the query
 * service; once a query is planned (the headers' facts known, no level read yet) it estimates
 * what the answer would carry and refuses it with 413 problem+json when that is above
 * ARGO_MAX_REQUEST_COST, saying how to split it.
 *
 *     cost = profiles × levels × variables      (level values)
 *
 * - profiles: the matches, capped by max_profiles (what the plan selected);
 * - levels: the depth (or pressure) levels asked for; on native levels, whose count is known only
 *   once each profile is read, `NATIVE_LEVELS_ESTIMATE`;
 * - variables: the variables asked for.
 *
 * `fields=positions` reads no level data: it costs nothing here (max_profiles bounds it).
 * The refusal happens before the body's first byte and before any GDAC read; retrying the same
 * request gets the same answer, so there is no Retry-After.
 */
import { RequestTooCostlyError } from '../errors.js';
import type { QueryResult, QueryService } from '../query/types.js';

/**
 * Levels assumed per profile on native levels. Among the real GDAC core files of the shared
 * sample (1997–2023) the median is 113 levels, the mean 280, the 90th percentile 582 and the most
 * 1,176; recent floats sample more densely than old ones, so 500 leans high: a native-level
 * request is estimated above its likely size rather than below it.
 */
export const NATIVE_LEVELS_ESTIMATE = 500;

export interface RequestCost {
  /** Level values: profiles × levels × variables. */
  values: number;
  profiles: number;
  levels: number;
  /** True on native levels (`levels` is NATIVE_LEVELS_ESTIMATE). */
  levelsEstimated: boolean;
  variables: number;
}

/** The cost of answering a planned query (its matches and the query are all it needs). */
export function requestCost({ matched, query }: Pick<QueryResult, 'matched' | 'query'>): RequestCost {
  const profiles = Math.min(matched, query.maxProfiles);
  const levelsEstimated = query.levels === undefined;
  const levels = query.levels?.length ?? NATIVE_LEVELS_ESTIMATE;
  const variables = query.variables.length;
  const values = query.fields === 'positions' ? 0 : profiles * levels * variables;
  return { values, profiles, levels, levelsEstimated, variables };
}

export interface CostGuardOptions {
  /** ARGO_MAX_REQUEST_COST: the most level values one answer may carry; 0 turns the guard off. */
  maxCost: number;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** What a refused caller reads: the figures, then how to split the request. */
function refusal(cost: RequestCost, maxCost: number): string {
  const levels = cost.levelsEstimated ? `${count(cost.levels)} levels (native levels, estimated)` : `${count(cost.levels)} levels`;
  return (
    `This request would return about ${count(cost.values)} level values (${count(cost.profiles)} profiles × ${levels} × ` +
    `${count(cost.variables)} variables); one request may return at most ${count(maxCost)} (ARGO_MAX_REQUEST_COST). ` +
    'Split it: a shorter window (start, end), a smaller area (bbox), fewer levels (depth) or variables, or fewer ' +
    'profiles per request (max_profiles) over several requests.'
  );
}

/** The query service, refusing (413) a planned query whose answer would cost more than `maxCost`. */
export function withCostGuard(inner: QueryService, { maxCost }: CostGuardOptions): QueryService {
  if (maxCost === 0) return inner;
  return {
    async run(query, options) {
      const result = await inner.run(query, options);
      const cost = requestCost(result);
      // The profiles are a lazy iterable: dropping the result unread reads nothing.
      if (cost.values <= maxCost) return result;
      throw new RequestTooCostlyError({
        message: refusal(cost, maxCost),
        context: { ...cost, maxCost },
        problemMembers: {
          cost: {
            values: cost.values,
            limit: maxCost,
            profiles: cost.profiles,
            levels: cost.levels,
            levels_estimated: cost.levelsEstimated,
            variables: cost.variables,
          },
        },
      });
    },
  };
}

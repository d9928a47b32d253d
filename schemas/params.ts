/**
 * Query-string parameters as zod fields: one value given once, parsed by a function that returns
 * the value or `{ error }`. Shared by the profiles and shapes schemas (a module of its own, so the
 * two import it without importing each other). Zod only; imports nothing from `src/`.
 */
import { z } from 'zod';

/** A single query-string value, present once. */
export function param(name: string) {
  return z.string({
    error: (issue) =>
      issue.input === undefined
        ? 'is required'
        : Array.isArray(issue.input)
          ? `given more than once; give ${name} once`
          : 'must be a string',
  });
}

/**
 * A parameter whose text is parsed by `parse` (`{ error }` on bad input). The empty check lives in
 * the transform, not in an aborting refine: an abort would hide the other parameters' issues.
 * `required` says so in the empty message; `whenEmpty` replaces it (schemas/shapes.ts uses both).
 */
export function parsed<T>(
  name: string,
  parse: (text: string) => T | { error: string },
  required = false,
  whenEmpty?: string,
) {
  return param(name).transform((text, ctx): Exclude<T, { error: string }> => {
    const result =
      text.trim().length === 0
        ? { error: whenEmpty ?? (required ? 'is empty' : `is empty; omit ${name} to use its default`) }
        : parse(text);
    if (result && typeof result === 'object' && 'error' in result) {
      ctx.addIssue({ code: 'custom', message: (result as { error: string }).error });
      return z.NEVER;
    }
    return result as Exclude<T, { error: string }>;
  });
}

/** A plain decimal number: no hex, no `Infinity`, no blanks (Number('') is 0, Number('0x1') 1). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a decimal number; undefined when the text is not one or is not finite. */
export function parseDecimal(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}


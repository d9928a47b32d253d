/**
 * Provisional values: computed from a GDAC file that no longer matches its month index (the DAC
 * replaced it since the build; see query/reader.ts). They are the file's current data, served so
 * one updated file does not end a whole answer with an error line, but the index does not vouch
 * for them: no cache keeps them (level cache, output cache, response cache), so every request
 * reads the file again until a rebuild brings the month index up to date, and nothing provisional
 * outlives the state of the GDAC it came from.
 *
 * A mark on the object itself (a WeakSet: no field in the data, nothing to serialize), carried by
 * each step to what it derives: levels → output profile → response body.
 */
const marked = new WeakSet<object>();

export function markProvisional<T extends object>(value: T): T {
  marked.add(value);
  return value;
}

export function isProvisional(value: object): boolean {
  return marked.has(value);
}

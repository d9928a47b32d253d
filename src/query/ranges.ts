/**
 * Coalescing the byte ranges of one file: the level variables a query needs sit close together in
 * an Argo file (each is a `[N_PROF, N_LEVELS]` row block in file order), so neighbours are merged
 * into one Range request when the bytes between them are cheaper to download than another request.
 */

/**
 * Merge two ranges when fewer than this many bytes separate them.
 *
 * Why 16 KiB: a separate request costs at least one round trip to the GDAC (20–100 ms) plus
 * ~0.5–1 KB of request/response headers, and counts against a GDAC's request-rate limits; 16 KiB of
 * unwanted bytes cost ~1.5 ms at 10 MB/s. In the Argo layout the rows a mode needs are separated by
 * the rows it skips (e.g. standard mode on a D file skips PRES_ADJUSTED_ERROR, TEMP and TEMP_QC
 * between PRES_ADJUSTED_QC and TEMP_ADJUSTED: 9 bytes per level, ~4.5 KB at 500 levels, ~9 KB for
 * the 1,000-level profiles) and, for N_PROF > 1, by the secondary profiles' rows (N_LEVELS × 4
 * bytes each). 16 KiB merges the first kind always and the second for ordinary profiles, so a
 * typical profile is one request; the giant secondary blocks of multi-profile files still split.
 */
export const COALESCE_GAP_BYTES = 16 * 1024;

export interface Range {
  offset: number;
  length: number;
}

export interface CoalescedRange<T extends Range> extends Range {
  /** The input ranges this request covers, in offset order. */
  members: T[];
}

/** Groups ranges (any order, overlaps allowed) into requests; gaps < `maxGap` bytes are merged. */
export function coalesceRanges<T extends Range>(ranges: readonly T[], maxGap: number = COALESCE_GAP_BYTES): CoalescedRange<T>[] {
  const sorted = [...ranges].filter((r) => r.length > 0).sort((a, b) => a.offset - b.offset || a.length - b.length);
  const out: CoalescedRange<T>[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    const lastEnd = last ? last.offset + last.length : 0;
    if (last && r.offset - lastEnd < maxGap) {
      last.length = Math.max(lastEnd, r.offset + r.length) - last.offset;
      last.members.push(r);
    } else {
      out.push({ offset: r.offset, length: r.length, members: [r] });
    }
  }
  return out;
}

/** The bytes of `member` out of the bytes fetched for `group` (empty past the end of a short read). */
export function sliceMember(group: Range, bytes: Uint8Array, member: Range): Uint8Array {
  const start = member.offset - group.offset;
  return bytes.subarray(Math.min(start, bytes.length), Math.min(start + member.length, bytes.length));
}

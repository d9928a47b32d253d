/**
 * GDAC path hygiene. Paths come from the GDAC profile index, which is external data: a line
 * like `../../etc/passwd` must never reach the file system or turn into another URL.
 */
import { UpstreamError } from '../errors.js';

/**
 * Where the HTTPS mirrors (and local copies of them) keep the profile index: at the root, the
 * `.gz` first (an eighth of the bytes to transfer), the `.txt` when there is no `.gz`.
 */
export const ROOT_INDEX_PATHS: readonly string[] = Object.freeze(['ar_index_global_prof.txt.gz', 'ar_index_global_prof.txt']);

/**
 * Where an S3 GDAC keeps it: under `idx/` (the public bucket: `s3://argo-gdac-sandbox/pub/idx/`,
 * data under `pub/dac/`), then at the root, for a bucket filled by copying an HTTPS mirror.
 */
export const S3_INDEX_PATHS: readonly string[] = Object.freeze([
  ...ROOT_INDEX_PATHS.map((p) => `idx/${p}`),
  ...ROOT_INDEX_PATHS,
]);

/**
 * Returns the path with leading slashes removed, or throws a permanent `UpstreamError` for an
 * empty path, `.`/`..`/empty segments, backslashes or NUL bytes.
 */
export function normalizeGdacPath(path: string): string {
  const trimmed = typeof path === 'string' ? path.replace(/^\/+/, '') : '';
  const segments = trimmed.split('/');
  const bad =
    trimmed.length === 0 ||
    trimmed.includes('\\') ||
    trimmed.includes('\0') ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) {
    throw new UpstreamError({
      message: `refused GDAC path ${JSON.stringify(path)}: not a plain path below the GDAC root`,
      context: { path },
    });
  }
  return trimmed;
}

/** Drops user:password from a URL so it can be logged and shown in /readyz. */
export function redactUrl(url: URL): string {
  if (!url.username && !url.password) return url.href.replace(/\/+$/, '');
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href.replace(/\/+$/, '');
}

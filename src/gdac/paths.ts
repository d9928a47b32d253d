/**
 * GDAC path hygiene. Paths come from the GDAC profile index, which is external data: a line
 * like `../../etc/passwd` must never reach the file system or turn into another URL.
 */
import { UpstreamError } from '../errors.js';

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

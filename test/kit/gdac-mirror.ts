/**
 * A test GDAC mirror: a real node:http server on 127.0.0.1, port 0, serving a GDAC tree, with
 * scripted faults. Use it wherever code reads from a GDAC over HTTP (never the internet).
 *
 *     import { startGdacMirror } from '../kit/gdac-mirror.js';
 *
 *     const mirror = await startGdacMirror({ root: sampleDir, files: new Map([['dac/x/1/profiles/R1_001.nc', bytes]]) });
 *     t.after(() => mirror.stop());
 *     // mirror.url: 'http://127.0.0.1:PORT' (plus basePath when given): a GDAC root for ARGO_GDAC
 *     mirror.setFault('dac/**', { kind: 'status', status: 503, times: 2 }); // two 503s, then normal
 *     mirror.stats.requests; mirror.stats.byPath.get('dac/x/1/profiles/R1_001.nc');
 *
 * Options (`startGdacMirror`):
 * - `root`: a directory holding a GDAC tree (e.g. `sharedSampleDir()`); optional.
 * - `files`: in-memory overlay, GDAC path → bytes; looked up before `root`.
 * - `latencyMs`: delay before every answer (default 0). `ignoreRange`: answer 200 with the
 *   whole body to every Range request, like a mirror that ignores Range (default false).
 * - `basePath`: serve the tree under a path (`/pub/outgoing/argo`), like usgodae.
 *
 * Behaviour: GET and HEAD; single `Range: bytes=a-b | a- | -n` → 206 with Content-Range;
 * a multi-range or malformed Range is ignored (200); a range starting past the end → 416 with
 * `Content-Range: bytes *\/size`; Content-Length, ETag, Last-Modified, Accept-Ranges; keep-alive;
 * 404 for anything missing (and for `..` paths). `stop()` closes every socket.
 *
 * Faults (`setFault(pathOrGlob, fault)`): the pattern is a GDAC path (no leading '/') where `*`
 * matches within a segment, `**` across segments, `?` one character. The first matching fault
 * (in the order set; setting the same pattern again replaces it) applies; `times` is how many
 * requests it affects before it clears itself (default: forever).
 * - `{ kind: 'status', status }`: answer that status (500, 503, 404, 403, ...) with a short text.
 * - `{ kind: '429', retryAfterSeconds, asHttpDate? }`: 429 with Retry-After (seconds, or an
 *   HTTP date that many seconds ahead).
 * - `{ kind: 'reset' }`: destroy the socket without answering.
 * - `{ kind: 'truncate', bytes }`: announce the full Content-Length, send `bytes` bytes of the
 *   body, then destroy the socket.
 * - `{ kind: 'stall', ms, afterBytes? }`: wait `ms` before answering, or, with `afterBytes`,
 *   send the headers and that many body bytes, then wait `ms`, then send the rest.
 * - `{ kind: 'corrupt' }`: flip bits (XOR 0xff) of the first byte of the answer and of every
 *   1024th byte after it; headers are unchanged.
 * - `{ kind: 'html', bytes? }`: a proxy's or portal's error page: `200 text/html` with about
 *   `bytes` (default 1 MB) of HTML, whatever was asked (Range ignored).
 * - `{ kind: 'wrong-total', delta }`: a 206 whose `Content-Range` total is the object's size plus
 *   `delta` (a proxy mangling the header); bytes and everything else as usual. Requests without
 *   Range are answered normally.
 *
 * `setFile(path, bytes)` puts a file in the overlay, replacing what was served at that path: a DAC
 * updating a file on the GDAC.
 *
 * Stats (live object; `resetStats()` zeroes it in place): `requests` (every request, faults
 * included), `bytes` (body bytes written), `byPath` (requests per GDAC path), `inFlight` and
 * `maxInFlight` (requests being answered at once: checks a client's concurrency limit).
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';

export type MirrorFault =
  | { kind: 'status'; status: number; times?: number }
  | { kind: '429'; retryAfterSeconds: number; asHttpDate?: boolean; times?: number }
  | { kind: 'reset'; times?: number }
  | { kind: 'truncate'; bytes: number; times?: number }
  | { kind: 'stall'; ms: number; afterBytes?: number; times?: number }
  | { kind: 'corrupt'; times?: number }
  | { kind: 'html'; bytes?: number; times?: number }
  | { kind: 'wrong-total'; delta: number; times?: number };

export interface GdacMirrorOptions {
  /** A directory of a GDAC tree; optional when `files` holds everything. */
  root?: string;
  /** In-memory overlay, GDAC path → bytes, looked up before `root`. */
  files?: Map<string, Uint8Array>;
  latencyMs?: number;
  ignoreRange?: boolean;
  /** Serve under this URL path, e.g. '/pub/outgoing/argo'. */
  basePath?: string;
}

export interface MirrorStats {
  requests: number;
  bytes: number;
  byPath: Map<string, number>;
  /** Requests being answered right now, and the most at once since the last reset. */
  inFlight: number;
  maxInFlight: number;
}

export interface GdacMirror {
  /** The GDAC root URL, no trailing slash. */
  readonly url: string;
  readonly stats: MirrorStats;
  resetStats(): void;
  setFault(pathOrGlob: string, fault: MirrorFault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  setIgnoreRange(ignore: boolean): void;
  /** Serve `bytes` at `path` from now on (overlay; replaces the file). */
  setFile(path: string, bytes: Uint8Array): void;
  stop(): Promise<void>;
}

interface FaultState {
  pattern: RegExp;
  fault: MirrorFault;
  remaining: number | undefined;
}

interface Found {
  body: Uint8Array;
  mtime: Date;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

type RangeAnswer = { kind: 'whole' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (!header) return { kind: 'whole' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' }; // multi-range or malformed
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    return size === 0 ? { kind: 'unsatisfiable' } : { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return { kind: 'whole' }; // invalid: ignore it
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

/** An HTML error page of about `size` bytes (at least its frame). */
function htmlPage(size: number): Uint8Array {
  const head = '<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head><body>\n<h1>Service Temporarily Unavailable</h1>\n';
  const tail = '</body></html>\n';
  const line = '<p>The server is temporarily unable to service your request. Please try again later.</p>\n';
  const filler = Math.max(0, size - head.length - tail.length);
  return new TextEncoder().encode(head + line.repeat(Math.ceil(filler / line.length)).slice(0, filler) + tail);
}

function corrupt(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  for (let i = 0; i < copy.length; i += 1024) copy[i] ^= 0xff;
  return copy;
}

// Unref'd: a stalled answer must not keep a test process alive after the mirror stopped.
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export async function startGdacMirror(options: GdacMirrorOptions = {}): Promise<GdacMirror> {
  const root = options.root === undefined ? undefined : resolve(options.root);
  const files = options.files ?? new Map<string, Uint8Array>();
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const startedAt = new Date();
  let latencyMs = options.latencyMs ?? 0;
  let ignoreRange = options.ignoreRange ?? false;
  const faults = new Map<string, FaultState>();
  const stats: MirrorStats = { requests: 0, bytes: 0, byPath: new Map(), inFlight: 0, maxInFlight: 0 };

  function takeFault(path: string): MirrorFault | undefined {
    for (const [key, state] of faults) {
      if (!state.pattern.test(path)) continue;
      if (state.remaining !== undefined) {
        state.remaining--;
        if (state.remaining <= 0) faults.delete(key);
      }
      return state.fault;
    }
    return undefined;
  }

  async function find(path: string): Promise<Found | undefined> {
    const inMemory = files.get(path);
    if (inMemory) return { body: inMemory, mtime: startedAt };
    if (root === undefined) return undefined;
    const full = resolve(root, ...path.split('/'));
    if (!full.startsWith(root + sep)) return undefined;
    try {
      const info = await stat(full);
      if (!info.isFile()) return undefined;
      return { body: new Uint8Array(await readFile(full)), mtime: info.mtime };
    } catch {
      return undefined;
    }
  }

  function gdacPath(req: IncomingMessage): string | undefined {
    const raw = (req.url ?? '/').split('?')[0];
    if (basePath && !(raw === basePath || raw.startsWith(basePath + '/'))) return undefined;
    let path: string;
    try {
      path = decodeURIComponent(raw.slice(basePath.length)).replace(/^\/+/, '');
    } catch {
      return undefined;
    }
    if (path.split('/').some((s) => s === '..' || s === '.') || path.includes('\\') || path.includes('\0')) return undefined;
    return path;
  }

  function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
    stats.bytes += chunk.length;
    return new Promise((done) => {
      res.write(chunk, () => done());
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const path = gdacPath(req);
    const statsKey = path ?? req.url ?? '';
    stats.byPath.set(statsKey, (stats.byPath.get(statsKey) ?? 0) + 1);
    let gone = false;
    res.on('close', () => {
      gone = true;
    });
    if (latencyMs > 0) await sleep(latencyMs);
    if (gone) return;

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const fault = path === undefined ? undefined : takeFault(path);
    switch (fault?.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'text/plain' }).end(`scripted ${fault.status}\n`);
        return;
      case '429': {
        const retryAfter = fault.asHttpDate
          ? new Date(Date.now() + fault.retryAfterSeconds * 1000).toUTCString()
          : String(fault.retryAfterSeconds);
        res.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'text/plain' }).end('slow down\n');
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
      case 'html': {
        const page = htmlPage(fault.bytes ?? 1_000_000);
        stats.bytes += page.length;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(page.length) }).end(page);
        return;
      }
      case 'stall':
        if (fault.afterBytes === undefined) {
          await sleep(fault.ms);
          if (gone) return;
        }
        break;
      default:
        break;
    }

    const found = path === undefined ? undefined : await find(path);
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const size = found.body.length;
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      etag: `"${createHash('sha1').update(found.body).digest('hex').slice(0, 16)}"`,
      'last-modified': found.mtime.toUTCString(),
    };
    if (!ignoreRange) headers['accept-ranges'] = 'bytes';
    const range = ignoreRange ? ({ kind: 'whole' } as RangeAnswer) : parseRange(req.headers.range, size);
    let status = 200;
    let body = found.body;
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': '0' }).end();
      return;
    }
    if (range.kind === 'partial') {
      status = 206;
      body = found.body.subarray(range.start, range.end + 1);
      const total = fault?.kind === 'wrong-total' ? size + fault.delta : size;
      headers['content-range'] = `bytes ${range.start}-${range.end}/${total}`;
    }
    headers['content-length'] = String(body.length);
    if (req.method === 'HEAD') {
      res.writeHead(status, headers).end();
      return;
    }
    if (fault?.kind === 'corrupt') body = corrupt(body);

    res.writeHead(status, headers);
    if (fault?.kind === 'truncate') {
      await write(res, body.subarray(0, Math.min(fault.bytes, body.length)));
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall' && fault.afterBytes !== undefined) {
      await write(res, body.subarray(0, fault.afterBytes));
      await sleep(fault.ms);
      if (gone) return;
      body = body.subarray(Math.min(fault.afterBytes, body.length));
    }
    stats.bytes += body.length;
    res.end(body);
  }

  const server = createServer((req, res) => {
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let counted = true;
    const settle = (): void => {
      if (counted) stats.inFlight--;
      counted = false;
    };
    res.once('close', settle);
    res.once('finish', settle);
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.bytes = 0;
      stats.byPath.clear();
      stats.maxInFlight = stats.inFlight;
    },
    setFault(pathOrGlob, fault) {
      faults.set(pathOrGlob, { pattern: globToRegExp(pathOrGlob.replace(/^\/+/, '')), fault, remaining: fault.times });
    },
    clearFaults() {
      faults.clear();
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setIgnoreRange(ignore) {
      ignoreRange = ignore;
    },
    setFile(path, bytes) {
      files.set(path.replace(/^\/+/, ''), bytes);
    },
    stop() {
      return new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
    },
  };
}

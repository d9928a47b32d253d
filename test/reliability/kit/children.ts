/**
 * Child processes for the reliability tests: builders, the real server, load generators. Every
 * child runs in its own process group, has a deadline after which the group is killed, and is
 * stopped by its own pid (never by name).
 *
 *     const r = await runChild({ command: process.execPath, args: tsArgs('test/reliability/kit/build-child.ts', '2023-01'), env, timeoutMs: 60_000 });
 *     const server = await startServerChild({ env: { ARGO_GDAC: mirror.url, ARGO_INDEX_STORE: dir } });
 *     await fetch(`${server.url}/v1/months`); server.rssBytes(); await server.stop();
 *
 * The environment of a child is built from scratch (PATH, HOME, TMPDIR and what the test gives),
 * so nothing from the developer's shell leaks into a service under test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/** `node --import tsx <script> ...args`: runs a TypeScript file of the repo. */
export function tsArgs(script: string, ...args: string[]): string[] {
  return ['--import', 'tsx', resolve(REPO_ROOT, script), ...args];
}

export function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'npm_config_cache']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export interface RunChildOptions {
  command: string;
  args: string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Deadline; the group is killed (SIGKILL) after it. */
  timeoutMs: number;
}

/** Runs a child to its end (or its deadline) and collects its output. */
export function runChild(options: RunChildOptions): Promise<ChildResult> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: baseEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      // Bounded: a runaway child must not fill the test's memory.
      if (stdout.length < 4_000_000) stdout += s;
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      if (stderr.length < 4_000_000) stderr += s;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
}

/** The last line of a child's stdout that parses as JSON. */
export function lastJsonLine<T>(stdout: string): T | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      return JSON.parse(t) as T;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/** A free loopback port (bound, then released at once). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Resident set size of a process in bytes (Linux /proc), undefined when unreadable. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export interface ServerChild {
  url: string;
  pid: number;
  /** stderr so far (bounded), for failure messages. */
  output(): string;
  rssBytes(): number | undefined;
  /** Whether the process is still running. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartServerOptions {
  env: Record<string, string | undefined>;
  /** How long to wait for /healthz (default 60 s: tsx compiles on first start). */
  readyTimeoutMs?: number;
  /** Extra node flags (e.g. --max-old-space-size). */
  nodeFlags?: string[];
}

/** The real server (`src/main.ts`) in a child process on a free loopback port. */
export async function startServerChild(options: StartServerOptions): Promise<ServerChild> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), ...tsArgs('src/main.ts')], {
    cwd: REPO_ROOT,
    env: baseEnv({ LOG_LEVEL: 'warn', ...options.env, PORT: String(port), HOST: '127.0.0.1' }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (s: string): void => {
    output = (output + s).slice(-20_000);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server child exited before it was ready (${child.exitCode ?? child.signalCode}): ${output}`);
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      killGroup(child, 'SIGKILL');
      throw new Error(`server child not ready within ${options.readyTimeoutMs ?? 60_000} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    rssBytes: () => rssOf(child.pid!),
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop(graceMs = 12_000) {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

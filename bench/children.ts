/**
 * Child processes for the measures that need their own process (peak RSS of a build, a fresh
 * server for cold times, a load generator that does not share the server's CPU time slices).
 *
 *     const result = await runInChild<BuildInput, BuildOutput>({ file: 'bench/build.ts', input });
 *     // in bench/build.ts: serveChild(async (input) => { ...; return output; });
 *
 * Children run the transpiled JavaScript tree when `runChildrenFrom(dir)` was called (as
 * production runs compiled code; see compile.ts), otherwise the TypeScript through tsx. They talk
 * over the IPC channel and get extra node flags from `execArgv`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from './generate.js';

export interface ForkOptions {
  /** Path relative to the repo root, e.g. 'bench/server.ts'. */
  file: string;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  execArgv?: string[];
}

let compiledRoot: string | undefined;

/** Children run `<dir>/<file>.js` with plain node from now on (see compile.ts). */
export function runChildrenFrom(dir: string | undefined): void {
  compiledRoot = dir;
}

export function forkTs({ file, execArgv = [] }: ForkOptions): ChildProcess {
  const compiled = compiledRoot !== undefined;
  return fork(compiled ? join(compiledRoot!, file.replace(/\.ts$/, '.js')) : join(REPO_ROOT, file), [], {
    cwd: REPO_ROOT,
    // --no-warnings: the children's stderr is the bench's output; the app's deprecation warnings
    // (Fastify's FSTDEP…) show in its own logs and tests.
    execArgv: [...(compiled ? [] : ['--import', 'tsx']), '--no-warnings', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

type Reply<O> = { ok: true; result: O } | { ok: false; error: string };

/** Waits for the next message matching `accept`, or rejects when the child exits first. */
export function nextMessage<T>(child: ChildProcess, accept: (m: unknown) => m is T, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      if (!accept(m)) return;
      cleanup();
      resolve(m);
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`${what}: child exited (code ${code}, signal ${signal}) before answering`));
    };
    const cleanup = (): void => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

export function waitExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const isReply = (m: unknown): m is Reply<unknown> => typeof m === 'object' && m !== null && 'ok' in m;

/** Runs one job in a fresh child: sends `input`, resolves with its answer once it has exited. */
export async function runInChild<I, O>(options: ForkOptions & { input: I }): Promise<O> {
  const child = forkTs(options);
  const reply = nextMessage(child, isReply, options.file);
  child.send(options.input as object);
  const answer = (await reply) as Reply<O>;
  await waitExit(child);
  if (!answer.ok) throw new Error(`${options.file}: ${answer.error}`);
  return answer.result;
}

/**
 * In a child: answers one job, then exits (a `--cpu-prof` profile is written at exit). A handle
 * left open by the job (a keep-alive socket) must not keep the child alive: 5 s later it exits.
 */
export function serveChild<I, O>(handler: (input: I) => Promise<O>): void {
  const done = (reply: Reply<O>): void => {
    process.send?.(reply, () => {
      process.disconnect();
      setTimeout(() => process.exit(), 5000).unref();
    });
  };
  process.once('message', (input: I) => {
    handler(input).then(
      (result) => done({ ok: true, result }),
      (error: unknown) => {
        process.exitCode = 1;
        done({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      },
    );
  });
}

/** True in the module the process was started with (a forked child's entry file). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}

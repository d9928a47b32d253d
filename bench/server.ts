/**
 * The service as the benchmark runs it: its own process (fresh for cold times, measurable RSS),
 * built by the same `buildApp` as `src/main.ts`, configured from the variables the parent sends
 * (never this process's environment), listening on 127.0.0.1 and a free port.
 *
 *     const server = await startServer({ env: { ARGO_GDAC: mirror.url, ARGO_INDEX_STORE: dir } });
 *     await fetch(`${server.url}/v1/profiles?...`);
 *     const { rss } = await server.memory();
 *     await server.stop();
 */
import type { ChildProcess } from 'node:child_process';
import { buildApp } from '../src/http/app.js';
import { parseConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { createServices, type Services } from '../src/services.js';
import { createBlobStore } from '../src/storage/index.js';
import { forkTs, isMain, nextMessage, waitExit } from './children.js';
import { withStoreLatency, type StoreStats } from './store-latency.js';
import { startPhaseProfile, type PhaseProfiler } from './inspector-profile.js';

export interface ServerMemory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Peak RSS of the process so far (bytes). */
  maxRss: number;
}

type ToServer =
  | { type: 'start'; env: Record<string, string>; storeLatencyMs?: number }
  | { type: 'memory' }
  | { type: 'store-stats' }
  | { type: 'profile-start' }
  | { type: 'profile-stop'; path: string }
  | { type: 'stop' };
type FromServer =
  | { type: 'ready'; port: number }
  | ({ type: 'memory' } & ServerMemory)
  | ({ type: 'store-stats' } & StoreStats)
  | { type: 'profiled'; path: string }
  | { type: 'error'; error: string };

export interface BenchServer {
  url: string;
  pid: number;
  memory(): Promise<ServerMemory>;
  /** Index store operations and bytes read so far (zeros unless started with `storeLatencyMs`). */
  storeStats(): Promise<StoreStats>;
  /** Starts the CPU profiler in the server (see inspector-profile.ts). */
  startProfile(): Promise<void>;
  /** Stops it and writes the `.cpuprofile` to `path`. */
  stopProfile(path: string): Promise<void>;
  stop(): Promise<void>;
}

function isFromServer<T extends FromServer['type']>(type: T) {
  return (m: unknown): m is Extract<FromServer, { type: T }> | { type: 'error'; error: string } =>
    typeof m === 'object' && m !== null && ((m as { type?: string }).type === type || (m as { type?: string }).type === 'error');
}

/**
 * `storeLatencyMs`: serve the index store through `withStoreLatency` (a remote store's round trip,
 * and byte counts for `storeStats`); without it the store is the plain local directory.
 */
export async function startServer({ env, execArgv, storeLatencyMs }: { env: Record<string, string>; execArgv?: string[]; storeLatencyMs?: number }): Promise<BenchServer> {
  const ask = async <T extends FromServer['type']>(message: ToServer, answer: T, what: string) => {
    const reply = nextMessage(child, isFromServer(answer), what);
    child.send(message);
    const m: FromServer = await reply;
    if (m.type === 'error') throw new Error(`${what}: ${m.error}`);
    return m as Extract<FromServer, { type: T }>;
  };
  const child: ChildProcess = forkTs({ file: 'bench/server.ts', execArgv });
  const ready = nextMessage(child, isFromServer('ready'), 'bench server');
  child.send({ type: 'start', env, ...(storeLatencyMs !== undefined ? { storeLatencyMs } : {}) } satisfies ToServer);
  const first = await ready;
  if (first.type === 'error') {
    child.kill();
    throw new Error(`bench server failed to start: ${first.error}`);
  }
  return {
    url: `http://127.0.0.1:${first.port}`,
    pid: child.pid!,
    async memory() {
      const { type: _type, ...memory } = await ask({ type: 'memory' }, 'memory', 'bench server memory');
      return memory;
    },
    async storeStats() {
      const { type: _type, ...stats } = await ask({ type: 'store-stats' }, 'store-stats', 'bench server store stats');
      return stats;
    },
    async startProfile() {
      await ask({ type: 'profile-start' }, 'profiled', 'bench server profile');
    },
    async stopProfile(path) {
      await ask({ type: 'profile-stop', path }, 'profiled', 'bench server profile');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' } satisfies ToServer);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await waitExit(child);
      clearTimeout(timer);
    },
  };
}

async function serve(): Promise<void> {
  const send = (m: FromServer): void => {
    process.send?.(m);
  };
  process.on('message', async (m: ToServer) => {
    try {
      if (m.type === 'start') {
        const config = parseConfig({ LOG_LEVEL: 'error', ...m.env, HOST: '127.0.0.1', PORT: '0' });
        const logger = createLogger(config);
        let services: Services | undefined;
        if (m.storeLatencyMs !== undefined) {
          const store = withStoreLatency(
            createBlobStore({ location: config.store.location, s3: config.s3, timeoutMs: config.store.timeoutMs }),
            { latencyMs: m.storeLatencyMs },
          );
          storeStats = () => store.stats();
          services = createServices({ config, logger, overrides: { store } });
        }
        const app = await buildApp({ config, logger, ...(services ? { services } : {}) });
        await app.listen({ port: 0, host: '127.0.0.1' });
        const address = app.server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        // A container passed in is the caller's to close.
        stopApp = async () => {
          await app.close();
          await services?.close();
        };
        send({ type: 'ready', port });
      } else if (m.type === 'memory') {
        const u = process.memoryUsage();
        send({
          type: 'memory',
          rss: u.rss,
          heapUsed: u.heapUsed,
          heapTotal: u.heapTotal,
          external: u.external,
          arrayBuffers: u.arrayBuffers,
          maxRss: process.resourceUsage().maxRSS * 1024,
        });
      } else if (m.type === 'store-stats') {
        send({ type: 'store-stats', ...storeStats() });
      } else if (m.type === 'profile-start') {
        profiler = await startPhaseProfile();
        send({ type: 'profiled', path: '' });
      } else if (m.type === 'profile-stop') {
        await profiler?.stop(m.path);
        profiler = undefined;
        send({ type: 'profiled', path: m.path });
      } else if (m.type === 'stop') {
        // Exit even if a keep-alive socket lingers; a --cpu-prof profile is written at exit.
        setTimeout(() => process.exit(0), 5000).unref();
        await stopApp?.();
        process.exit(0);
      }
    } catch (error) {
      send({ type: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

let stopApp: (() => Promise<void>) | undefined;
let profiler: PhaseProfiler | undefined;
let storeStats = (): StoreStats => ({ requests: 0, bytes: 0, packBytes: 0 });

if (isMain(import.meta.url)) void serve();

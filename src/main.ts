/**
 * Server entry point: parse the config, check its local paths, build the app, listen, and shut
 * down cleanly on SIGTERM/SIGINT (finish in-flight requests, close the GDAC pool and the store).
 *
 * Every configuration mistake stops start-up with one message naming the variable and exit code
 * 2, never a stack trace: a bad value (src/config.ts), a local GDAC root that does not exist
 * (src/startup-checks.ts), a port in use or a HOST that is not an address of this machine (here).
 * A stack trace is printed only for what is not a configuration mistake: a defect.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './http/app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { checkLocalPaths } from './startup-checks.js';

// In-flight requests get this long to finish after SIGTERM before the process exits anyway.
const SHUTDOWN_GRACE_MS = 10_000;

export interface StartServiceOptions {
  /** Environment overrides on top of the process environment (tests). */
  env?: Record<string, string | undefined>;
  /** The logger (tests capture its lines); default: pino on stdout at LOG_LEVEL. */
  logger?: Logger;
}

export interface RunningService {
  app: FastifyInstance;
  config: Config;
  logger: Logger;
}

/** Why `listen` failed, as the configuration mistake it is (or undefined when it is not one). */
export function listenErrorAsConfigError(error: unknown, config: Pick<Config, 'port' | 'host'>): ConfigError | undefined {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const problem =
    code === 'EADDRINUSE'
      ? `PORT: port ${config.port} is in use; set PORT to a free port`
      : code === 'EACCES'
        ? `PORT: port ${config.port} needs privileges this process does not have; set PORT above 1023`
        : code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN'
          ? `HOST: ${JSON.stringify(config.host)} is not an address of this machine; set HOST (0.0.0.0 listens on every interface)`
          : undefined;
  return problem === undefined ? undefined : new ConfigError(`Invalid configuration:\n  ${problem}`);
}

/** Loads and checks the configuration, builds the app and listens. Throws ConfigError for mistakes. */
export async function startService(options: StartServiceOptions = {}): Promise<RunningService> {
  const config = loadConfig(options.env ?? {});
  checkLocalPaths(config);
  const logger = options.logger ?? createLogger(config);
  const app = await buildApp({ config, logger });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close();
    throw listenErrorAsConfigError(error, config) ?? error;
  }
  return { app, config, logger };
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  startService().then(
    ({ app, logger }) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down');
        setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
        app.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'error during shutdown');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}

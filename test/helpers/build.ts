/**
 * The `build(t)` helper: an app on a test config (silent logs, never the real environment),
 * closed in `t.after`. Pass `env` for config variables and `services` to inject a container
 * (e.g. one whose store and GDAC point at loopback servers).
 */
import type { TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import type { Config } from '../../src/config.js';
import { testConfig } from './config.js';
import { createLogger } from '../../src/logger.js';
import { type CreateServicesOptions, type Services, createServices } from '../../src/services.js';

export interface BuildOptions {
  env?: Record<string, string | undefined>;
  config?: Config;
  services?: Services;
  overrides?: CreateServicesOptions['overrides'];
  /** The app's clock (builds may name months up to the current one). */
  now?: () => Date;
}

export async function build(t: TestContext, options: BuildOptions = {}): Promise<FastifyInstance> {
  const config = options.config ?? testConfig(options.env);
  const logger = createLogger(config);
  const services = options.services ?? createServices({ config, logger, overrides: options.overrides });
  const app = await buildApp({ config, services, logger, ...(options.now ? { now: options.now } : {}) });
  t.after(async () => {
    await app.close();
    if (!options.services) await services.close();
  });
  await app.ready();
  return app;
}

/** Services alone (for service-level tests), closed in `t.after`. */
export function buildServices(t: TestContext, options: Omit<BuildOptions, 'services'> = {}): Services {
  const config = options.config ?? testConfig(options.env);
  const services = createServices({ config, logger: createLogger(config), overrides: options.overrides });
  t.after(() => services.close());
  return services;
}

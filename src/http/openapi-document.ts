/**
 * The OpenAPI document as generated from the routes' zod schemas, on the default configuration
 * (so the committed file does not depend on the machine's environment).
 */
import { buildApp } from './app.js';
import { testConfig } from './config.js';
import { createLogger } from './logger.js';
import { createServices } from './services.js';

export async function generateOpenapiDocument(): Promise<Record<string, unknown>> {
  // Local paths only: building the document must never touch a network or the real store.
  const config = testConfig({ ARGO_GDAC: '/nonexistent-gdac', ARGO_INDEX_STORE: '/nonexistent-store' });
  const logger = createLogger(config);
  const services = createServices({ config, logger });
  const app = await buildApp({ config, services, logger });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
    await services.close();
  }
}

/** Stable text: two-space JSON with a trailing newline, as committed in openapi/openapi.json. */
export function formatOpenapiDocument(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/**
 * The OpenAPI document as generated from the routes' zod schemas, on the default configuration
 * (so the committed file does not depend on the machine's environment). No service is built:
 * printing the document touches no store, GDAC or network.
 */
import { parseConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { buildApiDescription } from './app.js';

export async function generateOpenapiDocument(): Promise<Record<string, unknown>> {
  // The defaults alone, never the environment: the document describes the shipped configuration.
  const config = parseConfig({ LOG_LEVEL: 'silent' });
  const app = await buildApiDescription({ config, logger: createLogger(config) });
  try {
    await app.ready();
    return app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await app.close();
  }
}

/** Stable text: two-space JSON with a trailing newline, as committed in openapi/openapi.json. */
export function formatOpenapiDocument(document: Record<string, unknown>): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

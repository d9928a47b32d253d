/** A config for tests: the defaults plus the given variables, silent logs, never the real environment. */
import { type Config, parseConfig } from '../../src/config.js';

export function testConfig(env: Record<string, string | undefined> = {}): Config {
  return parseConfig({ LOG_LEVEL: 'silent', ...env });
}

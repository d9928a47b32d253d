/**
 * The service's version: package.json's, read once at start-up (imported as JSON, so the
 * compiled build carries the file beside it and the number can never drift from the package).
 */
import packageJson from '../package.json' with { type: 'json' };

export const SERVICE_VERSION: string = packageJson.version;

/**
 * A builder process for the concurrency tests, for the case the real command cannot cover yet:
 * an S3 index store with AWS keys from the environment, which fails in every process configured
 * by `loadConfig` (the frozen-credentials bug, see harness.ts `s3Store`). It is the command line's
 * own code path otherwise: `loadConfig()` from this process's environment and `createServices`,
 * with only the store re-created from an unfrozen copy of the same settings.
 *
 *     node --import tsx test/reliability/kit/build-child.ts 2023-01,2023-02
 *
 * Prints one JSON line with the job; exits 0 (succeeded) or 3 (failed). Where the real command
 * works (a local store), the tests run `src/cli/build-index.ts` itself.
 */
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { createServices } from '../../../src/services.js';
import { createBlobStore } from '../../../src/storage/index.js';

async function main(): Promise<void> {
  const months = (process.argv[2] ?? '').split(',').filter(Boolean);
  const config = loadConfig();
  const logger = createLogger(config);
  const s3 = config.s3.credentials ? { ...config.s3, credentials: { ...config.s3.credentials } } : { ...config.s3 };
  const store = createBlobStore({ location: config.store.location, s3 });
  const services = createServices({ config, logger, overrides: { store } });
  const started = Date.now();
  try {
    const submitted = services.builds.submit({ months });
    const job = await services.builds.wait(submitted.id);
    process.stdout.write(
      `${JSON.stringify({ pid: process.pid, ms: Date.now() - started, status: job.status, error: job.error, months: job.months, results: job.results, progress: job.progress })}\n`,
    );
    process.exitCode = job.status === 'succeeded' ? 0 : 3;
  } finally {
    await services.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`build-child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});

/**
 * An s3rver that can be stopped and started again on the same port and directory: the index
 * store becoming unreachable for a while, for real (connection refused), then coming back with
 * its objects intact. `test/kit/s3-server.ts` cannot do this (port 0 each time, directory removed
 * on stop).
 *
 *     const s3 = await startRestartableS3({ buckets: ['argo-index'] });
 *     t.after(() => s3.dispose());
 *     await s3.stop();   // clients now get ECONNREFUSED
 *     await s3.start();  // same endpoint, same objects
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface RestartableS3 {
  readonly endpoint: string;
  readonly port: number;
  readonly config: {
    endpoint: string;
    forcePathStyle: true;
    region: 'us-east-1';
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** The environment a service process needs to use `s3://<bucket>/<prefix>` on this server. */
  env(location: string): Record<string, string>;
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  putObject(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  /** Stops (if running) and removes the directory. */
  dispose(): Promise<void>;
}

export async function startRestartableS3(options: { buckets: string[] }): Promise<RestartableS3> {
  const directory = await mkdtemp(join(tmpdir(), 'rel-s3rver-'));
  let port = 0;
  let server: S3rver | undefined;

  async function start(): Promise<void> {
    if (server) return;
    // Binding the port again right after close can race the kernel for a moment: a few tries.
    let lastError: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = new S3rver({
        address: '127.0.0.1',
        port,
        silent: true,
        directory,
        configureBuckets: options.buckets.map((name) => ({ name })),
      });
      try {
        const address = await candidate.run();
        port = address.port;
        server = candidate;
        return;
      } catch (error) {
        lastError = error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw lastError;
  }

  async function stop(): Promise<void> {
    const s = server;
    if (!s) return;
    server = undefined;
    s.logger.silent = true;
    await s.close().catch(() => undefined);
  }

  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const config = {
    endpoint,
    forcePathStyle: true as const,
    region: 'us-east-1' as const,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  let client: S3Client | undefined;

  return {
    endpoint,
    port,
    config,
    env: (location) => ({
      ARGO_INDEX_STORE: location,
      ARGO_S3_ENDPOINT: endpoint,
      ARGO_S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    }),
    get running() {
      return server !== undefined;
    },
    stop,
    start,
    async putObject(bucket, key, body) {
      client ??= new S3Client({ ...config, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async dispose() {
      client?.destroy();
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

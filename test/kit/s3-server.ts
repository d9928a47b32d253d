/**
 * A local S3 endpoint for tests: `s3rver` on 127.0.0.1, port 0, storing in a temp directory that
 * `stop()` removes, logging nothing.
 *
 *     import { startS3Server } from '../kit/s3-server.js';
 *
 *     const s3 = await startS3Server({ buckets: ['argo-index', 'argo-gdac'] });
 *     t.after(() => s3.stop());
 *     const store = createBlobStore({ location: 's3://argo-index/v1', s3: s3.config, conditionalWrites: false });
 *     await s3.uploadDirectory({ bucket: 'argo-gdac', prefix: 'pub', dir: sampleDir });
 *
 * - `endpoint`: 'http://127.0.0.1:PORT'.
 * - `config`: the shape of the config's `s3` section (src/config.ts), ready for
 *   `createBlobStore({ s3 })` / `createGdacSource({ s3 })`: path-style, us-east-1, the S3RVER keys.
 * - `client()`: an S3Client on that endpoint (created once, destroyed by `stop()`).
 * - `uploadDirectory({ bucket, prefix, dir })`: uploads every file under `dir` to
 *   `prefix/<relative path>`; resolves with the number of files.
 * - `putObject(bucket, key, body)`: one object.
 *
 * Known s3rver limits: it ignores If-Match / If-None-Match on PutObject (use
 * `conditionalWrites: false` for stores on it) and it accepts unsigned requests.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import S3rver from 's3rver';

export interface S3TestConfig {
  endpoint: string;
  forcePathStyle: true;
  region: 'us-east-1';
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface S3TestServer {
  readonly endpoint: string;
  readonly config: S3TestConfig;
  client(): S3Client;
  uploadDirectory(options: { bucket: string; prefix?: string; dir: string }): Promise<number>;
  putObject(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  stop(): Promise<void>;
}

export async function startS3Server(options: { buckets: string[] }): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const config: S3TestConfig = {
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  let client: S3Client | undefined;
  const getClient = (): S3Client =>
    (client ??= new S3Client({
      ...config,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }));

  const putObject = async (bucket: string, key: string, body: Uint8Array | string): Promise<void> => {
    await getClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  };

  return {
    endpoint,
    config,
    client: getClient,
    putObject,
    async uploadDirectory({ bucket, prefix = '', dir }) {
      const base = prefix.replace(/^\/+|\/+$/g, '');
      let count = 0;
      for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
        if (!entry.isFile()) continue;
        const full = join(entry.parentPath, entry.name);
        const rel = relative(dir, full).split(sep).join('/');
        await putObject(bucket, base ? `${base}/${rel}` : rel, await readFile(full));
        count++;
      }
      return count;
    },
    async stop() {
      client?.destroy();
      // A request still finishing after close would log to a closed transport (winston warns).
      server.logger.silent = true;
      await server.close().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

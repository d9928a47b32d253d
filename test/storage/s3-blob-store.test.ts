/**
 * The S3 store against s3rver on loopback (test/kit/s3-server.ts): get-missing → undefined,
 * put/get/list/delete, ping, the best-effort precondition check when the backend ignores
 * conditional headers (s3rver does), and, against a tiny S3-speaking server on loopback that
 * enforces them like AWS, the mapping of 412 / 409 to PreconditionFailedError.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { PreconditionFailedError, StoreError, StoreTimeoutError, isAbortError, statusOf } from '../../src/errors.js';
import { createBlobStore, type BlobStore } from '../../src/storage/index.js';
import { startS3Server, type S3TestServer } from '../kit/s3-server.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function s3(t: TestContext): Promise<S3TestServer> {
  const server = await startS3Server({ buckets: ['argo-index'] });
  t.after(() => server.stop());
  return server;
}

function store(t: TestContext, server: S3TestServer, location = 's3://argo-index/v1', conditionalWrites?: boolean): BlobStore {
  const s = createBlobStore({ location, s3: server.config, ...(conditionalWrites === undefined ? {} : { conditionalWrites }) });
  t.after(() => s.close?.());
  return s;
}

test('get of a missing key is undefined; put, get, list, delete, ping', async (t) => {
  const server = await s3(t);
  const s = store(t, server);
  assert.equal(await s.get('master_index.json'), undefined);
  await s.ping();

  const bytes = randomBytes(70_000);
  const put = await s.put('months/2023/2023-04.abc.json.zst', bytes, { contentType: 'application/zstd' });
  await s.put('months/2023/2023-05.def.json.zst', enc('may'));
  await s.put('months/2022/2022-12.xyz.json.zst', enc('dec'));
  await s.put('master_index.json', enc('{"months":[]}'));

  const got = await s.get('months/2023/2023-04.abc.json.zst');
  assert.ok(got);
  assert.deepEqual(Buffer.from(got.body), bytes);
  assert.equal(got.etag, put.etag);
  assert.ok(got.lastModified instanceof Date);

  assert.deepEqual((await s.list('months/')).map((o) => [o.key, o.size]), [
    ['months/2022/2022-12.xyz.json.zst', 3],
    ['months/2023/2023-04.abc.json.zst', 70_000],
    ['months/2023/2023-05.def.json.zst', 3],
  ]);
  assert.deepEqual((await s.list('')).map((o) => o.key), [
    'master_index.json',
    'months/2022/2022-12.xyz.json.zst',
    'months/2023/2023-04.abc.json.zst',
    'months/2023/2023-05.def.json.zst',
  ]);
  assert.deepEqual(await s.list('nothing/'), []);

  await s.delete('months/2023/2023-04.abc.json.zst');
  await s.delete('months/2023/2023-04.abc.json.zst');
  assert.equal(await s.get('months/2023/2023-04.abc.json.zst'), undefined);
  assert.equal((await s.list('months/2023/')).length, 1);

  // The prefix isolates stores sharing a bucket.
  const other = store(t, server, 's3://argo-index/v2');
  assert.deepEqual(await other.list(''), []);
  assert.equal(await other.get('master_index.json'), undefined);
  assert.match(s.description, /^s3:\/\/argo-index\/v1 at 127\.0\.0\.1:\d+$/);
});

test('s3rver ignores conditional headers: conditionalWrites false tells the truth and checks best-effort', async (t) => {
  const server = await s3(t);
  const s = store(t, server, 's3://argo-index/v1', false);
  assert.equal(s.supportsConditionalWrites, false);
  const first = await s.put('master_index.json', enc('v1'), { ifNoneMatch: '*' });
  await assert.rejects(s.put('master_index.json', enc('again'), { ifNoneMatch: '*' }), PreconditionFailedError);
  const second = await s.put('master_index.json', enc('v2'), { ifMatch: first.etag });
  await assert.rejects(s.put('master_index.json', enc('stale'), { ifMatch: first.etag }), PreconditionFailedError);
  assert.equal(dec((await s.get('master_index.json'))!.body), 'v2');
  assert.equal((await s.get('master_index.json'))!.etag, second.etag);

  // The default claims enforcement (true on AWS): the headers are sent, s3rver ignores them.
  const trusting = store(t, server);
  assert.equal(trusting.supportsConditionalWrites, true);
  await trusting.put('master_index.json', enc('v3'), { ifMatch: '"not-the-etag"' });
});

test('ping and get on a missing bucket or a dead endpoint are StoreErrors', async (t) => {
  const server = await s3(t);
  await assert.rejects(store(t, server, 's3://no-such-bucket/x').ping(), StoreError);
  await assert.rejects(store(t, server, 's3://no-such-bucket/x').get('a.json'), StoreError);

  const dead = await startS3Server({ buckets: ['argo-index'] });
  const config = dead.config;
  await dead.stop();
  const s = createBlobStore({ location: 's3://argo-index/v1', s3: config });
  t.after(() => s.close?.());
  await assert.rejects(s.get('master_index.json'), (error: unknown) => {
    assert.ok(error instanceof StoreError);
    assert.ok(error.cause);
    return true;
  });
});

/**
 * A minimal S3 endpoint that enforces If-Match / If-None-Match on PUT the way AWS does:
 * 412 PreconditionFailed, or 409 ConditionalRequestConflict when `conflict` is set.
 */
async function enforcingS3(t: TestContext, options: { conflict?: boolean } = {}): Promise<string> {
  const objects = new Map<string, { body: Buffer; etag: string }>();
  let version = 0;
  const xmlError = (code: string, message: string): string =>
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
  const read = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const server = createServer(async (req, res) => {
    const key = (req.url ?? '').split('?')[0];
    const body = await read(req);
    if (req.method === 'PUT') {
      const current = objects.get(key);
      const ifMatch = req.headers['if-match'];
      const ifNoneMatch = req.headers['if-none-match'];
      if (ifMatch !== undefined && current === undefined) {
        res.writeHead(404, { 'content-type': 'application/xml' }).end(xmlError('NoSuchKey', 'missing'));
        return;
      }
      if ((ifNoneMatch === '*' && current) || (ifMatch !== undefined && current?.etag !== ifMatch)) {
        const [status, code] = options.conflict ? [409, 'ConditionalRequestConflict'] : [412, 'PreconditionFailed'];
        res.writeHead(status, { 'content-type': 'application/xml' }).end(xmlError(code, 'condition failed'));
        return;
      }
      const etag = `"v${++version}"`;
      objects.set(key, { body, etag });
      res.writeHead(200, { etag }).end();
      return;
    }
    res.writeHead(501, { 'content-type': 'application/xml' }).end(xmlError('NotImplemented', 'test server'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

for (const conflict of [false, true]) {
  test(`an enforcing backend's ${conflict ? '409 ConditionalRequestConflict' : '412 PreconditionFailed'} → PreconditionFailedError`, async (t) => {
    const endpoint = await enforcingS3(t, { conflict });
    const s = createBlobStore({
      location: 's3://bucket/prefix',
      s3: { endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'k', secretAccessKey: 's' } },
    });
    t.after(() => s.close?.());
    const first = await s.put('master_index.json', enc('v1'), { ifNoneMatch: '*' });
    assert.equal(first.etag, '"v1"');
    await assert.rejects(s.put('master_index.json', enc('x'), { ifNoneMatch: '*' }), PreconditionFailedError);
    await assert.rejects(s.put('master_index.json', enc('x'), { ifMatch: '"v0"' }), PreconditionFailedError);
    await assert.rejects(s.put('other.json', enc('x'), { ifMatch: '"v1"' }), PreconditionFailedError);
    assert.deepEqual(await s.put('master_index.json', enc('v2'), { ifMatch: first.etag }), { etag: '"v2"' });
  });
}

/** A TCP server on loopback that accepts connections and never answers: a stalled S3 endpoint. */
async function blackHole(t: TestContext): Promise<string> {
  const sockets = new Set<import('node:net').Socket>();
  const server = (await import('node:net')).createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((done) => server.close(() => done()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('a stalled endpoint (accepts, never answers): every operation fails with a StoreTimeoutError at its deadline', async (t) => {
  const endpoint = await blackHole(t);
  const s = createBlobStore({
    location: 's3://argo-index/v1',
    s3: { endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'K', secretAccessKey: 'S' } },
    timeoutMs: 300,
  });
  t.after(() => s.close?.());
  const operations: [string, () => Promise<unknown>][] = [
    ['get', () => s.get('master_index.json')],
    ['list', () => s.list('months/')],
    ['ping', () => s.ping()],
    ['put', () => s.put('months/2023/2023-04.a.json.zst', enc('x'))],
    ['delete', () => s.delete('months/2023/2023-04.a.json.zst')],
  ];
  for (const [name, run] of operations) {
    const started = Date.now();
    // Before: requestTimeout only logged a warning and the request waited forever.
    const outcome = await Promise.race([
      run().then(
        () => 'resolved',
        (error: unknown) => error,
      ),
      new Promise((r) => setTimeout(() => r('hung'), 5_000).unref()),
    ]);
    const ms = Date.now() - started;
    assert.ok(outcome instanceof StoreTimeoutError, `${name}: ${String(outcome)}`);
    assert.equal(statusOf(outcome), 503);
    assert.equal(isAbortError(outcome), false, `${name}: a timeout, not a client abort`);
    assert.match(outcome.message, new RegExp(`^index store ${name} did not answer within 300 ms$`));
    assert.ok(ms < 3_000, `${name}: ${ms} ms`);
  }
  // The caller's own abort is still an abort.
  const controller = new AbortController();
  const pending = s.get('master_index.json', { signal: controller.signal });
  controller.abort();
  await assert.rejects(pending, (error: unknown) => isAbortError(error));
});

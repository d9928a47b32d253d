import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, DEFAULT_GDAC_MIRRORS, parseConfig } from '../src/config.js';

test('defaults match API.md', () => {
  const config = parseConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.host, '0.0.0.0');
  assert.deepEqual(config.gdac.roots, [...DEFAULT_GDAC_MIRRORS]);
  assert.equal(config.gdac.index, undefined);
  assert.equal(config.store.location, './data/argo_index');
  assert.equal(config.s3.endpoint, undefined);
  assert.equal(config.s3.forcePathStyle, false);
  assert.equal(config.adminToken, undefined);
  assert.equal(config.gdac.downloadWorkers, 8);
  assert.equal(config.gdac.maxRetries, 4);
  assert.equal(config.gdac.retryBackoffMs, 800);
  assert.equal(config.s3.credentials, undefined);
});

test('values are parsed and typed', () => {
  const config = parseConfig({
    PORT: '9090',
    ARGO_GDAC: 'http://a.example/argo/, http://b.example/argo',
    ARGO_INDEX_STORE: 's3://bucket/prefix',
    ARGO_S3_ENDPOINT: 'http://127.0.0.1:9000',
    ARGO_ADMIN_TOKEN: ' secret ',
    ARGO_DOWNLOAD_WORKERS: '3',
    ARGO_MAX_FETCH_RETRIES: '0',
    ARGO_RETRY_BACKOFF_SECONDS: '0.05',
    ARGO_MONTH_CACHE_MB: '2',
    AWS_ACCESS_KEY_ID: 'k',
    AWS_SECRET_ACCESS_KEY: 's',
  });
  assert.equal(config.port, 9090);
  assert.deepEqual(config.gdac.roots, ['http://a.example/argo', 'http://b.example/argo']);
  assert.equal(config.s3.forcePathStyle, true, 'a custom endpoint defaults to path-style');
  assert.equal(config.adminToken, 'secret');
  assert.equal(config.gdac.downloadWorkers, 3);
  assert.equal(config.gdac.maxRetries, 0);
  assert.equal(config.gdac.retryBackoffMs, 50);
  assert.equal(config.cache.monthBytes, 2 * 1024 * 1024);
  assert.deepEqual(config.s3.credentials, { accessKeyId: 'k', secretAccessKey: 's' });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.gdac), 'the config is frozen');
});

test('an empty admin token means no token (admin refused)', () => {
  assert.equal(parseConfig({ ARGO_ADMIN_TOKEN: '' }).adminToken, undefined);
  assert.equal(parseConfig({ ARGO_ADMIN_TOKEN: '   ' }).adminToken, undefined);
});

const bad: Array<[Record<string, string>, string]> = [
  [{ PORT: 'eighty' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ ARGO_DOWNLOAD_WORKERS: '0' }, 'ARGO_DOWNLOAD_WORKERS'],
  [{ ARGO_DOWNLOAD_WORKERS: '2.5' }, 'ARGO_DOWNLOAD_WORKERS'],
  [{ ARGO_MAX_FETCH_RETRIES: '-1' }, 'ARGO_MAX_FETCH_RETRIES'],
  [{ ARGO_RETRY_BACKOFF_SECONDS: 'soon' }, 'ARGO_RETRY_BACKOFF_SECONDS'],
  [{ ARGO_S3_ENDPOINT: 'not a url' }, 'ARGO_S3_ENDPOINT'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ ARGO_GDAC: 'http://a, /local/dir' }, 'ARGO_GDAC'],
  [{ ARGO_DEFAULT_MAX_PROFILES: '500', ARGO_MAX_PROFILES_LIMIT: '100' }, 'ARGO_DEFAULT_MAX_PROFILES'],
  [{ AWS_ACCESS_KEY_ID: 'only-the-key' }, 'AWS_SECRET_ACCESS_KEY'],
  [{ ARGO_GDAC_S3_ENDPOINT: 'minio:9000' }, 'ARGO_GDAC_S3_ENDPOINT'],
  [{ ARGO_GDAC_S3_ANONYMOUS: 'maybe' }, 'ARGO_GDAC_S3_ANONYMOUS'],
  [{ ARGO_GDAC: 's3://argo-gdac-sandbox/pub', ARGO_GDAC_INDEX: 's3://other-bucket/idx/ar_index_global_prof.txt.gz' }, 'ARGO_GDAC_INDEX'],
  [{ ARGO_INDEX_STORE: 's3://' }, 'ARGO_INDEX_STORE'],
  [{ ARGO_INDEX_STORE: 's3:///prefix' }, 'ARGO_INDEX_STORE'],
  [{ ARGO_INDEX_STORE: 's3://My_Bucket/x' }, 'ARGO_INDEX_STORE'],
  [{ ARGO_GDAC: 's3://' }, 'ARGO_GDAC'],
  [{ ARGO_RATE_LIMIT: '-1' }, 'ARGO_RATE_LIMIT'],
  [{ ARGO_RATE_LIMIT: '1.5' }, 'ARGO_RATE_LIMIT'],
  [{ ARGO_MAX_REQUEST_COST: 'lots' }, 'ARGO_MAX_REQUEST_COST'],
  [{ ARGO_TRUST_PROXY: '1' }, 'ARGO_TRUST_PROXY'],
  [{ ARGO_TRUST_PROXY: '10.0.0.0/33' }, 'ARGO_TRUST_PROXY'],
  [{ ARGO_TRUST_PROXY: 'yes' }, 'ARGO_TRUST_PROXY'],
];

for (const [env, name] of bad) {
  test(`a bad ${name} fails with a message naming it`, () => {
    assert.throws(
      () => parseConfig(env),
      (error: unknown) => error instanceof ConfigError && error.message.includes(name),
    );
  });
}

test('fair use: rate limiting off, no keys, no trusted proxy, a 10 M-value ceiling by default', () => {
  const config = parseConfig({});
  assert.deepEqual(config.fairUse, { rateLimit: 0, apiKeys: [], maxRequestCost: 10_000_000 });
  assert.equal(config.trustProxy, false);
});

test('fair use: limits, API keys with their own limits, and trusted proxies are parsed', () => {
  const config = parseConfig({
    ARGO_RATE_LIMIT: '60',
    ARGO_API_KEYS: ' key1:600, k3y-2_with.dots~:6000 ,dashboards:0,',
    ARGO_MAX_REQUEST_COST: '0',
    ARGO_TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,fd00::/8, loopback',
  });
  assert.deepEqual(config.fairUse, {
    rateLimit: 60,
    apiKeys: [
      { key: 'key1', perMinute: 600 },
      { key: 'k3y-2_with.dots~', perMinute: 6000 },
      { key: 'dashboards', perMinute: 0 },
    ],
    maxRequestCost: 0,
  });
  assert.deepEqual(config.trustProxy, ['10.0.0.0/8', '192.168.1.7', 'fd00::/8', 'loopback']);
  assert.equal(parseConfig({ ARGO_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(parseConfig({ ARGO_TRUST_PROXY: 'false' }).trustProxy, false);
  assert.ok(Object.isFrozen(config.fairUse.apiKeys[0]));
});

test('a bad ARGO_API_KEYS names the entry and its fault, never the key', () => {
  const cases: [string, RegExp][] = [
    ['good-key:10,secret-without-limit', /entry 2 has no limit: write key:requests_per_minute/],
    ['secret-one:ten', /entry 1: the limit is a whole number of requests per minute/],
    ['secret-one:-5', /entry 1: the limit is a whole number/],
    ['secret one:5', /entry 1: a key is 1 to 256 visible ASCII characters/],
    [':5', /entry 1: a key is 1 to 256/],
    ['secret-one:5,secret-one:7', /entry 2 repeats an earlier key/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => parseConfig({ ARGO_API_KEYS: value }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('ARGO_API_KEYS') &&
        message.test(error.message) &&
        !error.message.includes('secret'),
      value,
    );
  }
});

test('CONFIG_VARIABLES lists the API.md names', () => {
  for (const name of [
    'PORT',
    'HOST',
    'ARGO_GDAC',
    'ARGO_GDAC_INDEX',
    'ARGO_INDEX_STORE',
    'ARGO_S3_ENDPOINT',
    'ARGO_ADMIN_TOKEN',
    'ARGO_DOWNLOAD_WORKERS',
    'ARGO_MAX_FETCH_RETRIES',
    'ARGO_RETRY_BACKOFF_SECONDS',
    // v1.1
    'ARGO_GDAC_S3_ENDPOINT',
    'ARGO_GDAC_S3_REGION',
    'ARGO_RATE_LIMIT',
  ]) {
    assert.ok(CONFIG_VARIABLES.includes(name), name);
  }
});

test('ARGO_STORE_TIMEOUT_SECONDS: the index store deadline, 10 s by default, bounded', () => {
  assert.equal(parseConfig({}).store.timeoutMs, 10_000);
  assert.equal(parseConfig({ ARGO_STORE_TIMEOUT_SECONDS: '2.5' }).store.timeoutMs, 2_500);
  for (const bad of ['0', '-1', 'soon', '601']) {
    assert.throws(() => parseConfig({ ARGO_STORE_TIMEOUT_SECONDS: bad }), (error: unknown) => error instanceof ConfigError && /ARGO_STORE_TIMEOUT_SECONDS/.test(error.message));
  }
});

test('ARGO_QUERY_TIMEOUT_SECONDS and ARGO_SEND_TIMEOUT_SECONDS: 300 s and 60 s by default, bounded', () => {
  const defaults = parseConfig({});
  assert.equal(defaults.limits.queryTimeoutMs, 300_000);
  assert.equal(defaults.limits.sendTimeoutMs, 60_000);
  const set = parseConfig({ ARGO_QUERY_TIMEOUT_SECONDS: '45', ARGO_SEND_TIMEOUT_SECONDS: '2.5' });
  assert.equal(set.limits.queryTimeoutMs, 45_000);
  assert.equal(set.limits.sendTimeoutMs, 2_500);
  for (const name of ['ARGO_QUERY_TIMEOUT_SECONDS', 'ARGO_SEND_TIMEOUT_SECONDS']) {
    for (const bad of ['0', '-1', 'soon', '86401']) {
      assert.throws(() => parseConfig({ [name]: bad }), (error: unknown) => error instanceof ConfigError && error.message.includes(name), `${name}=${bad}`);
    }
  }
});

test('an s3:// GDAC has its own S3 settings, apart from the index store\'s', () => {
  // The public S3 GDAC beside a MinIO index store: the store's endpoint and keys stay the store's.
  const split = parseConfig({
    ARGO_GDAC: 's3://argo-gdac-sandbox/pub',
    ARGO_INDEX_STORE: 's3://argo-index/v1',
    ARGO_S3_ENDPOINT: 'http://minio:9000',
    AWS_ACCESS_KEY_ID: 'minio-key',
    AWS_SECRET_ACCESS_KEY: 'minio-secret',
  });
  assert.deepEqual(split.gdac.s3, {
    endpoint: undefined,
    forcePathStyle: false,
    region: 'eu-west-3',
    anonymous: true,
    credentials: { accessKeyId: 'minio-key', secretAccessKey: 'minio-secret' },
  });
  assert.equal(split.s3.endpoint, 'http://minio:9000');
  assert.equal(split.s3.region, 'us-east-1');

  // An S3-compatible GDAC (a MinIO copy), signed with the AWS keys.
  const own = parseConfig({
    ARGO_GDAC: 's3://gdac-copy/pub',
    ARGO_GDAC_S3_ENDPOINT: 'http://gdac-minio:9000',
    ARGO_GDAC_S3_ANONYMOUS: 'false',
  });
  assert.equal(own.gdac.s3.endpoint, 'http://gdac-minio:9000');
  assert.equal(own.gdac.s3.forcePathStyle, true, 'a custom endpoint is path-style');
  assert.equal(own.gdac.s3.region, 'us-east-1', 'what S3-compatible servers assume');
  assert.equal(own.gdac.s3.anonymous, false);
  assert.equal(own.s3.endpoint, undefined, 'the store keeps its own (AWS) endpoint');
  assert.equal(parseConfig({ ARGO_GDAC_S3_REGION: 'us-west-2' }).gdac.s3.region, 'us-west-2');
});

test('ARGO_GDAC_INDEX: relative, absolute, or an s3:// location under the s3:// GDAC root', () => {
  assert.equal(parseConfig({ ARGO_GDAC_INDEX: 'idx/ar_index_global_prof.txt' }).gdac.index, 'idx/ar_index_global_prof.txt');
  assert.equal(parseConfig({ ARGO_GDAC_INDEX: 'https://x.example/ar_index_global_prof.txt' }).gdac.index, 'https://x.example/ar_index_global_prof.txt');
  const s3 = parseConfig({ ARGO_GDAC: 's3://argo-gdac-sandbox/pub/', ARGO_GDAC_INDEX: 's3://argo-gdac-sandbox/pub/idx/ar_index_global_prof.txt.gz' });
  assert.equal(s3.gdac.index, 'idx/ar_index_global_prof.txt.gz', 'read through the GDAC source, as a relative path');
});

test('an s3:// location without a bucket is named, with the reason', () => {
  assert.throws(
    () => parseConfig({ ARGO_INDEX_STORE: 's3://' }),
    (error: unknown) => error instanceof ConfigError && /ARGO_INDEX_STORE: not an s3:\/\/bucket\[\/prefix\] location: the bucket name is missing \(got "s3:\/\/"\)/.test(error.message),
  );
  assert.equal(parseConfig({ ARGO_INDEX_STORE: 's3://argo-index' }).store.location, 's3://argo-index');
  assert.equal(parseConfig({ ARGO_INDEX_STORE: 's3://argo.index-2/a/b' }).store.location, 's3://argo.index-2/a/b');
});

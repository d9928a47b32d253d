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
];

for (const [env, name] of bad) {
  test(`a bad ${name} fails with a message naming it`, () => {
    assert.throws(
      () => parseConfig(env),
      (error: unknown) => error instanceof ConfigError && error.message.includes(name),
    );
  });
}

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

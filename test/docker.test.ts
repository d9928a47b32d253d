/**
 * No Docker engine runs here, so check what can be checked: the compose file parses, its service
 * is configured only with variables the config schema knows, and the Dockerfile keeps its promises
 * (multi-stage, production dependencies, non-root, health check). `.ci/run` also validates the
 * compose file with `docker-compose config` when that tool is installed.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../src/config.js';

const root = new URL('../', import.meta.url);

test('docker-compose.yml: MinIO, its bucket, and the service configured for it', async () => {
  const compose = parse(await readFile(new URL('docker-compose.yml', root), 'utf8'));
  assert.ok(compose.services.minio, 'a minio service');
  assert.ok(compose.services['minio-init'], 'a job that creates the bucket');
  assert.match(compose.services['minio-init'].entrypoint.join(' '), /mc mb --ignore-existing local\/argo-index/);
  const argo = compose.services.argo;
  const env: Record<string, string> = argo.environment;
  for (const name of Object.keys(env)) {
    assert.ok(CONFIG_VARIABLES.includes(name), `${name} is a configuration variable the service reads`);
  }
  assert.match(env.ARGO_INDEX_STORE, /^s3:\/\/argo-index\//);
  assert.equal(env.ARGO_S3_ENDPOINT, 'http://minio:9000');
  assert.equal(argo.depends_on['minio-init'].condition, 'service_completed_successfully');
});

test('docker-compose.yml comments every setting of the service', async () => {
  const text = await readFile(new URL('docker-compose.yml', root), 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^ {2}argo:/.test(l));
  const envStart = lines.findIndex((l, i) => i > start && /^ {4}environment:/.test(l));
  for (let i = envStart + 1; i < lines.length && /^ {6}\S/.test(lines[i]); i++) {
    if (lines[i].trimStart().startsWith('#')) continue;
    let j = i - 1;
    while (j > envStart && /^ {6}[A-Z_0-9]+:/.test(lines[j])) j--;
    assert.ok(lines[j].trimStart().startsWith('#'), `setting on line ${i + 1} has a comment above its group`);
  }
});

test('Dockerfile: multi-stage, omit=dev runtime on a slim LTS image, non-root, health check', async () => {
  const text = await readFile(new URL('Dockerfile', root), 'utf8');
  assert.equal((text.match(/^FROM /gm) ?? []).length, 2, 'two stages');
  assert.match(text, /ARG NODE_IMAGE=node:24-[a-z]+-slim/);
  assert.match(text, /npm ci --omit=dev/);
  assert.match(text, /^USER node$/m);
  assert.match(text, /^HEALTHCHECK .*\n.*\/healthz/m);
  assert.match(text, /CMD \["node", "dist\/src\/main.js"\]/);
});

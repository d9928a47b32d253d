/**
 * `format=geojson`: the body validates as RFC 7946 with an independent checker
 * (@placemarkio/check-geojson), each feature is a Point at [longitude, latitude] whose properties
 * are the profile object, members follow the features, and a failure keeps the document valid.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { check } from '@placemarkio/check-geojson';
import { AbortedError, UpstreamError } from '../../src/errors.js';
import type { OutputProfile } from '../../src/query/types.js';
import { GEOJSON_MEDIA_TYPE, geojsonChunks } from '../../src/serialize/geojson.js';
import { loadReference } from '../kit/reference.js';
import { skipWithoutShared } from '../kit/shared-sample.js';
import { edgeProfiles, referenceProfiles, source } from './table-kit.js';

async function text(parts: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const part of parts) out += part;
  return out;
}

interface Collection {
  type: string;
  features: { type: string; id: string; geometry: { type: string; coordinates: number[] }; properties: OutputProfile }[];
  [member: string]: unknown;
}

/** Validates as RFC 7946 and checks what the checker leaves out: ranges, and one Point per profile. */
function validated(body: string, profiles: readonly OutputProfile[]): Collection {
  check(body);
  const collection = JSON.parse(body) as Collection;
  assert.equal(collection.type, 'FeatureCollection');
  assert.equal(collection.features.length, profiles.length);
  collection.features.forEach((feature, i) => {
    const [lon, lat] = feature.geometry.coordinates;
    assert.equal(feature.type, 'Feature');
    assert.equal(feature.geometry.type, 'Point');
    assert.equal(feature.geometry.coordinates.length, 2);
    assert.ok(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90, `feature ${i}: [${lon}, ${lat}] out of range`);
    assert.deepEqual([lon, lat], [profiles[i].longitude, profiles[i].latitude], `feature ${i}: [lon, lat]`);
    assert.equal(feature.id, profiles[i].id);
    assert.deepEqual(feature.properties, JSON.parse(JSON.stringify(profiles[i])), `feature ${i}: properties are the profile`);
  });
  return collection;
}

describe('GeoJSON FeatureCollection', () => {
  test('the media type', () => {
    assert.equal(GEOJSON_MEDIA_TYPE, 'application/geo+json');
  });

  test('edge profiles (no level, nulls, ±180, near the poles) validate; members follow the features', async () => {
    const profiles = [...edgeProfiles('native'), ...edgeProfiles('depth')];
    const body = await text(
      geojsonChunks(source(profiles).iterable, { members: () => ({ matched: 9, truncated: true, months_missing: ['2023-05'], next: '/v1/profiles?cursor=abc', skipped: undefined }) }),
    );
    const collection = validated(body, profiles);
    assert.deepEqual(
      { matched: collection.matched, truncated: collection.truncated, months_missing: collection.months_missing, next: collection.next },
      { matched: 9, truncated: true, months_missing: ['2023-05'], next: '/v1/profiles?cursor=abc' },
    );
    assert.equal('skipped' in collection, false);
    assert.ok(body.endsWith('}\n'));
  });

  test('the reference profiles validate, each a Point at its position with its levels', async (t) => {
    const dir = skipWithoutShared(t);
    if (!dir) return;
    const reference = loadReference(dir);
    for (const shape of ['native', 'depth'] as const) {
      const profiles = referenceProfiles(reference, shape);
      assert.ok(profiles.length > 20, `${profiles.length} profiles`);
      validated(await text(geojsonChunks(source(profiles).iterable)), profiles);
    }
  });

  test('an empty result is an empty, valid collection', async () => {
    const collection = validated(await text(geojsonChunks(source([]).iterable, { members: () => ({ matched: 0 }) })), []);
    assert.equal(collection.matched, 0);
  });

  test('the cached JSON text of a profile is used as its properties', async () => {
    const [profile] = edgeProfiles('depth');
    const body = await text(geojsonChunks(source([profile]).iterable, { jsonOf: (p) => JSON.stringify({ ...p, cached: true }) }));
    assert.equal((JSON.parse(body) as Collection).features[0].properties.id, profile.id);
    assert.match(body, /"cached":true/);
  });

  test('a failure mid-stream ends the document with an error member and it stays valid', async () => {
    const profiles = edgeProfiles('depth');
    const { iterable } = source(profiles, { failAfter: 2, error: new UpstreamError({ message: 'GDAC said 500 for x.nc' }) });
    const reported: unknown[] = [];
    const body = await text(geojsonChunks(iterable, { members: () => ({ matched: 4 }), onError: (e) => reported.push(e) }));
    const collection = validated(body, profiles.slice(0, 2));
    assert.deepEqual(collection.error, { status: 502, message: 'The Argo data source failed to deliver the data; try again later.' });
    assert.equal(collection.matched, 4);
    assert.equal(reported.length, 1);
  });

  test('a client that left ends the stream quietly', async () => {
    const { iterable } = source(edgeProfiles('depth'), { failAfter: 1, error: new AbortedError({ message: 'client left' }) });
    const reported: unknown[] = [];
    const body = await text(geojsonChunks(iterable, { onError: (e) => reported.push(e) }));
    assert.ok(!body.endsWith('}\n'), 'no tail for nobody');
    assert.equal(reported.length, 0);
  });
});

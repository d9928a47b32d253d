/**
 * `format=geojson`: an RFC 7946 FeatureCollection (`application/geo+json`), streamed as text:
 * one Point feature per profile, `coordinates: [longitude, latitude]` (WGS 84, as the profile
 * gives them), `id` the profile id, `properties` the profile object itself, exactly the NDJSON line
 * (metadata, position, level and variable arrays), so every tool sees the same members.
 *
 * Members after `features` (RFC 7946 §6.1 "foreign members"), like the `json` format's tail:
 * `matched`, `truncated`, `months_missing`, `next` as the caller gives them, read when the
 * features are done (so late values, such as the next cursor, can be included). A failure after
 * the body started ends the collection with an `error` member `{status, message}` (5xx messages
 * generic, as everywhere) and the document stays valid JSON.
 */
import { isAbortError, publicMessage, statusOf } from '../errors.js';

export const GEOJSON_MEDIA_TYPE = 'application/geo+json';

/** What a profile must offer to become a feature. */
export interface GeojsonProfile {
  id: string;
  latitude: number;
  longitude: number;
}

export interface GeojsonOptions<P extends GeojsonProfile> {
  /** Foreign members written after `features`, read once the features are done. */
  members?: () => Record<string, unknown>;
  /** A profile's JSON text (the output cache has it ready); default `JSON.stringify`. */
  jsonOf?: (profile: P) => string;
  /** Called with the real error when the stream fails part-way (not for a client that left). */
  onError?: (error: unknown) => void;
}

function membersText(members: Record<string, unknown> | undefined): string {
  if (!members) return '';
  let out = '';
  for (const [key, value] of Object.entries(members)) {
    if (value !== undefined) out += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  }
  return out;
}

/** One feature's JSON text. */
export function geojsonFeature<P extends GeojsonProfile>(profile: P, jsonOf: (profile: P) => string = JSON.stringify): string {
  return (
    `{"type":"Feature","id":${JSON.stringify(profile.id)},` +
    `"geometry":{"type":"Point","coordinates":[${JSON.stringify(profile.longitude)},${JSON.stringify(profile.latitude)}]},` +
    `"properties":${jsonOf(profile)}}`
  );
}

/**
 * The FeatureCollection as text parts: the head, one part per feature, the tail. Parts are small;
 * the caller's batching joins them into chunks.
 */
export async function* geojsonChunks<P extends GeojsonProfile>(profiles: AsyncIterable<P>, options: GeojsonOptions<P> = {}): AsyncGenerator<string> {
  const jsonOf = options.jsonOf ?? JSON.stringify;
  yield '{"type":"FeatureCollection","features":[';
  let first = true;
  try {
    for await (const profile of profiles) {
      const feature = geojsonFeature(profile, jsonOf);
      yield first ? feature : `,${feature}`;
      first = false;
    }
  } catch (error) {
    if (isAbortError(error)) return;
    options.onError?.(error);
    const status = statusOf(error);
    yield `]${membersText(options.members?.())},"error":${JSON.stringify({ status, message: publicMessage(error, status) })}}\n`;
    return;
  }
  yield `]${membersText(options.members?.())}}\n`;
}

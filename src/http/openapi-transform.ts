/**
 * The OpenAPI document as the server behaves: fastify-type-provider-zod turns the routes' zod
 * schemas into JSON Schema; these two steps around it keep what it drops and name each type once.
 *
 * - `transformRoute` (per route): a response given in the content form (`{ description, headers,
 *   content: { <media type>: { schema, example } } }`) keeps its `headers` (zod, converted here)
 *   and each media type's `example`. A problem+json example is completed as the error handler
 *   would send it (type, title from the one status table, status, instance, request_id).
 * - `transformDocument` (whole document): the library emits every registered schema twice, an
 *   input (`XInput`) and an output (`X`) variant. Only the variants the paths use are kept, under
 *   the type's own name: a body schema used only as input is `X` too. Both variants survive only
 *   when both are used and differ (none today; the OpenAPI test fails on any `…Input` name).
 *   A lone `allOf: [{ $ref }]` becomes the `$ref` it is.
 */
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PROBLEM_MEDIA_TYPE } from '../../schemas/common.js';
import { TITLE_BY_STATUS } from '../errors.js';

type Json = Record<string, unknown>;
type RouteTransformInput = Parameters<typeof jsonSchemaTransform>[0];
type DocumentTransformInput = Parameters<typeof jsonSchemaTransformObject>[0];

const SCHEMAS_PREFIX = '#/components/schemas/';
/** The request id shown in problem examples (a request id is a UUID unless the caller sent one). */
const EXAMPLE_REQUEST_ID = '0b9c6a4e-2f1d-4c8a-9e53-7d2f4b1a6c90';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A header's zod schema as the JSON Schema @fastify/swagger expects (it moves `description` up). */
function headerSchema(schema: unknown): Json {
  if (!(schema instanceof z.ZodType)) return isObject(schema) ? schema : {};
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output' }) as Json;
  delete json.$schema;
  delete json.id;
  return json;
}

/** The route path with each `:param` replaced by its example (`/v1/months/:month` → `/v1/months/2024-01`). */
function examplePath(url: string, params: unknown): string {
  const properties = isObject(params) && isObject(params.properties) ? params.properties : {};
  return url.replace(/:([A-Za-z0-9_]+)/g, (whole, name: string) => {
    const property = properties[name];
    return isObject(property) && typeof property.example === 'string' ? property.example : whole;
  });
}

/** A problem example as the server sends it: the schemas give the detail (and errors), the rest follows from the status. */
function problemExample(status: number, example: Json, instance: string): Json {
  const { detail, errors, instance: given } = example;
  return {
    type: 'about:blank',
    title: TITLE_BY_STATUS[status] ?? 'Error',
    status,
    detail,
    instance: typeof given === 'string' ? given : instance,
    request_id: EXAMPLE_REQUEST_ID,
    ...(errors === undefined ? {} : { errors }),
  };
}

export function transformRoute(input: RouteTransformInput): ReturnType<typeof jsonSchemaTransform> {
  const result = jsonSchemaTransform(input);
  const responses = (input.schema as { response?: Json } | undefined)?.response;
  const transformed = (result.schema as { response?: Record<string, Json>; params?: unknown } | undefined) ?? {};
  if (!responses || !transformed.response) return result;
  for (const [code, original] of Object.entries(responses)) {
    if (!isObject(original) || !isObject(original.content)) continue;
    const target = transformed.response[code];
    if (!target) continue;
    if (isObject(original.headers)) {
      target.headers = Object.fromEntries(Object.entries(original.headers).map(([name, schema]) => [name, headerSchema(schema)]));
    }
    const content = isObject(target.content) ? target.content : {};
    for (const [mediaType, media] of Object.entries(original.content)) {
      if (!isObject(media) || media.example === undefined || !isObject(content[mediaType])) continue;
      const status = Number(code);
      (content[mediaType] as Json).example =
        mediaType === PROBLEM_MEDIA_TYPE && isObject(media.example)
          ? problemExample(status, media.example, examplePath(input.url, transformed.params))
          : media.example;
    }
  }
  return result;
}

/** Every `$ref` to a component schema in a JSON value. */
function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (isObject(value)) {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string' && v.startsWith(SCHEMAS_PREFIX)) into.add(v.slice(SCHEMAS_PREFIX.length));
      else collectRefs(v, into);
    }
  }
}

/**
 * Renames component references, and unwraps `{ allOf: [{ $ref }] }` with nothing beside it (what
 * a schema piped through a transform becomes) into the plain `{ $ref }` it means.
 */
function renameRefs<T>(value: T, names: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, names)) as T;
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && Array.isArray(value.allOf) && value.allOf.length === 1 && isObject(value.allOf[0]) && Object.keys(value.allOf[0]).join() === '$ref') {
    return renameRefs(value.allOf[0], names) as T;
  }
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$ref' && typeof v === 'string' && v.startsWith(SCHEMAS_PREFIX)) {
      const name = v.slice(SCHEMAS_PREFIX.length);
      out[key] = SCHEMAS_PREFIX + (names.get(name) ?? name);
    } else {
      out[key] = renameRefs(v, names);
    }
  }
  return out as T;
}

export function transformDocument(input: DocumentTransformInput): ReturnType<typeof jsonSchemaTransformObject> {
  const document = jsonSchemaTransformObject(input) as Json & { components?: Json & { schemas?: Record<string, unknown> } };
  const all = document.components?.schemas ?? {};
  // The components the paths use, and the ones those use in turn.
  const used = new Set<string>();
  collectRefs(document.paths, used);
  for (let grew = true; grew; ) {
    const before = used.size;
    for (const name of [...used]) collectRefs(all[name], used);
    grew = used.size > before;
  }
  const names = new Map<string, string>();
  for (const name of used) {
    const base = name.endsWith('Input') ? name.slice(0, -'Input'.length) : undefined;
    if (base === undefined || !(base in all)) continue;
    // The input variant alone, or identical to the output one: one component under the type's name.
    if (!used.has(base) || JSON.stringify(all[base]) === JSON.stringify(all[name])) names.set(name, base);
  }
  const schemas: Record<string, unknown> = {};
  for (const name of [...used].sort()) {
    const target = names.get(name) ?? name;
    if (target === name || !(target in schemas)) schemas[target] = renameRefs(all[name], names);
  }
  return renameRefs({ ...document, components: { ...document.components, schemas } }, names) as ReturnType<typeof jsonSchemaTransformObject>;
}

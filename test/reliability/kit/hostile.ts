/**
 * Hostile requests, generated deterministically from a seed: bad values for every parameter of
 * GET /v1/profiles (wrong types, NaN, Infinity, huge, negative and unsorted levels, 10,000 levels,
 * 50-year windows, malformed bbox and dates, unicode, very long strings, repeated and unknown
 * parameters), path traversal in month and build ids, missing/wrong/empty admin tokens, oversized
 * bodies, wrong content types and bad JSON on the admin routes.
 *
 * Every case says what a correct service answers: a 4xx (exact status when it is determined) with
 * a problem+json body, and for a 400 the parameters its `errors` must name. No case is a valid
 * request: a 2xx is as wrong as a 500 (a hostile value silently accepted).
 *
 *     for (const c of hostileCases({ seed: 8, token })) { ...inject c.method c.url ... }
 */
import { seededRandom } from '../../../fixtures/index.js';

export interface HostileCase {
  family: 'profiles' | 'profiles-combo' | 'months' | 'admin-auth' | 'admin-body' | 'admin-id' | 'routing';
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path and query, already encoded as it goes on the wire. */
  url: string;
  headers?: Record<string, string>;
  payload?: string | Buffer;
  /** Exact status, or any 4xx when undefined. */
  status?: number;
  /** For a 400: the parameters `errors` must name (a name matches itself or `name.<index>`). */
  parameters?: string[];
  /**
   * A known bug makes this case fail today (the text says which): the main test leaves it out,
   * a todo test runs it, so it is visible and turns green when the bug is fixed.
   */
  knownBug?: string;
}

/** Known bugs, by id (see docs/reliability.md). */
export const KNOWN_BUGS = {
  frameworkErrors:
    'src/http/app.ts: Fastify framework errors (FST_ERR_MAX_PARAM_LENGTH 414, FST_ERR_BAD_URL 400) bypass the error handler and answer ' +
    'application/json {error, code, message} instead of problem+json: set the `frameworkErrors` option to send a problem',
  bodyParserErrors:
    'src/http/plugins/app/error-handler.ts: content-type parser errors (bad/empty JSON, forbidden __proto__) are a 400 problem without ' +
    'an `errors` list: map FST_ERR_CTP_* 400s to a ValidationError naming `body`',
  protoParameter:
    'src/http/app.ts (query-string parsing): a `__proto__=...` parameter is dropped by the parser before validation, so it is ' +
    'silently accepted (200) instead of a 400 "unknown parameter"; harmless (no pollution) but against the rule that a typo ' +
    'never passes: parse with a null-prototype object (querystringParser) so the schema sees every key',
  unknownBodyKey:
    'src/plugins/error-handler.ts issuesFromValidation reads entry.params.issue, but fastify-type-provider-zod 7 puts the zod ' +
    'issue fields in entry.params and the code in entry.keyword: an unknown body member is named `body`, not itself',
} as const;

/** The seed of the suites' hostile set (fast and long suites send the same requests). */
export const HOSTILE_SEED = 20240501;

const enc = encodeURIComponent;
const BASE: Record<string, string> = { start: '2023-01-01', end: '2023-02-01' };

/** Bad values per parameter of GET /v1/profiles (each alone makes the query invalid). */
export const BAD_VALUES: Readonly<Record<string, readonly string[]>> = {
  start: [
    '', '   ', 'yesterday', 'now', '2023-13-01', '2023-02-30', '2023-02-29', '2023-04-31', '0000-00-00', '2023-4-1',
    '2023-04-01T25:00', '2023-04-01T12:60', '2023-04-01T00:00:00+25:00', '2023-04-01TZ', '2023-04-01T12:00:00.1234567890',
    '+002023-04-01', '99999-01-01', 'NaN', 'Infinity', '-Infinity', '1e309', '-1', '1680307200000', 'null', 'undefined', 'true',
    '２０２３-０４-０１', '\u202e2023-04-01', '2023-04-01\u0000', "' OR 1=1 --", '<script>alert(1)</script>', '../../etc/passwd',
    '${jndi:ldap://x/a}', '%s%s%s%n', 'x'.repeat(5000), '2023-04-01'.repeat(100), '[object Object]', '{"$gt":""}',
  ],
  end: ['', 'tomorrow', '2023-02-30', '2023-13-01', 'Infinity', 'NaN', '1e309', '٢٠٢٣-٠٤-٠١', 'x'.repeat(3000), '2023-04-01T24:00:01'],
  depth: [
    '', 'abc', 'NaN', 'Infinity', '-Infinity', '-10', '10,5', '0,0', '0,10,10', '5,-5', '0:10000:1', '0:1e9:1', '0:10:0', '0:10:-1',
    '10:0:1', '-5:10:1', '1e309', '0,1e309', '0x10', '0b1', '0o7', '0,,10', ',', ',10', '10,', '0:1:2:3', '0:10', ':', '::',
    '١٠', '１０', '10m', '10 20', '0;10', 'NaN:10:1', '0:Infinity:1', '0:10:NaN', 'null', 'x'.repeat(5000),
    Array.from({ length: 10_000 }, (_, i) => i).join(','),
    Array.from({ length: 1001 }, (_, i) => i).join(','),
    Array.from({ length: 500 }, (_, i) => 500 - i).join(','),
  ],
  vertical: ['', 'height', 'DEPTH', 'Depth', 'pressure ', 'depth,pressure', 'metres', '0', 'ü'],
  variables: ['', 'TEMP,TEMP', 'DOXY', 'temp', ',', 'TEMP;PSAL', 'TEMP,,PSAL', 'TEMP,PSAL,PRES,CNDC', 'PSAL\u0000', 'TEMP_ADJUSTED', '*', 'x'.repeat(4000)],
  mode: ['', 'fast', 'STANDARD', ' standard', 'adjusted', '1', 'research,expert', 'null'],
  bbox: [
    '', '1,2,3', '1,2,3,4,5', 'a,b,c,d', '-200,0,0,0', '0,100,0,0', '0,10,0,-10', '0,-91,1,1', '181,0,0,0', 'NaN,0,0,0', 'Infinity,0,0,0',
    '0,0,0,1e999', ',,,', '0x1,0,0,0', '0;0;1;1', '0 0 1 1', '[0,0,1,1]', '１,２,３,４', 'x'.repeat(4000),
  ],
  platform: ['', 'abc', '69032 47', '-1', '1.5', ',', '٦٩٠٣٢٤٧', '6903247,abc', "6903247';DROP TABLE x;--", '6903247,', '0x1F', 'x'.repeat(4000)],
  max_profiles: ['', '0', '-1', '1.5', '1e3', 'NaN', 'Infinity', '99999999999999999999', '10001', '0x10', ' ', '１０', '10abc', '+-1', 'null'],
  format: ['', 'xml', 'NDJSON', 'csv;drop', 'json,csv', 'html', '../../etc/passwd', 'xlsx', '\u0000'],
};

const UNKNOWN_PARAMETERS = ['bbbox', 'foo', 'START', 'depths', 'callback', 'constructor', 'toString', 'hasOwnProperty', 'format[]', 'q'];

function query(params: [string, string][]): string {
  return params.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

function withParam(name: string, value: string): [string, string][] {
  const params = Object.entries(BASE).filter(([k]) => k !== name);
  params.push([name, value]);
  return params;
}

function shortLabel(value: string): string {
  const s = JSON.stringify(value);
  return s.length > 40 ? `${s.slice(0, 30)}…(${value.length} chars)` : s;
}

export interface HostileOptions {
  seed: number;
  /** The admin token the app under test is configured with. */
  token: string;
  /** Random multi-parameter combinations to add (default 150). */
  combos?: number;
  /** ARGO_MAX_BODY_BYTES of the app (default 64 KiB). */
  maxBodyBytes?: number;
}

export function hostileCases(options: HostileOptions): HostileCase[] {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const cases: HostileCase[] = [];
  const profiles = (label: string, params: [string, string][], parameters: string[], family: HostileCase['family'] = 'profiles'): void => {
    cases.push({ family, label, method: 'GET', url: `/v1/profiles?${query(params)}`, status: 400, parameters });
  };

  // One bad parameter at a time: every value of every parameter.
  for (const [name, values] of Object.entries(BAD_VALUES)) {
    for (const value of values) profiles(`${name}=${shortLabel(value)}`, withParam(name, value), [name]);
  }
  // Windows: 50 years, reversed, empty, the whole calendar.
  profiles('50-year window', [['start', '1990-01-01'], ['end', '2040-01-01']], ['end']);
  profiles('window of 367 days', [['start', '2023-01-01'], ['end', '2024-01-03']], ['end']);
  profiles('end before start', [['start', '2023-02-01'], ['end', '2023-01-01']], ['end']);
  profiles('end equals start', [['start', '2023-02-01T00:00:00Z'], ['end', '2023-02-01']], ['end']);
  profiles('year 1 to 9999', [['start', '0001-01-01'], ['end', '9999-12-31T23:59:59Z']], ['start', 'end']);
  profiles('offsets reversing the order', [['start', '2023-01-01T10:00:00-05:00'], ['end', '2023-01-01T12:00:00+05:00']], ['end']);
  // Missing required parameters.
  profiles('no parameters', [], ['start', 'end']);
  profiles('no start', [['end', '2023-02-01']], ['start']);
  profiles('no end', [['start', '2023-01-01']], ['end']);
  // Unknown parameters (a typo must never widen a query).
  for (const name of UNKNOWN_PARAMETERS) profiles(`unknown ${name}`, [...Object.entries(BASE), [name, '1']], [name]);
  cases.push({ family: 'profiles', label: 'unknown __proto__', method: 'GET', url: `/v1/profiles?${query([...Object.entries(BASE), ['__proto__', '1']])}`, status: 400, parameters: ['__proto__'], knownBug: KNOWN_BUGS.protoParameter });
  // Repeated parameters ("last one wins" is refused).
  for (const [name, value] of [['start', '2023-01-01'], ['end', '2023-02-01'], ['depth', '0,10'], ['format', 'csv'], ['mode', 'expert'], ['variables', 'TEMP'], ['bbox', '0,0,1,1'], ['platform', '1'], ['max_profiles', '5']] as const) {
    const params = [...Object.entries(BASE), [name, value], [name, value]] as [string, string][];
    profiles(`repeated ${name}`, name === 'start' || name === 'end' ? [...Object.entries(BASE).filter(([k]) => k !== name), [name, value], [name, value]] : params, [name]);
  }
  // Raw query strings: broken percent-encoding, NUL, empty keys, a key without '='.
  for (const [label, raw, parameters] of [
    ['key without a value', 'start=2023-01-01&end=2023-02-01&depth', ['depth']],
    ['empty key', 'start=2023-01-01&end=2023-02-01&=5', undefined],
    ['bad percent-encoding', 'start=2023-01-01%ZZ&end=2023-02-01', undefined],
    ['lone percent', 'start=%&end=2023-02-01', ['start']],
    ['encoded NUL in a key', 'start=2023-01-01&end=2023-02-01&de%00pth=1', undefined],
    ['encoded ampersand in a value', 'start=2023-01-01%26end%3D2024-01-01', ['start', 'end']],
    ['plus signs', 'start=2023-01-01+T00:00&end=2023-02-01', ['start']],
    ['semicolon separators', 'start=2023-01-01;end=2023-02-01', ['start', 'end']],
  ] as const) {
    cases.push({ family: 'profiles', label: `raw: ${label}`, method: 'GET', url: `/v1/profiles?${raw}`, status: 400, ...(parameters ? { parameters: [...parameters] } : {}) });
  }

  // Random combinations of two or three bad parameters: each must be named.
  const names = Object.keys(BAD_VALUES);
  for (let i = 0; i < (options.combos ?? 150); i++) {
    const k = 2 + Math.floor(random() * 2);
    const chosen = new Set<string>();
    while (chosen.size < k) chosen.add(pick(names));
    const params: [string, string][] = Object.entries(BASE).filter(([n]) => !chosen.has(n));
    for (const n of chosen) params.push([n, pick(BAD_VALUES[n])]);
    profiles(`combo ${[...chosen].join('+')} #${i}`, params, [...chosen], 'profiles-combo');
  }

  // Months: malformed ids (400 naming month), traversal, valid but absent (404).
  for (const raw of [
    '2023-13', '2023-00', '23-04', '2023-4', '2023-04-01', '2023-04.json', '2023-04%00', '%00', '..%2F..%2Fetc%2Fpasswd',
    '..%252F..%252Fetc%252Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', enc('２０２３-０４'), enc('2023-04;rm -rf /'), enc('<script>'),
    'x'.repeat(150), enc('2023-04\n'), 'NaN', '-2023-04', '2023-04%20',
  ]) {
    cases.push({ family: 'months', label: `month ${raw.slice(0, 40)}`, method: 'GET', url: `/v1/months/${raw}`, status: 400, parameters: ['month'] });
  }
  for (const month of ['1970-01', '9999-12', '0000-01']) {
    cases.push({ family: 'months', label: `month ${month} not built`, method: 'GET', url: `/v1/months/${month}`, status: 404 });
  }
  // Paths that try to climb out of a route.
  for (const url of ['/v1/months/../../etc/passwd', '/v1/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/v1/profiles/..%2F..%2Fmaster_index.json', '/admin/../v1/months/x']) {
    // Dot segments may be normalised first (then the month is malformed: 400): any 4xx problem.
    cases.push({ family: 'routing', label: `path ${url}`, method: 'GET', url });
  }
  cases.push({ family: 'routing', label: 'very long month id', method: 'GET', url: `/v1/months/${'9'.repeat(5000)}`, knownBug: KNOWN_BUGS.frameworkErrors });
  cases.push({ family: 'routing', label: 'broken percent-encoding in the path', method: 'GET', url: '/v1/months/%E0%A4%A', knownBug: KNOWN_BUGS.frameworkErrors });
  cases.push({ family: 'routing', label: 'very long build id', method: 'GET', url: `/admin/builds/${'a'.repeat(300)}`, headers: { authorization: `Bearer ${options.token}` }, knownBug: KNOWN_BUGS.frameworkErrors });
  for (const [method, url] of [['DELETE', '/v1/profiles?start=2023-01-01&end=2023-02-01'], ['PUT', '/v1/months'], ['PATCH', '/admin/builds']] as const) {
    cases.push({ family: 'routing', label: `${method} ${url.split('?')[0]}`, method, url, status: 404 });
  }
  // Admin DELETE routes: without the token 401, with it an unknown job or month is a 404. The
  // month is one no test world builds (the worlds build 2023 and 2024 months): a built one would be
  // removed, which is the route working, not a hostile request refused.
  const admin = { authorization: `Bearer ${options.token}` };
  for (const url of ['/admin/builds/00000000-0000-0000-0000-000000000000', '/admin/months/2001-01']) {
    cases.push({ family: 'routing', label: `DELETE ${url} without token`, method: 'DELETE', url, status: 401 });
    cases.push({ family: 'routing', label: `DELETE ${url}: unknown`, method: 'DELETE', url, headers: admin, status: 404 });
  }
  cases.push({ family: 'routing', label: 'DELETE /admin/months/2023-13', method: 'DELETE', url: '/admin/months/2023-13', headers: admin, status: 400, parameters: ['month'] });

  // Admin auth: every way of not having the token.
  const validId = '00000000-0000-4000-8000-000000000000';
  const token = options.token;
  const auths: [string, Record<string, string>][] = [
    ['no Authorization', {}],
    ['empty Authorization', { authorization: '' }],
    ['scheme only', { authorization: 'Bearer' }],
    ['empty token', { authorization: 'Bearer ' }],
    ['blank token', { authorization: 'Bearer    ' }],
    ['wrong token', { authorization: 'Bearer wrong' }],
    ['token with a suffix', { authorization: `Bearer ${token}x` }],
    ['token with a prefix', { authorization: `Bearer x${token}` }],
    ['token cut short', { authorization: `Bearer ${token.slice(0, -1)}` }],
    ['two tokens', { authorization: `Bearer ${token} ${token}` }],
    ['Basic scheme', { authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` }],
    ['token without a scheme', { authorization: token }],
    ['Token scheme', { authorization: `Token ${token}` }],
    ['huge token', { authorization: `Bearer ${'a'.repeat(8000)}` }],
    ['token in the query string', {}],
    ['token as a cookie', { cookie: `token=${token}` }],
    ['token in X-Api-Key', { 'x-api-key': token }],
  ];
  for (const [label, headers] of auths) {
    const query = label === 'token in the query string' ? `?token=${enc(token)}&access_token=${enc(token)}` : '';
    cases.push({
      family: 'admin-auth',
      label: `POST /admin/builds: ${label}`,
      method: 'POST',
      url: `/admin/builds${query}`,
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"months":["2023-01"]}',
      status: 401,
    });
    cases.push({ family: 'admin-auth', label: `GET /admin/builds/{id}: ${label}`, method: 'GET', url: `/admin/builds/${validId}${query}`, headers, status: 401 });
  }

  // Admin bodies, with the right token.
  const auth = { authorization: `Bearer ${token}` };
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const json = { ...auth, 'content-type': 'application/json' };
  // [label, headers, payload, status (undefined: any 4xx), parameters, known bug]
  const bodies: [string, Record<string, string>, string | Buffer, number | undefined, string[]?, string?][] = [
    // Fastify parses text/plain as a string: the schema then refuses it (400 naming body).
    ['text/plain body', { ...auth, 'content-type': 'text/plain' }, 'months=2023-01', undefined, ['body']],
    ['form body', { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, 'months=2023-01', 415],
    ['xml body', { ...auth, 'content-type': 'application/xml' }, '<months>2023-01</months>', 415],
    ['multipart body', { ...auth, 'content-type': 'multipart/form-data; boundary=x' }, '--x\r\n\r\n2023-01\r\n--x--', 415],
    ['bad JSON', json, '{', 400, ['body'], KNOWN_BUGS.bodyParserErrors],
    ['bad JSON, trailing comma', json, '{"months":["2023-01"],}', 400, ['body'], KNOWN_BUGS.bodyParserErrors],
    ['empty JSON body', json, '', 400, ['body'], KNOWN_BUGS.bodyParserErrors],
    ['JSON with a BOM and garbage', json, '\ufeff{months}', 400, ['body'], KNOWN_BUGS.bodyParserErrors],
    ['months as a string', json, '{"months":"2023-01"}', 400, ['months']],
    ['months not YYYY-MM', json, '{"months":["2023-13"]}', 400, ['months']],
    ['months traversal', json, '{"months":["../../etc/passwd"]}', 400, ['months']],
    ['months numbers', json, '{"months":[202301]}', 400, ['months']],
    ['months empty', json, '{"months":[]}', 400, ['months']],
    ['months of nulls', json, '{"months":[null]}', 400, ['months']],
    ['601 months', json, JSON.stringify({ months: Array.from({ length: 601 }, (_, i) => `${1900 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`) }), 400, ['months']],
    ['empty object', json, '{}', 400, ['months']],
    ['array', json, '[]', 400],
    ['null', json, 'null', 400],
    ['string', json, '"2023-01"', 400],
    ['number', json, '42', 400],
    ['range reversed', json, '{"start":"2023-06","end":"2023-01"}', 400, ['end']],
    // A build names months from 1997-01 (the first Argo profiles) to the current month.
    ['range of 1,000 years', json, '{"start":"1000-01","end":"1999-12"}', 400, ['start']],
    ['range into the far future', json, '{"start":"2024-01","end":"2999-12"}', 400, ['end']],
    ['range without end', json, '{"start":"2023-01"}', 400, ['end']],
    ['both months and range', json, '{"months":["2023-01"],"start":"2023-01","end":"2023-02"}', 400, ['months']],
    ['unknown member', json, '{"months":["2023-01"],"force":true}', 400, ['force'], KNOWN_BUGS.unknownBodyKey],
    ['__proto__ member', json, '{"__proto__":{"admin":true},"months":["2023-13"]}', 400, undefined, KNOWN_BUGS.bodyParserErrors],
    ['constructor.prototype member', json, '{"constructor":{"prototype":{"admin":true}},"months":["2023-13"]}', 400, undefined, KNOWN_BUGS.bodyParserErrors],
    ['deeply nested arrays', json, `${'['.repeat(20_000)}${']'.repeat(20_000)}`, 400],
    ['oversized body', json, JSON.stringify({ months: ['2023-13'], pad: 'x'.repeat(maxBody + 1024) }), 413],
    ['oversized body, text/plain', { ...auth, 'content-type': 'text/plain' }, 'x'.repeat(maxBody + 1024), 413],
    ['oversized body, unknown type', { ...auth, 'content-type': 'application/octet-stream' }, 'x'.repeat(maxBody + 1024), undefined],
    ['binary garbage as JSON', json, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80, 0x7b]), 400, ['body'], KNOWN_BUGS.bodyParserErrors],
  ];
  for (const [label, headers, payload, status, parameters, knownBug] of bodies) {
    cases.push({
      family: 'admin-body',
      label: `POST /admin/builds: ${label}`,
      method: 'POST',
      url: '/admin/builds',
      headers,
      payload,
      ...(status !== undefined ? { status } : {}),
      ...(parameters ? { parameters } : {}),
      ...(knownBug ? { knownBug } : {}),
    });
  }
  // Build ids, with the right token.
  for (const [raw, status] of [
    ['..%2F..%2Fetc%2Fpasswd', 400], ['x', 400], ['00000000-0000-4000-8000-00000000000G', 400], ['00000000-0000-4000-8000-000000000000'.toUpperCase().replace(/0/g, 'A'), 400],
    [enc('00000000-0000-4000-8000-000000000000\u0000'), 400], ['%00', 400], ['-'.repeat(36), 404], [validId, 404], ['9'.repeat(190), 400],
  ] as const) {
    cases.push({ family: 'admin-id', label: `GET /admin/builds/${raw.slice(0, 40)}`, method: 'GET', url: `/admin/builds/${raw}`, headers: auth, status, ...(status === 400 ? { parameters: ['id'] } : {}) });
  }
  return cases;
}

/** The requests an app with NO admin token must refuse with 403, whatever they carry. */
export function noTokenCases(token: string): HostileCase[] {
  const id = '00000000-0000-4000-8000-000000000000';
  const out: HostileCase[] = [];
  for (const [label, headers] of [
    ['no Authorization', {}],
    ['empty bearer', { authorization: 'Bearer ' }],
    ['some token', { authorization: `Bearer ${token}` }],
    ['the empty string as a token', { authorization: 'Bearer ""' }],
    ['Basic scheme', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
  ] as const) {
    out.push({ family: 'admin-auth', label: `no token configured, POST: ${label}`, method: 'POST', url: '/admin/builds', headers: { ...headers, 'content-type': 'application/json' }, payload: '{"months":["2023-01"]}', status: 403 });
    out.push({ family: 'admin-auth', label: `no token configured, GET: ${label}`, method: 'GET', url: `/admin/builds/${id}`, headers, status: 403 });
  }
  return out;
}

/** Whether `errors` names a parameter: exactly, or as `name.<something>` (array members). */
export function names(errors: { parameter?: string }[], parameter: string): boolean {
  return errors.some((e) => e.parameter === parameter || e.parameter?.startsWith(`${parameter}.`) || e.parameter?.startsWith(`${parameter}[`));
}

/**
 * The `GET /v1/profiles` query schema on its own: every bad value is an issue whose path names the
 * parameter, with a message written for the caller. (The route test checks the same through HTTP.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseInstant, parseLevels, profilesQuerySchema } from '../../schemas/profiles.js';

const limits = { maxWindowDays: 366, maxLevels: 1000, defaultMaxProfiles: 1000, maxProfilesLimit: 10000 };
const schema = profilesQuerySchema(limits);
const ok = { start: '2023-04-01', end: '2023-05-01' };

function issues(params: Record<string, unknown>): { parameter: string; message: string }[] {
  const result = schema.safeParse(params);
  assert.equal(result.success, false, `expected ${JSON.stringify(params)} to fail`);
  return result.error!.issues.map((i) => ({ parameter: i.path.join('.'), message: i.message }));
}

function rejects(params: Record<string, unknown>, parameter: string, message?: RegExp) {
  const found = issues(params);
  const issue = found.find((i) => i.parameter === parameter);
  assert.ok(issue, `no issue for ${parameter} in ${JSON.stringify(found)}`);
  if (message) assert.match(issue.message, message);
}

describe('valid queries', () => {
  test('defaults', () => {
    assert.deepEqual(schema.parse(ok), {
      startMs: Date.parse('2023-04-01T00:00:00Z'),
      endMs: Date.parse('2023-05-01T00:00:00Z'),
      vertical: 'depth',
      variables: ['TEMP', 'PSAL'],
      mode: 'standard',
      maxProfiles: 1000,
    });
  });
  test('everything given', () => {
    assert.deepEqual(
      schema.parse({
        start: '2023-04-01T06:30:00+02:00',
        end: '2023-04-02T00:00:00.250Z',
        depth: '0:20:5',
        vertical: 'pressure',
        variables: 'PRES,TEMP,PSAL',
        mode: 'research',
        bbox: '170,-10.5,-170,10',
        platform: '6903247,2902696',
        max_profiles: '25',
        format: 'csv',
      }),
      {
        startMs: Date.parse('2023-04-01T04:30:00Z'),
        endMs: Date.parse('2023-04-02T00:00:00.250Z'),
        levels: [0, 5, 10, 15, 20],
        vertical: 'pressure',
        variables: ['PRES', 'TEMP', 'PSAL'],
        mode: 'research',
        bbox: [170, -10.5, -170, 10],
        platforms: ['6903247', '2902696'],
        maxProfiles: 25,
        format: 'csv',
      },
    );
  });
  test('a window of exactly the limit is fine', () => {
    assert.ok(schema.safeParse({ start: '2023-01-01', end: '2024-01-02' }).success);
    assert.ok(schema.safeParse({ ...ok, max_profiles: '10000' }).success);
    assert.ok(schema.safeParse({ ...ok, depth: '0:999:1' }).success);
  });
});

describe('start and end', () => {
  test('required', () => {
    rejects({ end: '2023-05-01' }, 'start', /required/);
    rejects({ start: '2023-05-01' }, 'end', /required/);
  });
  test('bad dates', () => {
    for (const bad of ['2023-13-01', '2023-02-29', '2023-04-31', '23-04-01', '2023/04/01', 'yesterday', '2023-04-01T25:00', '2023-04-01T12:60', '1680307200000', '2023-04-01T00:00:00+25:00']) {
      rejects({ ...ok, start: bad }, 'start');
    }
    rejects({ ...ok, start: '' }, 'start', /empty/);
    rejects({ ...ok, start: ['2023-01-01', '2023-01-02'] }, 'start', /more than once/);
  });
  test('dates outside 1900-01-01 .. 2100-01-01 are refused, each naming its parameter', () => {
    rejects({ start: '1899-12-31T23:59:59.999Z', end: '1900-01-02' }, 'start', /^must be between 1900-01-01T00:00:00\.000Z and 2100-01-01T00:00:00\.000Z/);
    rejects({ start: '0001-01-01', end: '0001-02-01' }, 'start', /which is 0001-01-01T00:00:00\.000Z/);
    rejects({ start: '0001-01-01', end: '0001-02-01' }, 'end');
    rejects({ start: '0000-01-01T00:00:00+01:00', end: '1900-01-02' }, 'start', /which is -000001-12-31T23:00:00\.000Z/);
    rejects({ start: '2099-12-31', end: '2100-01-01T00:00:00.001Z' }, 'end', /must be between/);
    rejects({ start: '9999-01-01', end: '9999-02-01' }, 'start');
    // The bounds are included.
    assert.equal(schema.parse({ start: '1900-01-01', end: '1900-01-02' }).startMs, Date.UTC(1900, 0, 1));
    assert.equal(schema.parse({ start: '2099-12-31', end: '2100-01-01' }).endMs, Date.UTC(2100, 0, 1));
  });
  test('end must be after start', () => {
    rejects({ start: '2023-05-01', end: '2023-05-01' }, 'end', /after start \(2023-05-01T00:00:00.000Z\): the window is \[start, end\), end excluded$/);
    rejects({ start: '2023-05-01', end: '2023-04-01' }, 'end', /after start/);
  });
  test('a month where a date belongs: the message says both conventions and the dates that mean it', () => {
    assert.deepEqual(issues({ start: '2024-01', end: '2024-12' }), [
      {
        parameter: 'start',
        message:
          '"2024-01" is a month, and profiles take dates, the window [start, end) with end excluded; builds take months YYYY-MM, both included: ' +
          'the month 2024-01 is start=2024-01-01&end=2024-02-01 (so start=2024-01-01)',
      },
      {
        parameter: 'end',
        message:
          '"2024-12" is a month, and profiles take dates, the window [start, end) with end excluded; builds take months YYYY-MM, both included: ' +
          'the month 2024-12 is start=2024-12-01&end=2025-01-01 (so end=2025-01-01)',
      },
    ]);
    // Any other malformed date says the convention too.
    rejects({ start: 'yesterday', end: '2024-01-02' }, 'start', /^must be an ISO 8601 date .* \(got "yesterday"\); profiles take dates, the window \[start, end\) with end excluded; builds take months YYYY-MM, both included$/);
  });
  test('a 50-year window is over the ceiling, with a clear message', () => {
    rejects({ start: '1970-01-01', end: '2020-01-01' }, 'end', /^window is 18262 days; the limit is 366 \(ARGO_MAX_WINDOW_DAYS\)$/);
    rejects({ start: '2023-01-01', end: '2024-01-02T00:00:00.001Z' }, 'end', /limit is 366/);
  });
  test('parseInstant: offsets, fractions, leap years, + arriving as a space', () => {
    assert.deepEqual(parseInstant('2024-02-29'), { ms: Date.parse('2024-02-29T00:00:00Z') });
    assert.deepEqual(parseInstant('2023-04-01T12:00'), { ms: Date.parse('2023-04-01T12:00:00Z') });
    assert.deepEqual(parseInstant('2023-04-01T12:00:00.123456Z'), { ms: Date.parse('2023-04-01T12:00:00.123Z') });
    assert.deepEqual(parseInstant('2023-04-01T12:00:00-03:30'), { ms: Date.parse('2023-04-01T15:30:00Z') });
    assert.deepEqual(parseInstant('2023-04-01T12:00:00 02:00'), { ms: Date.parse('2023-04-01T10:00:00Z') });
    assert.deepEqual(parseInstant('2023-04-01 12:00:00Z'), { ms: Date.parse('2023-04-01T12:00:00Z') });
    // Years below 100 are not mapped to 19xx (Date.UTC's legacy behaviour).
    assert.deepEqual(parseInstant('0050-01-01'), { ms: Date.parse('0050-01-01T00:00:00Z') });
    assert.ok('error' in parseInstant('1900-02-29'));
    assert.ok('ms' in parseInstant('2000-02-29'));
  });
});

describe('depth', () => {
  test('lists and ranges', () => {
    assert.deepEqual(parseLevels('0,10,20,50', 1000), { levels: [0, 10, 20, 50] });
    assert.deepEqual(parseLevels('0:100:25', 1000), { levels: [0, 25, 50, 75, 100] });
    assert.deepEqual(parseLevels('0:1:0.1', 1000), { levels: [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] });
    assert.deepEqual(parseLevels('5:12:5', 1000), { levels: [5, 10] });
    assert.deepEqual(parseLevels('7:7:1', 1000), { levels: [7] });
    assert.deepEqual(parseLevels(' 1.5 , 2e3 ', 1000), { levels: [1.5, 2000] });
  });
  test('bad values name depth', () => {
    const cases: [string, RegExp][] = [
      ['NaN', /not a finite number/],
      ['Infinity', /not a finite number/],
      ['10,abc', /not a finite number/],
      ['0x10', /not a finite number/],
      ['10,,20', /not a finite number/],
      ['-5,10', /≥ 0/],
      ['10,5', /ascending \(5 after 10\)/],
      ['10,10', /strictly ascending/],
      ['-10:100:10', /≥ 0/],
      ['0:100:0', /step must be > 0/],
      ['0:100:-5', /step must be > 0/],
      ['100:0:10', /stop \(0\) must be ≥ start/],
      ['0:100', /three numbers/],
      ['0:100:10:5', /three numbers/],
      ['0:NaN:1', /not a finite number/],
      ['', /empty/],
    ];
    for (const [value, message] of cases) rejects({ ...ok, depth: value }, 'depth', message);
  });
  test('10,000 levels are over the ceiling, both as a list and as a range', () => {
    rejects({ ...ok, depth: Array.from({ length: 10_000 }, (_, i) => i).join(',') }, 'depth', /^10000 levels; the limit is 1000 \(ARGO_MAX_LEVELS\)$/);
    rejects({ ...ok, depth: '0:9999:1' }, 'depth', /^10000 levels; the limit is 1000/);
    // Never allocated: a billion levels fail at once.
    rejects({ ...ok, depth: '0:1e12:0.001' }, 'depth', /the limit is 1000/);
  });
});

describe('other parameters', () => {
  test('vertical, mode, format', () => {
    rejects({ ...ok, vertical: 'height' }, 'vertical', /one of depth, pressure/);
    rejects({ ...ok, mode: 'strict' }, 'mode', /one of standard, research, expert/);
    rejects({ ...ok, format: 'xml' }, 'format', /one of ndjson, json, csv/);
    rejects({ ...ok, mode: ['standard', 'expert'] }, 'mode', /more than once/);
  });
  test('variables', () => {
    // A BGC parameter without dataset=bgc: the answer says to add it.
    rejects({ ...ok, variables: 'TEMP,DOXY' }, 'variables', /DOXY is not a core variable .*add dataset=bgc/);
    assert.deepEqual(schema.parse({ ...ok, dataset: 'bgc', variables: 'DOXY,CHLA,PRES' }).variables, ['DOXY', 'CHLA', 'PRES']);
    rejects({ ...ok, dataset: 'bgc', variables: 'doxy' }, 'variables', /not a variable/);
    rejects({ ...ok, dataset: 'argo' }, 'dataset', /one of phy, bgc/);
    rejects({ ...ok, variables: 'TEMP,TEMP' }, 'variables', /listed twice/);
    rejects({ ...ok, variables: 'temp' }, 'variables');
    rejects({ ...ok, variables: '' }, 'variables', /empty/);
    rejects({ ...ok, variables: 'TEMP,' }, 'variables');
  });
  test('bbox', () => {
    const cases: [string, RegExp][] = [
      ['1,2,3', /four numbers/],
      ['1,2,3,4,5', /four numbers/],
      ['0,NaN,10,10', /not a finite number/],
      ['0,-91,10,10', /lat_min must be within \[-90, 90\]/],
      ['0,0,10,90.5', /lat_max must be within/],
      ['-181,0,10,10', /lon_min must be within \[-180, 180\]/],
      ['0,0,180.01,10', /lon_max must be within/],
      ['0,20,10,10', /lat_min \(20\) must be ≤ lat_max \(10\)/],
      ['a,b,c,d', /not a finite number/],
    ];
    for (const [value, message] of cases) rejects({ ...ok, bbox: value }, 'bbox', message);
    assert.deepEqual(schema.parse({ ...ok, bbox: '170,-10,-170,10' }).bbox, [170, -10, -170, 10]);
  });
  test('platform', () => {
    rejects({ ...ok, platform: '6903247,abc' }, 'platform', /digits only/);
    rejects({ ...ok, platform: '6903 247' }, 'platform', /digits only/);
    assert.deepEqual(schema.parse({ ...ok, platform: '1,1,2' }).platforms, ['1', '2']);
  });
  test('max_profiles', () => {
    for (const bad of ['0', '-1', '1.5', 'ten', '1e3']) rejects({ ...ok, max_profiles: bad }, 'max_profiles', /positive integer/);
    rejects({ ...ok, max_profiles: '20000' }, 'max_profiles', /^max_profiles is 20000; the limit is 10000 \(ARGO_MAX_PROFILES_LIMIT\)$/);
  });
  test('unknown parameters are each named, together with the other issues', () => {
    const found = issues({ ...ok, bbbox: '1,2,3,4', Depth: '10', mode: 'x' });
    assert.deepEqual(
      found.map((i) => i.parameter).sort(),
      ['Depth', 'bbbox', 'mode'],
    );
    assert.match(found.find((i) => i.parameter === 'bbbox')!.message, /^unknown parameter/);
  });
  test('every issue of a bad query is reported at once', () => {
    const found = issues({ start: 'x', end: 'y', depth: '-1', bbox: '0', max_profiles: '0', variables: 'X', platform: 'p' });
    assert.deepEqual(found.map((i) => i.parameter).sort(), ['bbox', 'depth', 'end', 'max_profiles', 'platform', 'start', 'variables']);
  });
});

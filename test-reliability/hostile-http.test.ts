/**
 * The hostile requests of test/reliability/kit/hostile.ts sent over real HTTP/1.1 (node:http,
 * paths byte-for-byte, no client-side normalisation) to the real server in a child process, plus
 * what only a socket can send: request lines past Node's 16 KiB header limit, malformed requests.
 * Every answer must be a 4xx with a problem+json body, the server must stay up, and the months it
 * has must be untouched.
 */
import assert from 'node:assert/strict';
import { type Agent, request } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startServerChild } from '../test/reliability/kit/children.js';
import { ADMIN_TOKEN, FAST_ENV, buildMonths, startFixture } from '../test/reliability/kit/harness.js';
import { HOSTILE_SEED, hostileCases, noTokenCases, type HostileCase } from '../test/reliability/kit/hostile.js';
import { problemIssues } from '../test/reliability/kit/problem.js';
import { writeResult } from './load/setup.js';

// Node's default --max-http-header-size: a request line longer than this never reaches Fastify.
const NODE_HEADER_LIMIT = 16 * 1024;

interface Raw {
  status: number;
  contentType: string | undefined;
  body: string;
}

/**
 * One request on its own connection: after a 431 or 413 the server closes the connection, and a
 * keep-alive client would see the next request on it reset.
 */
function send(base: string, agent: Agent | false, c: HostileCase): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: c.method, path: c.url, headers: { ...c.headers }, agent, timeout: 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    if (c.payload !== undefined) req.end(c.payload);
    else req.end();
  });
}

/** Raw bytes on a socket; resolves with the status line and the rest (bounded: 10 s). */
function raw(base: string, bytes: string): Promise<{ statusLine: string; text: string }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    let text = '';
    const done = (): void => resolve({ statusLine: text.split('\r\n')[0] ?? '', text });
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

test('hostile requests over real HTTP against the server process: every one a 4xx problem, the server unharmed', async (t) => {
  const fx = await startFixture(t, { months: ['2023-01'], perMonth: 3 });
  const job = await buildMonths(await fx.app(), ['2023-01']);
  assert.equal(job.status, 'succeeded');
  const server = await startServerChild({ env: { ...fx.env, ...FAST_ENV, ARGO_GDAC: fx.mirror.url, ARGO_INDEX_STORE: fx.storeDir, LOG_LEVEL: 'warn' } });
  t.after(() => server.stop());
  const before = await (await fetch(`${server.url}/v1/months`)).text();
  fx.mirror.resetStats();

  const agent = false as const;
  // Known-bug cases last: one of them (__proto__) is accepted as a valid query and reads the GDAC.
  const all = hostileCases({ seed: HOSTILE_SEED, token: ADMIN_TOKEN });
  const cases = [...all.filter((c) => !c.knownBug), ...all.filter((c) => c.knownBug)];
  let gdacBeforeKnownBugs: number | undefined;
  const failures: string[] = [];
  const knownBugFailures: string[] = [];
  const byStatus: Record<string, number> = {};
  let overLimit = 0;
  for (const c of cases) {
    if (c.knownBug && gdacBeforeKnownBugs === undefined) gdacBeforeKnownBugs = fx.mirror.stats.requests;
    const tooLong = Buffer.byteLength(c.url) + 64 > NODE_HEADER_LIMIT;
    if (tooLong) overLimit++;
    let answer: Raw;
    try {
      answer = await send(server.url, agent, c);
    } catch (error) {
      // Past the header limit Node answers 431 and closes while the client may still be writing.
      if (tooLong) knownBugFailures.push(`${c.label}: ${String(error)} (431 and close while writing)`);
      else failures.push(`${c.label}: ${String(error)}`);
      continue;
    }
    byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
    // Past Node's header limit the status is Node's (431): any 4xx problem will do.
    const expect = tooLong ? {} : { ...(c.status !== undefined ? { status: c.status } : {}), parameters: c.parameters };
    const issues = problemIssues({ status: answer.status, contentType: answer.contentType, body: answer.body }, expect);
    if (answer.status < 400 || answer.status >= 500) issues.push(`status ${answer.status}`);
    if (issues.length === 0) continue;
    const line = `${c.family} | ${c.label} → ${answer.status} ${answer.contentType ?? ''}: ${[...new Set(issues)].join('; ')} | ${answer.body.slice(0, 160)}`;
    if (c.knownBug || tooLong) knownBugFailures.push(line);
    else failures.push(line);
  }

  const malformed = [
    ['bad Content-Length', 'POST /admin/builds HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    ['two Content-Lengths', 'POST /admin/builds HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['bad chunked body', 'POST /admin/builds HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n'],
    ['space in the request line', 'GET /v1/months /x HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['HTTP/9.9', 'GET /v1/months HTTP/9.9\r\nHost: x\r\n\r\n'],
    ['a header without a colon', 'GET /v1/months HTTP/1.1\r\nHost x\r\n\r\n'],
    ['NUL in the path', 'GET /v1/months/2023-01\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a 20 KiB header', `GET /v1/months HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  ] as const;
  const malformedAnswers: Record<string, string> = {};
  for (const [label, bytes] of malformed) {
    const { statusLine, text } = await raw(server.url, bytes);
    malformedAnswers[label] = statusLine;
    const status = Number(statusLine.split(' ')[1]);
    if (!(status >= 400 && status < 500)) failures.push(`malformed ${label} → ${statusLine || '(no answer)'}`);
    else if (!/content-type: application\/problem\+json/i.test(text)) knownBugFailures.push(`malformed ${label} → ${statusLine}, not problem+json (Node/Fastify client error)`);
  }

  // Without a token configured: a second server.
  const closed = await startServerChild({ env: { ...fx.env, ...FAST_ENV, ARGO_ADMIN_TOKEN: '', ARGO_GDAC: fx.mirror.url, ARGO_INDEX_STORE: fx.storeDir, LOG_LEVEL: 'warn' } });
  t.after(() => closed.stop());
  for (const c of noTokenCases(ADMIN_TOKEN)) {
    const answer = await send(closed.url, agent, c);
    const issues = problemIssues({ status: answer.status, contentType: answer.contentType, body: answer.body }, { status: 403 });
    if (issues.length > 0) failures.push(`no token | ${c.label} → ${answer.status}: ${issues.join('; ')}`);
  }

  assert.ok(server.alive() && closed.alive(), 'the servers survived');
  const after = await (await fetch(`${server.url}/v1/months`)).text();
  const result = {
    cases: cases.length + malformed.length + noTokenCases(ADMIN_TOKEN).length,
    generated: cases.length,
    overNodeHeaderLimit: overLimit,
    statuses: byStatus,
    malformed: malformedAnswers,
    failures: failures.length,
    knownBugFailures: knownBugFailures.length,
    knownBugExamples: knownBugFailures.slice(0, 8),
    gdacRequests: gdacBeforeKnownBugs,
  };
  await writeResult('hostile-http', result);
  t.diagnostic(`hostile over HTTP: ${JSON.stringify(result)}`);
  assert.deepEqual(failures, []);
  assert.equal(after, before, 'the built months are untouched');
  assert.equal(gdacBeforeKnownBugs, 0, 'no hostile request reached the GDAC');
});

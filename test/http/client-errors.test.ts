/**
 * Requests Node's HTTP parser refuses before any route runs are answered with problem+json too,
 * over a real socket (app.inject bypasses the parser): headers over the limit (431) and a request
 * that is not HTTP (400). The connection is closed after the answer.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { build } from '../helpers/build.js';
import { tempDir } from '../month-index/helpers.js';

/** Sends raw bytes and reads until the server closes the connection. */
async function raw(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const socket = connect({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.on('error', () => {}); // the server may reset after answering
  socket.end(request);
  let text = '';
  for await (const chunk of socket) text += chunk.toString('latin1');
  const [head, body = ''] = text.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

test('431 and 400 from the HTTP parser are problem+json', async (t) => {
  const app = await build(t, { env: { ARGO_INDEX_STORE: await tempDir(t, 'store-') } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };

  // Node's default limit on the header block is 16 KiB.
  const tooLarge = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.equal(tooLarge.status, 431);
  assert.match(tooLarge.headers['content-type'], /^application\/problem\+json/);
  assert.equal(tooLarge.headers.connection, 'close');
  assert.equal(Number(tooLarge.headers['content-length']), Buffer.byteLength(tooLarge.body));
  assert.deepEqual(JSON.parse(tooLarge.body), {
    type: 'about:blank',
    title: 'Request Header Fields Too Large',
    status: 431,
    detail: 'The request headers are too large.',
  });

  const garbage = await raw(port, 'THIS IS NOT HTTP\r\n\r\n');
  assert.equal(garbage.status, 400);
  assert.match(garbage.headers['content-type'], /^application\/problem\+json/);
  assert.deepEqual(JSON.parse(garbage.body), { type: 'about:blank', title: 'Bad Request', status: 400, detail: 'The request could not be parsed as HTTP.' });

  // The server still answers normal requests.
  const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(ok.status, 200);
});

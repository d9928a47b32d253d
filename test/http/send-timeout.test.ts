/**
 * The send timeout's watch (src/http/send-timeout.ts) on a real node:http server over loopback:
 * a client that takes no bytes is cut; a server that is slow to produce, and a client that reads
 * slowly but steadily, are not.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { createSendWatch, type SendWatch, type StallDetails } from '../../src/http/send-timeout.js';

const MB = 1024 * 1024;

/** A body of `bytes` bytes made on demand (backpressure respected, as the service's bodies are). */
function body(bytes: number): Readable {
  let left = bytes;
  return new Readable({
    read() {
      const n = Math.min(64 * 1024, left);
      left -= n;
      this.push(n > 0 ? Buffer.alloc(n, 120) : null);
    },
  });
}

interface Served {
  port: number;
  watch: SendWatch;
  /** Each response: whether it finished, and the stall reported for it. */
  responses: { response: ServerResponse; closed: Promise<{ finished: boolean }>; stall?: StallDetails }[];
}

async function serve(t: TestContext, { timeoutMs, respond }: { timeoutMs: number; respond: (res: ServerResponse) => void }): Promise<Served> {
  const responses: Served['responses'] = [];
  const watch = createSendWatch({
    timeoutMs,
    checkEveryMs: 50,
    onStall: (response, details) => {
      const entry = responses.find((r) => r.response === response);
      if (entry) entry.stall = details;
    },
  });
  const server = createServer((_req, res) => {
    const entry: Served['responses'][number] = {
      response: res,
      closed: once(res, 'close').then(() => ({ finished: res.writableFinished })),
    };
    responses.push(entry);
    watch.watch(res);
    respond(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    watch.close();
    server.closeAllConnections();
    server.close();
  });
  return { port: (server.address() as { port: number }).port, watch, responses };
}

function get(port: number): Socket {
  const socket = connect(port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  return socket;
}

test('a client that takes no bytes is cut once the timeout passes, with the bytes still waiting', async (t) => {
  const served = await serve(t, { timeoutMs: 300, respond: (res) => body(64 * MB).pipe(res) });
  const client = get(served.port);
  client.pause();
  t.after(() => client.destroy());
  await once(client, 'connect');
  await sleep(100);
  const [entry] = served.responses;
  const closed = await Promise.race([entry.closed, sleep(10_000, undefined, { ref: false }).then(() => undefined)]);
  assert.deepEqual(closed, { finished: false }, 'the response was cut');
  assert.ok(entry.stall, 'the stall was reported');
  assert.ok(entry.stall.stalledMs >= 300, `after ${entry.stall.stalledMs} ms`);
  assert.ok(entry.stall.waitingBytes > 0);
  assert.equal(served.watch.size, 0);
});

test('a server slow to produce (nothing waiting for the client) is not cut', async (t) => {
  const served = await serve(t, {
    timeoutMs: 200,
    respond: (res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first ');
      // Three timeouts of nothing to send, then the rest.
      setTimeout(() => res.end('and the rest\n'), 700);
    },
  });
  const response = await fetch(`http://127.0.0.1:${served.port}/`);
  assert.equal(await response.text(), 'first and the rest\n');
  assert.deepEqual(await served.responses[0].closed, { finished: true });
  assert.equal(served.responses[0].stall, undefined);
});

test('a client that reads slowly but steadily is not cut', async (t) => {
  const served = await serve(t, { timeoutMs: 1000, respond: (res) => body(8 * MB).pipe(res) });
  const client = get(served.port);
  t.after(() => client.destroy());
  let received = 0;
  // A pause of 20 ms after each chunk: a few MB/s, far slower than the server, never still for long.
  client.on('data', (chunk: Buffer) => {
    received += chunk.length;
    client.pause();
    setTimeout(() => client.resume(), 20);
  });
  while (served.responses.length === 0) await sleep(10);
  const closed = await Promise.race([served.responses[0].closed, sleep(60_000, undefined, { ref: false }).then(() => undefined)]);
  assert.deepEqual(closed, { finished: true }, 'the whole body was sent');
  assert.equal(served.responses[0].stall, undefined);
  while (received < 8 * MB) await sleep(10);
});

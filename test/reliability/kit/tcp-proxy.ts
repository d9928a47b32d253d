/**
 * A loopback TCP proxy in front of a real server (s3rver), to make the network between the service
 * and its index store misbehave the way networks do:
 *
 * - `pass`: bytes flow both ways (the default);
 * - `stall`: every connection, open ones included (keep-alive pools), stops forwarding: bytes are
 *   swallowed both ways and nothing comes back (a black hole: a partition, a hung load balancer).
 *   New connections are accepted and swallowed too. Connections stalled stay stalled after the
 *   mode changes back, as a TCP connection into a black hole does; new ones then pass;
 * - `reset`: every connection, open ones included, is destroyed at once, and new ones are reset as
 *   they arrive (ECONNRESET): the server gone, as a crash or a restart looks to its clients.
 *
 *     const proxy = await startTcpProxy({ targetPort: s3.port });
 *     proxy.setMode('stall'); ... proxy.setMode('pass');
 *     t.after(() => proxy.stop());
 */
import { createConnection, createServer, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'stall' | 'reset';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  setMode(mode: ProxyMode): void;
  /** Connections accepted per mode since the start. */
  readonly counts: Record<ProxyMode, number>;
  stop(): Promise<void>;
}

export async function startTcpProxy(options: { targetPort: number; targetHost?: string }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  const sockets = new Set<Socket>();
  const counts: Record<ProxyMode, number> = { pass: 0, stall: 0, reset: 0 };
  const pairs = new Set<{ holed: boolean; destroy(): void }>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = createServer((client) => {
    track(client);
    counts[mode]++;
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'stall') {
      // Read and drop: the peer's writes succeed, nothing ever comes back.
      client.on('data', () => undefined);
      return;
    }
    const upstream = createConnection({ port: options.targetPort, host: options.targetHost ?? '127.0.0.1' });
    track(upstream);
    const pair = { holed: false, destroy: () => { client.destroy(); upstream.destroy(); } };
    pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      if (!pair.holed) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.holed) client.write(chunk);
    });
    client.on('close', () => {
      pairs.delete(pair);
      upstream.destroy();
    });
    upstream.on('close', () => {
      // Into a black hole the peer's close never arrives either.
      if (!pair.holed) client.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    counts,
    setMode(next) {
      mode = next;
      if (next === 'stall') for (const pair of pairs) pair.holed = true;
      if (next === 'reset') for (const pair of pairs) pair.destroy();
    },
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * One access-log line per request, at info, when its response is done: method, URL, status, time
 * and bytes, on the request's child logger (so with its request id). Fastify's own two lines per
 * request ("incoming request", "request completed") are turned off in app.ts (its LogController):
 * one line per request is what an operator greps and a log pipeline counts.
 *
 * The line is written on the response's 'close', which comes once for every response: finished,
 * or cut short because the client went away (Fastify's onResponse never fires for those).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export default fp(
  async function accessLog(app: FastifyInstance) {
    app.addHook('onRequest', async (request, reply) => {
      const socket = request.raw.socket;
      const bytesAtStart = socket?.bytesWritten ?? 0;
      reply.raw.once('close', () => {
        // Bytes this response put on the connection, headers included, compressed when
        // compressed: streamed bodies have no Content-Length, and a keep-alive connection counts
        // across requests.
        const bytes = Math.max(0, (socket?.bytesWritten ?? 0) - bytesAtStart);
        const ms = Math.round(reply.elapsedTime * 10) / 10;
        // Not finished: the client went away (or the body failed) part-way.
        const cut = !reply.raw.writableFinished;
        request.log.info(
          { method: request.method, url: request.url, status: reply.statusCode, ms, bytes, ...(cut ? { completed: false } : {}) },
          `${request.method} ${request.url} ${reply.statusCode} ${ms} ms ${bytes} B${cut ? ' (not completed)' : ''}`,
        );
      });
    });
  },
  { name: 'access-log' },
);

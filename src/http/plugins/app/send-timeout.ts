/**
 * The send timeout on every response (ARGO_SEND_TIMEOUT_SECONDS, ../../send-timeout.ts): a client
 * that accepts no bytes for that long is disconnected, and the work behind its response cancelled.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createSendWatch } from '../../send-timeout.js';

export interface SendTimeoutPluginOptions {
  /** ARGO_SEND_TIMEOUT_SECONDS in ms. */
  timeoutMs: number;
}

export default fp(
  async function sendTimeoutPlugin(app: FastifyInstance, { timeoutMs }: SendTimeoutPluginOptions) {
    const log = app.log.child({ component: 'send-timeout' });
    const watch = createSendWatch({
      timeoutMs,
      onStall: (response, { stalledMs, waitingBytes }) => {
        log.warn(
          { reqId: response.getHeader('x-request-id'), url: response.req.url?.split('?')[0], stalledMs: Math.round(stalledMs), waitingBytes, timeoutMs },
          'the client accepted no bytes of its response within the send timeout: connection closed',
        );
      },
    });
    // A callback hook, not an async one: it runs on every request, and does nothing that waits.
    app.addHook('onRequest', (_request, reply, done) => {
      watch.watch(reply.raw);
      done();
    });
    app.addHook('onClose', async () => watch.close());
  },
  { name: 'send-timeout' },
);

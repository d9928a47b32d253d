/**
 * Load shedding (@fastify/under-pressure): when the event loop lags past the configured delay,
 * requests are refused with 503 problem+json and `Retry-After` instead of stalling everyone.
 * Liveness and metrics opt out per route (`config.pressureHandler`, see routes/health.ts).
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { OverloadedError } from '../../../errors.js';

export interface UnderPressurePluginOptions {
  /** ARGO_MAX_EVENT_LOOP_DELAY_MS; 0 turns the check off. */
  maxEventLoopDelayMs: number;
}

// A shed request is cheap to retry; a few seconds lets the event loop drain.
const OVERLOAD_RETRY_AFTER_SECONDS = 5;

export default fp(
  async function underPressurePlugin(app: FastifyInstance, options: UnderPressurePluginOptions) {
    await app.register(underPressure, {
      maxEventLoopDelay: options.maxEventLoopDelayMs,
      exposeStatusRoute: false,
      // A rejected promise reaches the error handler (503 problem+json); Retry-After tells clients
      // when to come back.
      pressureHandler: (_request, reply, type, value) => {
        reply.header('Retry-After', String(OVERLOAD_RETRY_AFTER_SECONDS));
        return Promise.reject(
          new OverloadedError({ message: 'The service is overloaded; try again shortly.', context: { type, value } }),
        );
      },
    });
  },
  { name: 'under-pressure', dependencies: ['error-handler'] },
);

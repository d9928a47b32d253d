/**
 * `app.profileResponder`: the query service's answers as HTTP bodies (serialization and the
 * response cache, ../../profile-responder.ts), what `GET /v1/profiles` calls.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createProfileResponder, type ProfileResponder } from '../../profile-responder.js';

declare module 'fastify' {
  interface FastifyInstance {
    profileResponder: ProfileResponder;
  }
}

export interface ProfileResponderPluginOptions {
  /** ARGO_RESPONSE_CACHE_MB in bytes; 0 disables the response cache. */
  cacheBytes: number;
}

export default fp(
  async function profileResponderPlugin(app: FastifyInstance, { cacheBytes }: ProfileResponderPluginOptions) {
    app.decorate(
      'profileResponder',
      createProfileResponder({ query: app.queryService, cacheBytes, logger: app.log.child({ component: 'responses' }) }),
    );
  },
  { name: 'profile-responder', dependencies: ['services'] },
);

/**
 * `app.profileResponder`: the query service's answers as HTTP bodies (serialization and the
 * response cache, ../../profile-responder.ts), what `GET /v1/profiles` calls. Queries go through
 * the cost guard (../../cost-guard.ts) first: a query too costly for one answer is refused (413)
 * once planned, before any level is read.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { withCostGuard } from '../../cost-guard.js';
import { createProfileResponder, type ProfileResponder } from '../../profile-responder.js';

declare module 'fastify' {
  interface FastifyInstance {
    profileResponder: ProfileResponder;
  }
}

export interface ProfileResponderPluginOptions {
  /** ARGO_RESPONSE_CACHE_MB in bytes; 0 disables the response cache. */
  cacheBytes: number;
  /** ARGO_MAX_REQUEST_COST: the most level values one answer may carry; 0 = no ceiling. */
  maxRequestCost: number;
}

export default fp(
  async function profileResponderPlugin(app: FastifyInstance, { cacheBytes, maxRequestCost }: ProfileResponderPluginOptions) {
    const query = withCostGuard(app.queryService, { maxCost: maxRequestCost });
    app.decorate('profileResponder', createProfileResponder({ query, cacheBytes, logger: app.log.child({ component: 'responses' }) }));
  },
  { name: 'profile-responder', dependencies: ['services'] },
);

/** Placeholder: the profiles routes are being written (see the issues). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const profilesRoutes: FastifyPluginAsyncZod = async () => {};

export default profilesRoutes;

/** Placeholder: the months routes are being written (see the issues). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const monthsRoutes: FastifyPluginAsyncZod = async () => {};

export default monthsRoutes;

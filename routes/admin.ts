/** Placeholder: the admin routes are being written (see the issues). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';

const adminRoutes: FastifyPluginAsyncZod = async () => {};

export default adminRoutes;

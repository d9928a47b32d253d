/**
 * Admin routes, behind the bearer token (src/http/plugins/app/admin-auth.ts): start a build of
 * months and follow it. The build runs in the background (`app.builds`, the BuildService's job
 * queue).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { adminSchemas } from '../schemas/admin.js';
import { NotFoundError } from '../src/errors.js';
import adminAuth from '../src/http/plugins/app/admin-auth.js';
import { buildJobView } from '../src/http/views.js';

export interface AdminRoutesOptions {
  /** ARGO_ADMIN_TOKEN; undefined turns the admin routes off (403). */
  adminToken: string | undefined;
}

const SECURITY = [{ bearerAuth: [] }];

const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (app, { adminToken }) => {
  await app.register(adminAuth, { token: adminToken });

  app.post(
    '/admin/builds',
    {
      schema: {
        tags: ['admin'],
        operationId: 'submitBuild',
        summary: 'Build month indexes',
        description:
          'Queues a build of the given months (`months`, or an inclusive range `start`..`end`, at most 600) and answers ' +
          '202 at once with the job and a `Location` to poll. A rebuild downloads only new and changed files (by the GDAC ' +
          'index `date_update`); failed files are listed per month and retried. Asking for months that a queued or ' +
          'running job already builds returns that job. Requires `Authorization: Bearer <ARGO_ADMIN_TOKEN>`.',
        security: SECURITY,
        ...adminSchemas.submit,
      },
    },
    async (request, reply) => {
      const job = app.builds.submit({
        months: request.body.months,
        allowShrink: request.body.allowShrink,
        ...(request.body.datasets ? { datasets: request.body.datasets } : {}),
      });
      return reply.code(202).header('Location', `/admin/builds/${job.id}`).send(buildJobView(job));
    },
  );

  app.get(
    '/admin/builds/:id',
    {
      schema: {
        tags: ['admin'],
        operationId: 'getBuild',
        summary: 'A build job',
        description:
          "A build job's status (queued, running, succeeded, failed), progress in files (done, total, failed) and the " +
          'result of each month written so far. Jobs are kept in memory (the last 200). Requires the bearer token.',
        security: SECURITY,
        ...adminSchemas.get,
      },
    },
    async (request) => {
      const job = app.builds.get(request.params.id);
      if (!job) throw new NotFoundError({ message: `No build job ${request.params.id}.`, context: { id: request.params.id } });
      return buildJobView(job);
    },
  );
};

export default adminRoutes;

/**
 * Admin routes, behind the bearer token (src/http/plugins/app/admin-auth.ts): start a build of
 * months, follow it, list recent builds, cancel one, remove a built month. Builds run in the
 * background (`app.builds`, the BuildService's job queue).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { adminSchemas } from '../schemas/admin.js';
import { DEFAULT_BUILDS_PAGE } from '../schemas/admin.js';
import { NotFoundError, ValidationError } from '../src/errors.js';
import adminAuth from '../src/http/plugins/app/admin-auth.js';
import { buildJobView, removedMonthView } from '../src/http/views.js';

export interface AdminRoutesOptions {
  /** ARGO_ADMIN_TOKEN; undefined turns the admin routes off (403). */
  adminToken: string | undefined;
  /** The clock: a build may name months up to the current one (UTC). Default: the system clock. */
  now?: () => Date;
}

const SECURITY = [{ bearerAuth: [] }];

// How long DELETE /admin/builds/{id} waits for a running job to stop, so the answer usually shows
// it `cancelled`: steps stop at their next I/O, well within this; after it the job is returned
// as it is (still `running`, stopping) and can be polled.
const CANCEL_WAIT_MS = 5000;

const adminRoutes: FastifyPluginAsyncZod<AdminRoutesOptions> = async (app, { adminToken, now = () => new Date() }) => {
  await app.register(adminAuth, { token: adminToken });
  const schemas = adminSchemas({ now });

  app.post(
    '/admin/builds',
    {
      schema: {
        tags: ['admin'],
        operationId: 'submitBuild',
        summary: 'Build month indexes',
        description:
          'Queues a build of the given months (`months`, or an inclusive range `start`..`end`, at most 600, from 1997-01 ' +
          'to the current month) and answers ' +
          '202 at once with the job and a `Location` to poll. A rebuild downloads only new and changed files (by the GDAC ' +
          'index `date_update`); failed files are listed per month and retried. Asking for months that a queued or ' +
          'running job already builds returns that job. Requires `Authorization: Bearer <ARGO_ADMIN_TOKEN>`.',
        security: SECURITY,
        ...schemas.submit,
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
        ...schemas.get,
      },
    },
    async (request) => {
      const job = app.builds.get(request.params.id);
      if (!job) throw new NotFoundError({ message: `No build job ${request.params.id}.`, context: { id: request.params.id } });
      return buildJobView(job);
    },
  );

  app.get(
    '/admin/builds',
    {
      schema: {
        tags: ['admin'],
        operationId: 'listBuilds',
        summary: 'Recent build jobs',
        description:
          'The recent build jobs, newest first: queued and running ones, then the last finished ones (the service keeps ' +
          `200, in memory). Paged: \`limit\` jobs per page (default ${DEFAULT_BUILDS_PAGE}); when more remain, the body's \`next\` ` +
          'and a `Link: <...>; rel="next"` header give the next page\'s URL. Requires the bearer token.',
        security: SECURITY,
        ...schemas.list,
      },
    },
    async (request, reply) => {
      const { limit = DEFAULT_BUILDS_PAGE, cursor } = request.query;
      const jobs = app.builds.list();
      let from = 0;
      if (cursor !== undefined) {
        const at = jobs.findIndex((job) => job.id === cursor);
        if (at < 0) {
          throw new ValidationError({
            message: `cursor: job ${cursor} is no longer kept; list again from the first page`,
            issues: [{ parameter: 'cursor', message: 'names a job no longer kept; list again from the first page' }],
          });
        }
        from = at + 1;
      }
      const page = jobs.slice(from, from + limit);
      const more = from + limit < jobs.length && page.length > 0;
      const next = more ? `/admin/builds?limit=${limit}&cursor=${page[page.length - 1].id}` : undefined;
      if (next) reply.header('Link', `<${next}>; rel="next"`);
      return { builds: page.map(buildJobView), ...(next ? { next } : {}) };
    },
  );

  app.delete(
    '/admin/builds/:id',
    {
      schema: {
        tags: ['admin'],
        operationId: 'cancelBuild',
        summary: 'Cancel a build job',
        description:
          'Cancels a queued job (it never runs) or a running one (it stops promptly). Months the job finished are kept; ' +
          'every other month stays exactly as it was (a month version is published whole or not at all). Answers the ' +
          'job, `cancelled` once it has stopped (a running job is waited for a few seconds); cancelling a finished job ' +
          'changes nothing and answers it as it is. Requires the bearer token.',
        security: SECURITY,
        ...schemas.cancel,
      },
    },
    async (request) => {
      const { id } = request.params;
      const was = app.builds.cancel(id);
      if (was === undefined) throw new NotFoundError({ message: `No build job ${id}.`, context: { id } });
      if (was === 'running') {
        await app.builds.wait(id, { signal: AbortSignal.timeout(CANCEL_WAIT_MS) }).catch(() => undefined);
      }
      const job = app.builds.get(id);
      if (!job) throw new NotFoundError({ message: `No build job ${id}.`, context: { id } });
      return buildJobView(job);
    },
  );

  app.delete(
    '/admin/months/:month',
    {
      schema: {
        tags: ['admin'],
        operationId: 'removeMonth',
        summary: 'Remove a month',
        description:
          "Removes a built month: every version of its month index is deleted from the index store, then its master index " +
          'entry and its platform map entry. Queries stop serving it at once (other replicas within the master cache TTL); ' +
          'it is listed again only when built again. Refused (409) while a queued or running job builds the month. ' +
          'Requires the bearer token.',
        security: SECURITY,
        ...schemas.removeMonth,
      },
    },
    async (request) => {
      const { month } = request.params;
      const removed = await app.builds.removeMonth(month);
      if (!removed) throw new NotFoundError({ message: `Month ${month} has no built index.`, context: { month } });
      return removedMonthView(removed);
    },
  );
};

export default adminRoutes;

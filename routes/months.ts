/** `GET /v1/months` and `GET /v1/months/{month}`: the built months (`app.catalog`, cached). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { monthsSchemas } from '../schemas/months.js';
import { NotFoundError } from '../src/errors.js';
import { monthDetailView, monthSummaryView } from '../src/http/views.js';

const monthsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/v1/months',
    {
      schema: {
        tags: ['months'],
        operationId: 'listMonths',
        summary: 'List the built months',
        description:
          'The months that have a built index, oldest first, each with its profile count, first and last profile time, ' +
          'build time and the number of files that failed at its last build. A query over a month not listed here ' +
          'reports it in `X-Argo-Months-Missing`. Each entry names its `dataset`: the core months (`phy`) first, then ' +
          'the BGC months (`bgc`, synthetic profile files; their parameters are in GET /v1/months/{month}?dataset=bgc).',
        ...monthsSchemas.list,
      },
    },
    async () => {
      // Core months as they always were, then the BGC months; each names its dataset.
      const [phy, bgc] = await Promise.all([app.catalog.listMonths(), app.bgcCatalog.listMonths()]);
      return [...phy.map((m) => monthSummaryView(m, 'phy')), ...bgc.map((m) => monthSummaryView(m, 'bgc'))];
    },
  );

  app.get(
    '/v1/months/:month',
    {
      schema: {
        tags: ['months'],
        operationId: 'getMonth',
        summary: "One month's summary and failures",
        description:
          "One built month: the summary of GET /v1/months plus the number of files excluded (no valid time or position), " +
          'the GDAC it was built from, and every file that could not be downloaded or read at its last build (the next ' +
          'build retries them). With dataset=bgc, the BGC month, with the `parameters` its profiles have (units and names ' +
          'from the files). 404 when the month has no built index; 400 when the month is not YYYY-MM.',
        ...monthsSchemas.detail,
      },
    },
    async (request) => {
      const { month } = request.params;
      const { dataset } = request.query;
      const detail = await (dataset === 'bgc' ? app.bgcCatalog : app.catalog).monthDetail(month);
      if (!detail) throw new NotFoundError({ message: `Month ${month} has no built ${dataset === 'bgc' ? 'BGC ' : ''}index.`, context: { month, dataset } });
      return monthDetailView(detail, dataset);
    },
  );
};

export default monthsRoutes;

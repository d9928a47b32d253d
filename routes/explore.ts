/**
 * `GET /explore`: the explorer page. Its state is its query string (the `/v1/profiles`
 * parameters), read by the page's own scripts, so the route sends the same file for every query.
 *
 * Assets, all from the service itself (no CDN, no tile server, no build step):
 * - `/explore/assets/*`: the page's modules and styles (`web/explore/`);
 * - `/explore/vendor/<file>`: the UMD builds of d3, Observable Plot and topojson-client, and the
 *   world-atlas coastlines, straight from node_modules. Only the files listed here are served.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { join } from 'node:path';
import { z } from 'zod';
import { htmlPageResponses } from '../schemas/pages.js';
import { NotFoundError } from '../src/errors.js';
import { addPageHeaders, servePagesUnderLoad, packageDir, WEB_ROOT } from '../src/http/plugins/app/pages.js';

/** URL name → [package, file inside it]. */
const VENDOR_FILES = {
  'd3.min.js': ['d3', 'dist/d3.min.js'],
  'plot.umd.min.js': ['@observablehq/plot', 'dist/plot.umd.min.js'],
  'topojson-client.min.js': ['topojson-client', 'dist/topojson-client.min.js'],
  'land-50m.json': ['world-atlas', 'land-50m.json'],
} as const satisfies Record<string, readonly [string, string]>;

const PAGE_ROOT = join(WEB_ROOT, 'explore');

const DESCRIPTION = [
  'The explorer: a web page, served by the service itself, that maps the profiles of a window',
  '(positions from `fields=positions`, coloured by time or data mode, float tracks as lines), plots',
  'a clicked profile\'s temperature and salinity against depth, a T/S diagram of the window and a',
  'temperature section of one float, says in words what matched (and why nothing did), and offers',
  'download links and a Python snippet for the same query.',
  '',
  'Its state is its query string, which takes the parameters of `GET /v1/profiles` (start, end,',
  'bbox, mode, variables, platform, depth, vertical, max_profiles), so a view is a shareable link;',
  'with no parameters it opens the first built month. The page checks nothing itself: the',
  'parameters are validated by `/v1/profiles`, and its problems are shown on the page.',
].join('\n');

const exploreRoutes: FastifyPluginAsyncZod = async (app) => {
  // Resolved once, at start-up: a missing package stops the service here, not at a page load.
  const vendor = new Map(Object.entries(VENDOR_FILES).map(([file, [name, path]]) => [file, { root: packageDir(name), path }]));
  addPageHeaders(app);
  servePagesUnderLoad(app);
  await app.register(fastifyStatic, { root: PAGE_ROOT, prefix: '/explore/assets/', index: false, wildcard: true });

  app.get(
    '/explore',
    {
      schema: {
        tags: ['pages'],
        operationId: 'explorePage',
        summary: 'The explorer page',
        description: DESCRIPTION,
        response: htmlPageResponses,
      },
    },
    async (request, reply) => {
      // The page's links are relative (so it works behind a path prefix): `/explore/` would break
      // them, so it goes to `/explore` (the router treats both as this route), by a relative
      // Location that keeps any prefix.
      const q = request.url.indexOf('?');
      const [path, query] = q < 0 ? [request.url, ''] : [request.url.slice(0, q), request.url.slice(q)];
      if (path.endsWith('/')) return reply.redirect(`../explore${query}`, 308);
      return reply.sendFile('index.html');
    },
  );

  app.get(
    '/explore/vendor/:file',
    { schema: { hide: true, params: z.object({ file: z.string() }) } },
    async (request, reply) => {
      const { file } = request.params;
      const asset = vendor.get(file);
      if (!asset) throw new NotFoundError({ message: `no such asset: ${file}`, context: { file } });
      return reply.sendFile(asset.path, asset.root);
    },
  );
};

export default exploreRoutes;

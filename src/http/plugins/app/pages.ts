/**
 * What the service's own web pages (`GET /`, `GET /explore`) share: where their files live, how an
 * installed front-end package is found, and the headers every page response carries.
 *
 * The pages run under a strict Content-Security-Policy: scripts, styles, fonts, images and fetches
 * from the service's origin only, no inline script or style, no plugins, no framing. Everything the
 * pages use (their modules, d3, Observable Plot, topojson-client, the world-atlas coastlines) is
 * served by the service itself, so the pages work with no internet. `img-src data:` is there for
 * the colour ramps Observable Plot draws into a canvas and embeds as images.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The nearest folder at or above `start` holding a package.json named `name` (any name if absent). */
function findPackageDir(start: string, name?: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      if (name === undefined) return dir;
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
      } catch {
        // A manifest that does not parse is not the package we look for: keep climbing.
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The service's own root (this module is src/http/plugins/app/ from the sources, dist/src/http/plugins/app/ once
 * compiled: the first folder above with a package.json is the package either way).
 */
const PACKAGE_ROOT = findPackageDir(HERE) ?? join(HERE, '..', '..', '..', '..');

/** The pages' files: `web/<page>/`. */
export const WEB_ROOT = join(PACKAGE_ROOT, 'web');

const requireFromHere = createRequire(import.meta.url);

/**
 * The folder of an installed npm package. Resolved through Node's resolution (so hoisting and
 * workspaces are respected), then up to the package's own package.json, because packages with an
 * `exports` map (d3, Plot) do not export their UMD files or their package.json as subpaths.
 */
export function packageDir(name: string): string {
  let entry: string;
  try {
    entry = requireFromHere.resolve(`${name}/package.json`);
  } catch {
    entry = requireFromHere.resolve(name);
  }
  const dir = findPackageDir(dirname(entry), name);
  if (dir === undefined) throw new Error(`cannot find the folder of the package ${name} (from ${entry})`);
  return dir;
}

/** Adds the pages' security headers to every response of the (encapsulated) plugin `app`. */
export function addPageHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('Content-Security-Policy', PAGE_CSP);
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'same-origin');
    return payload;
  });
}

/**
 * Exempts every route of the (encapsulated) plugin `app` from load shedding (under-pressure), as
 * `/healthz` is. A page and its files are cheap to send (static files, mostly 304s), and a shed
 * one breaks the page without a word: a module script answered 503 never runs, so the explorer
 * stayed blank after a second of event-loop lag (seen in tests on a busy runner, right after the
 * server started). The page's own API requests are still shed, and the page shows their problem.
 */
export function servePagesUnderLoad(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object | undefined), pressureHandler: () => undefined } as typeof route.config;
  });
}

/**
 * Bearer-token guard for the admin routes: register it inside the admin routes' plugin, so its
 * hook covers exactly those routes.
 *
 * - No token configured (ARGO_ADMIN_TOKEN unset or empty): every request is refused with 403
 *   (the admin routes are off), whatever it carries.
 * - Missing, empty or malformed `Authorization: Bearer <token>`, or a wrong token: 401 with
 *   `WWW-Authenticate: Bearer`.
 * - The comparison is constant-time: both tokens are hashed with SHA-256 and the digests compared
 *   with `crypto.timingSafeEqual` (equal lengths whatever the input, so neither the length nor the
 *   first differing byte leaks through timing).
 * - It runs at `onRequest`, before the body is parsed: an anonymous caller learns nothing from
 *   validation errors.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ForbiddenError, UnauthorizedError } from '../../../errors.js';

export interface AdminAuthOptions {
  /** The configured admin token; undefined turns the admin routes off. */
  token: string | undefined;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

// Everything after the scheme is the token (a configured token may hold any characters).
const BEARER = /^Bearer[ \t]+(\S(?:.*\S)?)[ \t]*$/i;

/** Whether the Authorization header carries the expected token (constant-time). */
export function bearerMatches(header: string | undefined, expectedDigest: Buffer): boolean | 'missing' {
  const match = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!match) return 'missing';
  return timingSafeEqual(digest(match[1]), expectedDigest);
}

export default fp(
  async function adminAuth(app: FastifyInstance, options: AdminAuthOptions) {
    const token = options.token?.trim() ? options.token : undefined;
    const expected = token === undefined ? undefined : digest(token);
    app.addHook('onRequest', async (request, reply) => {
      if (expected === undefined) {
        throw new ForbiddenError({
          message: 'The admin routes are disabled: no admin token is configured (ARGO_ADMIN_TOKEN).',
          context: { route: request.routeOptions.url },
        });
      }
      const result = bearerMatches(request.headers.authorization, expected);
      if (result === true) return;
      reply.header('WWW-Authenticate', result === 'missing' ? 'Bearer realm="admin"' : 'Bearer realm="admin", error="invalid_token"');
      throw new UnauthorizedError({
        message: result === 'missing' ? 'Missing bearer token: send Authorization: Bearer <token>.' : 'Invalid bearer token.',
        context: { route: request.routeOptions.url },
      });
    });
  },
  { name: 'admin-auth' },
);

/**
 * Response compression (@fastify/compress), when the client asks for it (Accept-Encoding).
 */
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

// Bodies under 1 KB gain nothing from compression.
const THRESHOLD_BYTES = 1024;

export default fp(
  async function compressPlugin(app: FastifyInstance) {
    await app.register(compress, {
      global: true,
      threshold: THRESHOLD_BYTES,
      // gzip before br: brotli's default quality costs too much CPU on a streamed response.
      encodings: ['gzip', 'br', 'deflate'],
      // NDJSON and CSV are text too: @fastify/compress's default list misses application/x-ndjson.
      customTypes: /^(application\/(x-ndjson|json|problem\+json)|text\/)/,
    });
  },
  { name: 'compress' },
);

/**
 * The service's web pages, for the OpenAPI document: an HTML body. Zod only.
 */
import { z } from 'zod';

export const htmlPageResponses = {
  200: {
    description: 'The HTML page. Its scripts and styles come from the service itself (no CDN), under a strict Content-Security-Policy.',
    content: { 'text/html': { schema: z.string().meta({ example: '<!doctype html>…' }) } },
  },
};

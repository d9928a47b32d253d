/**
 * Answers to requests Node's HTTP parser refuses before Fastify sees them (the server's
 * 'clientError'): headers too large (431), a request that took too long to arrive (408), and
 * malformed requests (400). They are problem+json like every other error of the API, and the
 * connection is closed: after a parse error nothing more on it can be trusted.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemBody } from './plugins/app/error-handler.js';

const DETAIL_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'The request could not be parsed as HTTP.',
  408: 'The request did not arrive in time.',
  431: 'The request headers are too large.',
};

/** The status Node's parser error stands for. */
export function clientErrorStatus(error: NodeJS.ErrnoException): number {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 431;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  return 400;
}

/** Fastify's `clientErrorHandler`: writes the problem on the raw socket and closes it. */
export function createClientErrorHandler(log: FastifyBaseLogger): (error: NodeJS.ErrnoException, socket: Socket) => void {
  return (error, socket) => {
    // A reset connection, or one already gone: nobody to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status = clientErrorStatus(error);
    log.debug({ err: error, status }, 'client error before routing');
    if (socket.writable) {
      const body = JSON.stringify(problemBody({ status, detail: DETAIL_BY_STATUS[status] }));
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
          `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy(error);
  };
}

/**
 * One error handler for the whole app: tagged errors → status (src/errors.ts), validation
 * failures → 400 problem+json naming each bad parameter, 5xx → generic body and a detailed log.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  type ParameterIssue,
  TITLE_BY_STATUS,
  ValidationError,
  isAbortError,
  isAppError,
  publicMessage,
  statusOf,
} from '../../../errors.js';

const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  request_id?: string;
  errors?: ParameterIssue[];
  /** Extension members (RFC 9457 §3.2), e.g. `cost` of a 413. */
  [member: string]: unknown;
}

export function problemBody(options: {
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: ParameterIssue[];
  /** Extension members; they never replace a standard member. */
  members?: Readonly<Record<string, unknown>>;
}): ProblemBody {
  const body: ProblemBody = {
    type: 'about:blank',
    title: TITLE_BY_STATUS[options.status] ?? STATUS_CODES[options.status] ?? 'Error',
    status: options.status,
    detail: options.detail,
    ...(options.instance ? { instance: options.instance } : {}),
    ...(options.requestId ? { request_id: options.requestId } : {}),
    ...(options.errors ? { errors: options.errors } : {}),
  };
  for (const [name, value] of Object.entries(options.members ?? {})) {
    if (!Object.hasOwn(body, name)) body[name] = value;
  }
  return body;
}

/** One entry of the zod type provider's `error.validation` (the zod issue, flattened). */
interface ZodValidationEntry {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[] };
}

/** Turns the zod type provider's validation entries into named parameter issues. */
export function issuesFromValidation(entries: readonly ZodValidationEntry[], context: string | undefined): ParameterIssue[] {
  const issues: ParameterIssue[] = [];
  for (const entry of entries) {
    const fromPath = (entry.instancePath ?? '').replace(/^\//, '').split('/').filter(Boolean).join('.');
    const message = entry.message ?? 'invalid value';
    const keys = entry.params?.keys;
    if (entry.keyword === 'unrecognized_keys' && keys?.length) {
      for (const key of keys) issues.push({ parameter: fromPath ? `${fromPath}.${key}` : key, message: 'unknown parameter' });
      continue;
    }
    issues.push({ parameter: fromPath || context || 'request', message });
  }
  return issues;
}

function toValidationError(error: FastifyError): ValidationError | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = issuesFromValidation(error.validation as ZodValidationEntry[], error.validationContext);
    return new ValidationError({ message: describeIssues(issues), issues, cause: error });
  }
  if (error.code === 'FST_ERR_BAD_URL') {
    const issues = [{ parameter: 'path', message: 'malformed percent-encoding in the URL path' }];
    return new ValidationError({ message: describeIssues(issues), issues, cause: error });
  }
  // Body parser failures (bad or empty JSON, a forbidden __proto__ key) name the body.
  if (error.code?.startsWith('FST_ERR_CTP_') && error.statusCode === 400) {
    const issues = [{ parameter: 'body', message: error.message }];
    return new ValidationError({ message: describeIssues(issues), issues, cause: error });
  }
  return undefined;
}

export function describeIssues(issues: readonly ParameterIssue[]): string {
  return `Invalid request: ${issues.map((i) => `${i.parameter}: ${i.message}`).join('; ')}`;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, rawError: unknown): FastifyReply {
  const error = (rawError instanceof Error && toValidationError(rawError as FastifyError)) || rawError;
  const status = statusOf(error);
  const errors = error instanceof ValidationError ? error.issues : undefined;
  // Like the message, extension members are for callers only on a 4xx.
  const members = status < 500 && isAppError(error) ? error.problemMembers : undefined;
  const body = problemBody({
    status,
    detail: publicMessage(error, status),
    instance: request.url.split('?')[0],
    requestId: String(request.id),
    errors,
    members,
  });
  // Plain JSON: a route's response schema for this status describes its success body, not a problem.
  return reply.code(status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
}

export default fp(
  async function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((rawError: FastifyError, request, reply) => {
      const error = toValidationError(rawError) ?? rawError;
      const status = statusOf(error);
      // The access log (access-log.ts) already has one line per request with its status: a
      // client's mistake or departure adds nothing at info; a server failure gets its detail.
      if (isAbortError(error)) {
        request.log.debug({ err: error }, 'request aborted by the client');
      } else if (status >= 500) {
        request.log.error({ err: error, context: isAppError(error) ? error.context : undefined }, 'request failed');
      } else {
        request.log.debug({ err: { message: (error as Error).message, tag: isAppError(error) ? error.tag : undefined } }, 'request rejected');
      }
      if (reply.sent || reply.raw.headersSent) return;
      return sendProblem(request, reply, error);
    });

    // Object-model keys are never parameters, and schema parsing would drop them silently (they
    // cannot be copied onto a plain object): refuse them by name before validation.
    app.addHook('preValidation', async (request) => {
      const query = request.query as Record<string, unknown> | undefined;
      if (!query || typeof query !== 'object') return;
      const bad = FORBIDDEN_KEYS.filter((key) => Object.hasOwn(query, key));
      if (bad.length > 0) {
        const issues = bad.map((parameter) => ({ parameter, message: 'unknown parameter' }));
        throw new ValidationError({ message: describeIssues(issues), issues });
      }
    });

    app.setNotFoundHandler((request, reply) => {
      const body = problemBody({
        status: 404,
        detail: `No route ${request.method} ${request.url.split('?')[0]}. See /docs for the API.`,
        instance: request.url.split('?')[0],
        requestId: String(request.id),
      });
      return reply.code(404).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
    });
  },
  { name: 'error-handler' },
);

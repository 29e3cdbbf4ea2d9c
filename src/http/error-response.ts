/**
 * One error shape for every failure: `{ error: { code, message, field? } }`. Expected failures
 * (BreachdeskError, schema validation, Fastify's own refusals of a request) say what was wrong;
 * anything else is our fault and the client learns only a reference to the log line.
 */
import type { FastifyBaseLogger } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { BreachdeskError } from '../domain/errors.ts';
import { frameworkRefusal } from './framework-refusals.ts';

export interface ErrorResponse {
  status: number;
  body: { error: { code: string; message: string; field?: string; ref?: string } };
}

/** What a request needs for an error answer: its id (the reference) and its logger. */
export interface ErrorContext {
  id: string;
  log: FastifyBaseLogger;
  /** The route's options, when the request reached one (its body limit is named in a 413). */
  routeOptions?: { bodyLimit?: number };
}

/** The status and body answering `error`; an unexpected error is logged in full here. */
export function toErrorResponse(error: unknown, request: ErrorContext): ErrorResponse {
  if (error instanceof BreachdeskError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, field: error.field } },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const first = error.validation[0];
    const where = error.validationContext ?? 'body';
    // No path (an empty query key, the body as a whole): the part of the request is the field.
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || `(${where})`;
    return {
      status: 400,
      body: {
        error: {
          code: 'BD_REQUEST_INVALID',
          message: `${where} ${field}: ${first?.message ?? 'invalid'}`,
          field,
        },
      },
    };
  }

  const e = error as { statusCode?: number; code?: string };
  const refusal = frameworkRefusal(e.code, e.statusCode, {
    bodyLimit: request.routeOptions?.bodyLimit,
  });
  if (refusal) {
    request.log.debug({ code: e.code, status: refusal.status }, 'request refused');
    const { status, code, message, field } = refusal;
    return { status, body: { error: { code, message, field } } };
  }

  const ref = request.id;
  request.log.error({ err: error, ref }, 'internal error');
  return {
    status: 500,
    body: { error: { code: 'BD_INTERNAL', message: `internal error; reference ${ref}`, ref } },
  };
}

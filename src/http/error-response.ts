/**
 * One error shape for every failure: `{ error: { code, message, field? } }`. Expected failures
 * (BreachdeskError, schema validation, Fastify's own refusals of a request) say what was wrong;
 * anything else is our fault and the client learns only a reference to the log line.
 */
import type { FastifyBaseLogger } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { BreachdeskError } from '../domain/errors.ts';

export interface ErrorResponse {
  status: number;
  body: { error: { code: string; message: string; field?: string; ref?: string } };
}

/** What a request needs for an error answer: its id (the reference) and its logger. */
export interface ErrorContext {
  id: string;
  log: FastifyBaseLogger;
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
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(body)';
    const where = error.validationContext ?? 'body';
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

  const e = error as { statusCode?: number; code?: string; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      body: { error: { code: 'BD_REQUEST_TOO_LARGE', message: 'request body is over the limit' } },
    };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return {
      status: 400,
      body: { error: { code: 'BD_REQUEST_INVALID', message: `malformed JSON body: ${e.message}` } },
    };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: { error: { code: 'BD_REQUEST_INVALID', message: 'send application/json' } },
    };
  }
  // Only Fastify's own request errors describe the request; a 4xx status on anything else (a
  // database driver, a mail library) describes our internals and must not reach the client.
  if (isFastifyRequestError(e)) {
    return {
      status: e.statusCode,
      body: { error: { code: 'BD_REQUEST_INVALID', message: e.message ?? 'bad request' } },
    };
  }

  const ref = request.id;
  request.log.error({ err: error, ref }, 'internal error');
  return {
    status: 500,
    body: { error: { code: 'BD_INTERNAL', message: `internal error; reference ${ref}`, ref } },
  };
}

function isFastifyRequestError(e: {
  statusCode?: number;
  code?: string;
}): e is { statusCode: number; code: string; message?: string } {
  return (
    typeof e.code === 'string' &&
    e.code.startsWith('FST_') &&
    typeof e.statusCode === 'number' &&
    e.statusCode >= 400 &&
    e.statusCode < 500
  );
}

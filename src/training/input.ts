/**
 * Input checks shared by training records and the on-call rota: instants that carry their
 * offset, and strict objects whose refusal names the unexpected field itself.
 */
import { z } from 'zod';
import { type ErrorCode, fail } from '../domain/errors.ts';
import { parseOrFail } from '../domain/validate.ts';

// A bare wall-clock time would mean different instants on different hosts.
export const instantInput = z.iso.datetime({
  offset: true,
  message: 'ISO 8601 date and time with Z or an offset',
});

/** Parses `input` with a strict object schema; an unknown key is refused by its own name. */
export function parseStrict<S extends z.ZodObject>(
  schema: S,
  input: unknown,
  code: ErrorCode,
): z.output<S> {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const unknown = Object.keys(input).find((k) => !Object.hasOwn(schema.shape, k));
    if (unknown !== undefined) {
      const known = Object.keys(schema.shape).join(', ');
      fail(code, `${unknown} is not a field here; the fields are ${known}`, unknown);
    }
  }
  return parseOrFail(schema, input, code);
}

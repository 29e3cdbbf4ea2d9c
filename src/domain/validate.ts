/**
 * Turns a zod schema failure into the catalogue's coded error, naming the first bad field
 * by its path (e.g. `tenants[2].breachContacts[0].email`) and what was wrong with it.
 */
import type { z } from 'zod';
import { type ErrorCode, fail } from './errors.ts';

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(body)';
}

/** Parses `input` with `schema` or throws `code` naming the first offending field. */
export function parseOrFail<S extends z.ZodType>(
  schema: S,
  input: unknown,
  code: ErrorCode,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  const field = fieldPath(issue?.path ?? []);
  fail(code, `${field}: ${issue?.message ?? 'invalid value'}`, field);
}

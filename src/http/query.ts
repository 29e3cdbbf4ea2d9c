/**
 * Query strings, read strictly. A number is plain decimal digits within its range: Number()
 * and z.coerce.number() would also take 0x10, 1e2, " 5", "5 " and read an empty value as 0.
 * A key the route does not read is refused, naming it and the keys it does read, so that a
 * misspelt `limt=5` is a 400 rather than a page of the default size. Refusals reach the client
 * as BD_REQUEST_INVALID naming the field (src/http/error-response.ts).
 */
import { z } from 'zod';

// Sixteen digits hold every safe integer; longer text is refused before Number() rounds it.
const DIGITS = /^\d{1,16}$/;

/** A whole number from `min` to `max` written in decimal digits only; refusals state both. */
export function wholeNumber(min: number, max: number) {
  const range = `must be a whole number from ${min} to ${max}, in decimal digits only`;
  return z
    .string({ error: `${range}, given once` })
    .regex(DIGITS, range)
    .transform(Number)
    .pipe(z.number().min(min, range).max(max, range));
}

/**
 * The query of a route that reads the keys of `shape` and nothing else. Each other key is
 * refused with its own name as the field: z.strictObject would report them all at the root,
 * which the error answer names as no field at all.
 */
export function strictQuery<Shape extends z.ZodRawShape>(shape: Shape) {
  const keys = Object.keys(shape);
  const reads = keys.length === 0 ? 'send nothing in the query' : `send only ${keys.join(', ')}`;
  return (
    z
      .looseObject(shape)
      .superRefine((query, ctx) => {
        for (const key of Object.keys(query)) {
          if (Object.hasOwn(shape, key)) continue;
          ctx.addIssue({ code: 'custom', path: [key], message: `is not a query field; ${reads}` });
        }
      })
      // What /openapi.json shows: the keys above and no others, as enforced here.
      .meta({ additionalProperties: false })
  );
}

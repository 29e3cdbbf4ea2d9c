/**
 * Matching observables by kind, value and the tags an adapter gave them, leaving room for the
 * tags canonicalisation adds itself (a hash's algorithm), so adapter tests do not pin details
 * that belong to src/intake/observables.ts.
 */
import { expect } from 'vitest';

/** Matches an observable of `kind` and canonical `value` carrying at least `tags`. */
export function observable(kind: string, value: string, ...tags: string[]): unknown {
  return expect.objectContaining({ kind, value, tags: expect.arrayContaining(tags) as unknown });
}

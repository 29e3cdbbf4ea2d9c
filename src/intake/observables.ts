/**
 * Indicators named in a signal, in canonical form so that the same thing written two ways
 * compares equal. Adapters hand over what they read; anything that does not canonicalise is
 * dropped (an observable is an aid to correlation, never a reason to refuse a record).
 */
import type { Observable, ObservableKind } from '../domain/types.ts';
import { ipOrNull } from './outcome.ts';

/** One candidate indicator as an adapter read it: any value, and the role it plays. */
export interface ObservableInput {
  kind: ObservableKind;
  value: unknown;
  tag?: string;
}

/**
 * Canonicalises each candidate, drops the ones that are not valid for their kind, and merges
 * duplicates (same kind and canonical value) into one observable carrying all their tags.
 */
export function collectObservables(inputs: readonly ObservableInput[]): Observable[] {
  const byKey = new Map<string, Observable>();

  for (const input of inputs) {
    const canonical = canonicalObservable(input.kind, input.value);
    if (canonical === null) continue;

    const key = `${input.kind}\u0000${canonical.value}`;
    const seen = byKey.get(key);
    const observable = seen ?? { kind: input.kind, ...canonical, tags: [] };
    if (input.tag && !observable.tags.includes(input.tag)) observable.tags.push(input.tag);
    if (!seen) byKey.set(key, observable);
  }

  for (const observable of byKey.values()) observable.tags.sort();
  return [...byKey.values()];
}

/** The canonical value (and display form where it differs) of one indicator, or null. */
export function canonicalObservable(
  kind: ObservableKind,
  value: unknown,
): { value: string; display?: string } | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;

  const text = String(value).normalize('NFC').trim();
  if (!text || text.length > 2048) return null;

  if (kind === 'ip') {
    const ip = ipOrNull(text);
    return ip === null ? null : { value: ip };
  }
  return { value: text };
}

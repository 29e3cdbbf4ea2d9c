/**
 * Indicators named in a signal, in canonical form so that the same thing written two ways
 * compares equal. Adapters hand over what they read; anything that does not canonicalise is
 * dropped (an observable is an aid to correlation, never a reason to refuse a record).
 * docs/observables.md states the rule for each kind.
 */
import type { Observable, ObservableKind } from '../domain/types.ts';
import { canonicalCidr, canonicalIp } from './observables/address.ts';
import type { Canonical } from './observables/canonical.ts';
import {
  canonicalCve,
  canonicalHash,
  canonicalPrincipal,
  canonicalResource,
} from './observables/identity.ts';
import { canonicalDomain, canonicalEmail, canonicalUrl } from './observables/name.ts';

export { extractObservables } from './observables/extract.ts';

/** One candidate indicator as an adapter read it: any value, and the role it plays. */
export interface ObservableInput {
  kind: ObservableKind;
  value: unknown;
  tag?: string;
}

/** Longest value considered, in characters; longer input is not an indicator but a blob. */
export const MAX_OBSERVABLE_LENGTH = 2048;

/** Most elements read from one array value (a record's list of addresses). */
const MAX_ARRAY_VALUES = 1000;

const CANONICALISERS: Record<ObservableKind, (text: string) => Canonical | null> = {
  ip: canonicalIp,
  cidr: canonicalCidr,
  domain: canonicalDomain,
  url: canonicalUrl,
  email: canonicalEmail,
  hash: canonicalHash,
  principal: canonicalPrincipal,
  resource: canonicalResource,
  cve: canonicalCve,
};

/**
 * Canonicalises each candidate, drops the ones that are not valid for their kind, and merges
 * duplicates (same kind and canonical value) into one observable carrying all their tags.
 * A value may be an array of candidates of the same kind (one level deep). Hashes also carry
 * their algorithm (`md5`, `sha1`, `sha256`, `sha512`) as a tag.
 */
export function collectObservables(inputs: readonly ObservableInput[]): Observable[] {
  const byKey = new Map<string, Observable>();

  for (const input of inputs) {
    const values = Array.isArray(input.value)
      ? (input.value as unknown[]).slice(0, MAX_ARRAY_VALUES)
      : [input.value];

    for (const value of values) {
      const canonical = canonicalObservable(input.kind, value);
      if (canonical === null) continue;

      const key = `${input.kind}\u0000${canonical.value}`;
      const observable = byKey.get(key) ?? newObservable(input.kind, canonical);
      byKey.set(key, observable);
      for (const tag of [...(canonical.tags ?? []), input.tag]) addTag(observable, tag);
    }
  }

  for (const observable of byKey.values()) observable.tags.sort();
  return [...byKey.values()];
}

/**
 * The canonical value (and display form where it differs) of one indicator, or null when the
 * value is not a valid one of `kind`. Text is trimmed and normalised to NFC first, so that
 * composed and decomposed spellings of the same characters compare equal. Never throws.
 * `tags` lists roles the value implies by itself (a hash's algorithm).
 */
export function canonicalObservable(kind: ObservableKind, value: unknown): Canonical | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;

  const text = String(value).normalize('NFC').trim();
  if (!text || text.length > MAX_OBSERVABLE_LENGTH) return null;

  const canonicalise = Object.hasOwn(CANONICALISERS, kind) ? CANONICALISERS[kind] : undefined;
  return canonicalise === undefined ? null : canonicalise(text);
}

function newObservable(kind: ObservableKind, canonical: Canonical): Observable {
  const observable: Observable = { kind, value: canonical.value, tags: [] };
  if (canonical.display !== undefined) observable.display = canonical.display;
  return observable;
}

function addTag(observable: Observable, tag: string | undefined): void {
  if (tag && !observable.tags.includes(tag)) observable.tags.push(tag);
}

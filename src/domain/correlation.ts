/**
 * Which investigation a new signal belongs to. Two relations are told apart:
 * - the same thing again: same fingerprint inside the window ⇒ a duplicate on that
 *   investigation (counted, pages no one twice);
 * - a related thing: a different fingerprint naming the same entity (host, principal,
 *   tenant) inside the window ⇒ a new member of that investigation, unless the configured
 *   distinguishing field differs.
 * Keys never depend on arrival time or body layout: only on what the signal says.
 */
import type { NormalizedSignal } from './types.ts';

export const ENTITY_FIELDS = ['host', 'principal', 'tenant'] as const;
export type EntityField = (typeof ENTITY_FIELDS)[number];

/** How signals from one source correlate. */
export interface CorrelationRule {
  /** Entities that make two different signals "related" (empty: fingerprint only). */
  groupBy: EntityField[];
  /**
   * A field whose differing values keep related signals apart (e.g. `title` keeps two
   * different detections on one host in two investigations). A NormalizedSignal field name
   * or `raw.<dotted path>`.
   */
  distinguishBy: string | null;
  /** How close in time a repeat or a relative must be (hours). */
  windowHours: number;
  /**
   * Replaces the adapter's fingerprint keys: NormalizedSignal field names or `raw.<path>`.
   * Null keeps the adapter's own choice.
   */
  fingerprintKeys: string[] | null;
}

export const DEFAULT_RULE: CorrelationRule = {
  groupBy: [],
  distinguishBy: null,
  windowHours: 24,
  fingerprintKeys: null,
};

/** One lookup key a signal carries: its fingerprint, or an entity with its distinguisher. */
export interface CorrelationKey {
  kind: 'fingerprint' | EntityField;
  value: string;
  distinctKey: string;
}

/**
 * The keys of a signal under `rule`: the fingerprint first, then each named entity. `tenantId`
 * is the tenant a report was made for (entity `tenant`; readable as field `tenantId`).
 */
export function correlationKeys(
  signal: NormalizedSignal,
  rule: CorrelationRule,
  tenantId: string | null = null,
): CorrelationKey[] {
  const keys: CorrelationKey[] = [
    { kind: 'fingerprint', value: signal.fingerprint, distinctKey: '' },
  ];
  if (rule.groupBy.length === 0) return keys;

  // The distinguishing field may be `tenantId`, which the signal itself does not carry.
  const withTenant: NormalizedSignal & { tenantId: string | null } = { ...signal, tenantId };
  const distinctKey = distinguisherOf(withTenant, rule);
  for (const field of rule.groupBy) {
    const value = entityValue(signal, field, tenantId);
    if (value !== null) keys.push({ kind: field, value, distinctKey });
  }
  return keys;
}

/**
 * The text value of a field path on a signal: a NormalizedSignal field, or `raw.a.b` inside
 * the record as received. Objects and arrays read as their JSON; absent reads as null.
 */
export function signalFieldValue(signal: NormalizedSignal, path: string): string | null {
  let value: unknown;
  if (path.startsWith('raw.')) {
    value = signal.raw;
    for (const part of path.slice(4).split('.')) {
      if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) {
        return null;
      }
      value = (value as Record<string, unknown>)[part];
    }
  } else {
    if (!Object.hasOwn(signal, path)) return null;
    value = (signal as unknown as Record<string, unknown>)[path];
  }

  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function distinguisherOf(signal: NormalizedSignal, rule: CorrelationRule): string {
  if (rule.distinguishBy === null) return '';
  return signalFieldValue(signal, rule.distinguishBy) ?? '';
}

function entityValue(
  signal: NormalizedSignal,
  field: EntityField,
  tenantId: string | null,
): string | null {
  const value =
    field === 'host' ? signal.host : field === 'principal' ? signal.principal : tenantId;
  // Hosts and principals are compared without case: senders disagree on it (WEB01, web01).
  return value ? value.normalize('NFC').toLowerCase() : null;
}

/** A candidate investigation found for a key, with the time range that key was seen in. */
export interface KeyMatch {
  investigationId: string;
  kind: CorrelationKey['kind'];
  value: string;
  distinctKey: string;
  firstSeen: number;
  lastSeen: number;
}

/**
 * Picks the investigation for a signal at `at` (ms) from the stored matches of its own keys: a
 * fingerprint match inside the window wins (duplicate); else an entity match inside the window
 * (related). Of several, the most recently seen. Null opens a new investigation.
 */
export function chooseInvestigation(
  matches: KeyMatch[],
  at: number,
  windowMs: number,
): { investigationId: string; duplicate: boolean } | null {
  let best: KeyMatch | null = null;
  for (const match of matches) {
    const inWindow = match.lastSeen >= at - windowMs && match.firstSeen <= at + windowMs;
    if (inWindow && (best === null || rank(match, best) > 0)) best = match;
  }
  if (best === null) return null;
  return { investigationId: best.investigationId, duplicate: best.kind === 'fingerprint' };
}

/** Fingerprint matches outrank entity matches; then the later one; then the larger id. */
function rank(a: KeyMatch, b: KeyMatch): number {
  const aFp = a.kind === 'fingerprint' ? 1 : 0;
  const bFp = b.kind === 'fingerprint' ? 1 : 0;
  if (aFp !== bFp) return aFp - bFp;
  if (a.lastSeen !== b.lastSeen) return a.lastSeen - b.lastSeen;
  return a.investigationId > b.investigationId ? 1 : -1;
}

/** The identity of a key as one string, for maps and sets. */
export function keyId(key: { kind: string; value: string; distinctKey: string }): string {
  return `${key.kind}\u0000${key.distinctKey}\u0000${key.value}`;
}

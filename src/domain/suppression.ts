/**
 * Suppression rules: what a false positive teaches intake. A rule's match expression is a
 * JSON object of conditions, all of which must hold:
 *   { "format": "suricata", "title": "ET POLICY *", "sourceIp": "10.0.0.0/8" }
 * A condition's value is an exact text, a glob (`*` any run of characters, `?` one), or — for
 * sourceIp and destinationIp — an address or CIDR block. `observable.<kind>` matches any of
 * the signal's observables of that kind. Text compares after NFC normalisation, ignoring case.
 */
import ipaddr from 'ipaddr.js';

import { fail } from './errors.ts';
import { type NormalizedSignal, OBSERVABLE_KINDS } from './types.ts';

export const MATCH_FIELDS = [
  'format',
  'source',
  'sourceKind',
  'title',
  'severity',
  'host',
  'principal',
  'sourceIp',
  'destinationIp',
  'tenantId',
  ...OBSERVABLE_KINDS.map((kind) => `observable.${kind}` as const),
] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];
export type MatchExpression = Partial<Record<MatchField, string>>;

const IP_FIELDS = new Set(['sourceIp', 'destinationIp']);
const MAX_PATTERN = 500;

/** A signal as the matcher sees it: the normalised fields plus where it came from. */
export type MatchableSignal = NormalizedSignal & { source?: string; tenantId?: string | null };

/**
 * Checks a match expression and returns it typed; refuses unknown fields, empty or overlong
 * patterns, bad CIDR blocks and an expression with no condition (it would mute everything).
 */
export function parseMatchExpression(value: unknown, field = 'match'): MatchExpression {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('BD_SUPPRESSION_INVALID', `${field} must be an object of conditions`, field);
  }

  const entries = Object.entries(value);
  if (entries.length === 0) {
    fail(
      'BD_SUPPRESSION_INVALID',
      `${field} needs at least one condition; an empty match would suppress every signal`,
      field,
    );
  }

  const expression: MatchExpression = {};
  for (const [key, pattern] of entries) {
    const path = `${field}.${key}`;
    if (!(MATCH_FIELDS as readonly string[]).includes(key)) {
      fail(
        'BD_SUPPRESSION_INVALID',
        `${path} is not a field rules can match; use one of ${MATCH_FIELDS.join(', ')}`,
        path,
      );
    }
    if (typeof pattern !== 'string' || !pattern.trim() || pattern.length > MAX_PATTERN) {
      fail(
        'BD_SUPPRESSION_INVALID',
        `${path} must be a non-empty text of at most ${MAX_PATTERN} characters`,
        path,
      );
    }
    if (/^[*?\s]+$/.test(pattern)) {
      fail(
        'BD_SUPPRESSION_INVALID',
        `${path} ${JSON.stringify(pattern)} is only wildcards and matches almost everything; ` +
          'name a value',
        path,
      );
    }
    if (IP_FIELDS.has(key) && tooWide(pattern)) {
      fail(
        'BD_SUPPRESSION_INVALID',
        `${path} ${pattern} covers too many addresses to mute; use a block of /8 or narrower ` +
          '(IPv6: /32 or narrower)',
        path,
      );
    }
    if (IP_FIELDS.has(key) && cidrOf(pattern) === null) {
      fail('BD_SUPPRESSION_INVALID', `${path} must be an IP address or CIDR block`, path);
    }
    expression[key as MatchField] = pattern.trim();
  }
  return expression;
}

/** True when every condition of `expression` holds for `signal`. */
export function matches(expression: MatchExpression, signal: MatchableSignal): boolean {
  for (const [field, pattern] of Object.entries(expression)) {
    if (pattern === undefined) continue;
    if (!conditionHolds(field, pattern, signal)) return false;
  }
  return true;
}

function conditionHolds(field: string, pattern: string, signal: MatchableSignal): boolean {
  if (IP_FIELDS.has(field)) {
    const ip = field === 'sourceIp' ? signal.sourceIp : signal.destinationIp;
    return ip !== null && ipInBlock(ip, pattern);
  }

  if (field.startsWith('observable.')) {
    const kind = field.slice('observable.'.length);
    return signal.observables.some((o) => o.kind === kind && globMatches(pattern, o.value));
  }

  const value = (signal as unknown as Record<string, unknown>)[field];
  return typeof value === 'string' && globMatches(pattern, value);
}

/**
 * Glob matching without regular expressions: one pass that, on a mismatch, retries from the
 * last `*` only. Its cost is bounded by pattern × text length, so no title can stall intake
 * (a regular expression with several `.*` backtracks exponentially on crafted text).
 */
function globMatches(pattern: string, value: string): boolean {
  const p = [...pattern.normalize('NFC').toLowerCase()];
  const t = [...value.normalize('NFC').toLowerCase()];

  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi += 1;
      ti += 1;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi;
      resume = ti;
      pi += 1;
    } else if (star >= 0) {
      pi = star + 1;
      resume += 1;
      ti = resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi += 1;
  return pi === p.length;
}

function tooWide(pattern: string): boolean {
  const block = cidrOf(pattern);
  if (block === null) return false;
  return block[1] < (block[0].kind() === 'ipv4' ? 8 : 32);
}

function cidrOf(pattern: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  const text = pattern.trim();
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const address = ipaddr.parse(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

function ipInBlock(ip: string, pattern: string): boolean {
  const block = cidrOf(pattern);
  if (block === null) return false;

  try {
    const address = ipaddr.process(ip);
    const [network, bits] = block;
    if (address.kind() !== network.kind()) return false;
    return address.match([network, bits] as [typeof address, number]);
  } catch {
    return false;
  }
}

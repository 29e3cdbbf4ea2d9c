import ipaddr from 'ipaddr.js';

import { fail } from '../domain/errors.ts';
import { nameProblem } from '../domain/text-rules.ts';
import type { ScopeIndicators } from './types.ts';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed single address or CIDR range; a single address is a full-length range. */
export interface IpRange {
  address: Address;
  bits: number;
}

const KNOWN_KEYS = ['principals', 'sourceIps', 'from', 'to'];

// UTC ISO 8601 with an explicit zone: a bare local time would mean different instants on
// different responders' machines.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Validates untrusted indicators and returns them in canonical form: trimmed, de-duplicated
 * principals, canonical IPs and CIDR ranges, instants as ISO 8601 UTC with a trailing Z.
 * Fails with BD_SCOPE_INVALID naming the offending field, e.g. `sourceIps[2]`.
 */
export function parseIndicators(input: unknown): ScopeIndicators {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    fail('BD_SCOPE_INVALID', 'indicators must be an object', 'indicators');
  }
  const record = input as Record<string, unknown>;

  // Unsupported indicator kinds are refused rather than ignored, so that nobody believes a
  // user-agent filter was applied when it was not.
  for (const key of Object.keys(record)) {
    if (!KNOWN_KEYS.includes(key)) {
      fail('BD_SCOPE_INVALID', `${key} is not supported; accepted: ${KNOWN_KEYS.join(', ')}`, key);
    }
  }

  const principals = parsePrincipals(record.principals);
  const sourceIps = stringList(record.sourceIps, 'sourceIps').map((value, i) =>
    formatRange(parseIpRange(value, `sourceIps[${i}]`)),
  );
  if (principals.length === 0 && sourceIps.length === 0) {
    fail('BD_SCOPE_INVALID', 'give at least one principal or source IP', 'principals');
  }

  const from = parseInstant(record.from, 'from');
  const to = parseInstant(record.to, 'to');
  if (from !== null && to !== null && from > to) {
    fail('BD_SCOPE_INVALID', `to (${to}) is before from (${from})`, 'to');
  }
  return { principals, sourceIps: [...new Set(sourceIps)], from, to };
}

/**
 * Parses one IP or CIDR range. IPv4-mapped IPv6 forms (::ffff:a.b.c.d) become IPv4, and host
 * bits below the prefix are cleared, so equal ranges have one spelling.
 */
export function parseIpRange(value: string, field: string): IpRange {
  const text = value.trim();
  const slash = text.indexOf('/');

  if (slash === -1) {
    const address = parseAddress(text);
    if (address === null) {
      fail('BD_SCOPE_INVALID', `${field} must be an IP address or CIDR range: "${text}"`, field);
    }
    return { address, bits: address.kind() === 'ipv4' ? 32 : 128 };
  }

  const addressText = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  const address = parseAddress(addressText);
  const max = addressText.includes(':') ? 128 : 32;
  if (address === null || !/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
    fail('BD_SCOPE_INVALID', `${field} must be an IP address or CIDR range: "${text}"`, field);
  }
  return networkOf(address, Number(prefix), addressText);
}

/** Canonical text of a range: the bare address for a single host, else 'network/bits'. */
export function formatRange(range: IpRange): string {
  const full = range.address.kind() === 'ipv4' ? 32 : 128;
  return range.bits === full
    ? range.address.toString()
    : `${range.address.toString()}/${range.bits}`;
}

/**
 * Returns a predicate telling whether a logged source address falls in any of the ranges.
 * Values that are not IP addresses (CloudTrail writes service names such as
 * 's3.amazonaws.com' there) never match.
 */
export function sourceIpMatcher(sourceIps: readonly string[]): (logged: string) => boolean {
  const ranges = sourceIps.map((value, i) => parseIpRange(value, `sourceIps[${i}]`));

  return (logged) => {
    const address = parseAddress(logged.trim());
    if (address === null) return false;
    return ranges.some(
      (range) =>
        range.address.kind() === address.kind() && address.match(range.address, range.bits),
    );
  };
}

function parseAddress(text: string): Address | null {
  // ipaddr.js also accepts legacy IPv4 spellings such as '10.1' or '0x0a.0.0.1'; logs and
  // responders mean dotted quads, so anything else is refused.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return null;

  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

function networkOf(address: Address, bits: number, addressText: string): IpRange {
  // An IPv4-mapped IPv6 range such as ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8;
  // a shorter prefix also covers non-mapped IPv6 space and stays IPv6.
  const mapped = address.kind() === 'ipv4' && addressText.includes(':');
  if (mapped && bits < 96) return networkOf(ipaddr.IPv6.parse(addressText), bits, '');
  const length = mapped ? bits - 96 : bits;

  const cidr = `${address.toString()}/${length}`;
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(cidr)
      : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return { address: network, bits: length };
}

// A principal is read again with the scoping run (console, regulator report) and compared
// with the logs: it must show text, stay one line, and hold no bidi override or format
// character that would display it as another name. Checked before trimming, so that a
// trailing line break is refused rather than cut off.
function parsePrincipals(value: unknown): string[] {
  const principals = stringList(value, 'principals').map((p, i) => {
    const field = `principals[${i}]`;
    const problem = nameProblem(p, 'send the ARN or name of an identity the attacker used');
    if (problem !== null) fail('BD_SCOPE_INVALID', `${field} ${problem}`, field);

    return p.trim();
  });
  return [...new Set(principals)];
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail('BD_SCOPE_INVALID', `${field} must be a list of strings`, field);

  return value.map((item: unknown, i) => {
    if (typeof item !== 'string') {
      fail('BD_SCOPE_INVALID', `${field}[${i}] must be a string`, `${field}[${i}]`);
    }
    return item;
  });
}

function parseInstant(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;

  const valid =
    typeof value === 'string' &&
    ISO_INSTANT.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    isCalendarDate(value.slice(0, 10));
  if (!valid) {
    fail(
      'BD_SCOPE_INVALID',
      `${field} must be an ISO 8601 instant with a zone, e.g. 2024-01-31T23:00:00Z`,
      field,
    );
  }
  return new Date(Date.parse(value)).toISOString();
}

// Date.parse rolls 2024-02-30 over into March instead of refusing it.
function isCalendarDate(ymd: string): boolean {
  const [year, month, day] = ymd.split('-').map(Number);
  const date = new Date(Date.UTC(year ?? 0, (month ?? 0) - 1, day ?? 0));
  return date.toISOString().slice(0, 10) === ymd;
}

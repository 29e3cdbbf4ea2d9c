/**
 * Indicators found in free text (e-mail bodies, alert titles). Conservative by design: a
 * missed indicator costs a little correlation, a false one (`README.md` taken for a domain)
 * misleads a responder. docs/observables.md lists the rules.
 */
import type { ObservableKind } from '../../domain/types.ts';
import type { ObservableInput } from '../observables.ts';
import { canonicalCidr, canonicalIp } from './address.ts';
import type { Canonical } from './canonical.ts';
import { canonicalCve, canonicalHash } from './identity.ts';
import { canonicalDomain, canonicalEmail, canonicalUrl } from './name.ts';
import { FILE_LIKE_TLDS, KNOWN_TLDS } from './tlds.ts';

/** Characters of text scanned; the rest of a longer text is not looked at. */
export const MAX_SCANNED_TEXT = 1_000_000;

/** Most indicators returned for one text. */
export const MAX_EXTRACTED = 500;

interface Pass {
  pattern: RegExp;
  /** Whether later passes must not see what this one matched. */
  blanks: boolean;
  /** The indicator a candidate stands for, or null when it does not pass the checks. */
  read(match: RegExpExecArray): { kind: ObservableKind; canonical: Canonical | null } | null;
}

// Building blocks of the candidate patterns (all used with the `u` flag).
const LABEL = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?`;
const DASH = String.raw`[\-\u2010-\u2015\u2212]`;
const IPV4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`;
const PREFIX = String.raw`(?:/\d{1,3})?`;
// Characters that end a URL in prose (RFC 3986 Appendix C: delimiters around URIs in text).
const URL_STOP = String.raw`\s<>"'\x60{}|\\^`;

// Passes blank what they matched, so a URL's host is not found again as a domain, nor an
// address inside an e-mail address; the widest shapes go first. CVE ids cannot be confused
// with anything else and are also wanted inside URLs (`…/CVERecord?id=CVE-2024-3094`).
const PASSES: Pass[] = [
  {
    pattern: pattern(
      String.raw`(?<![\p{L}\p{N}_-])CVE${DASH}\d{4}${DASH}\d{4,19}(?![\p{L}\p{N}_])`,
      'i',
    ),
    blanks: false,
    read: (match) => ({ kind: 'cve', canonical: canonicalCve(match[0]) }),
  },
  {
    pattern: pattern(
      String.raw`\b(?:https?|ftps?|wss?)://(?:\[[0-9A-Fa-f:.]+\]|[^${URL_STOP}[\]/?#]+)` +
        String.raw`(?:[/?#][^${URL_STOP}]*)?`,
      'i',
    ),
    blanks: true,
    read: (match) => ({ kind: 'url', canonical: canonicalUrl(trimUrlTail(match[0])) }),
  },
  {
    pattern: pattern(
      String.raw`(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@(?:${LABEL}\.)+\p{L}{2,63}` +
        String.raw`(?![\p{L}\p{N}_-]|\.[\p{L}\p{N}])`,
    ),
    blanks: true,
    read: (match) => ({ kind: 'email', canonical: canonicalEmail(match[0]) }),
  },
  {
    pattern: pattern(
      String.raw`(?<![\p{L}\p{N}_:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|${IPV4})?` +
        String.raw`${PREFIX}(?![\p{L}\p{N}_:]|\.\p{N})`,
    ),
    blanks: true,
    read: readIpv6,
  },
  {
    pattern: pattern(
      String.raw`(?<![\p{L}\p{N}_.-])${IPV4}${PREFIX}(?![\p{L}\p{N}_]|\.\p{N}|/\p{N})`,
    ),
    blanks: true,
    read: (match) => readAddress(match[0]),
  },
  {
    pattern: pattern(String.raw`(?<![\p{L}\p{N}_])[0-9A-Fa-f]{32,128}(?![\p{L}\p{N}_])`),
    blanks: true,
    read: readHash,
  },
  {
    pattern: pattern(
      String.raw`(?<![\p{L}\p{N}_.@/\\-])(?:${LABEL}\.)+[A-Za-z]{2,63}` +
        String.raw`(?![\p{L}\p{N}_@(-]|\.[\p{L}\p{N}])`,
    ),
    blanks: true,
    read: readDomain,
  },
];

/**
 * IP addresses (and CIDR blocks written with a prefix), URLs, e-mail addresses, file hashes,
 * CVE ids and domain names mentioned in `text`, each once, in canonical form, in the order
 * they first appear. Names inside a URL or an address are not repeated as domains.
 */
export function extractObservables(text: string): ObservableInput[] {
  if (typeof text !== 'string') return [];

  let working = text.slice(0, MAX_SCANNED_TEXT).normalize('NFC');
  const found = new Map<string, { input: ObservableInput; at: number }>();

  for (const pass of PASSES) {
    const spans: Array<[number, number]> = [];
    for (const match of working.matchAll(pass.pattern)) {
      spans.push([match.index, match.index + match[0].length]);
      const read = pass.read(match);
      if (read?.canonical) remember(found, read.kind, read.canonical.value, match.index);
    }
    if (pass.blanks) working = blank(working, spans);
  }

  return [...found.values()]
    .sort((a, b) => a.at - b.at)
    .slice(0, MAX_EXTRACTED)
    .map((entry) => entry.input);
}

function remember(
  found: Map<string, { input: ObservableInput; at: number }>,
  kind: ObservableKind,
  value: string,
  at: number,
): void {
  const key = `${kind}\u0000${value}`;
  if (!found.has(key)) found.set(key, { input: { kind, value }, at });
}

// Sentence punctuation and unbalanced closing brackets after a URL belong to the prose:
// "see https://example.com/a_(b)." keeps its parentheses but not the full stop.
function trimUrlTail(url: string): string {
  let end = url.length;

  for (;;) {
    const last = url[end - 1] ?? '';
    const body = url.slice(0, end);
    const unbalanced =
      (last === ')' && count(body, '(') < count(body, ')')) ||
      (last === ']' && count(body, '[') < count(body, ']'));
    if (!'.,;:!?\'"*'.includes(last) && !unbalanced) break;
    end -= 1;
  }
  return url.slice(0, end);
}

function readIpv6(match: RegExpExecArray): { kind: ObservableKind; canonical: Canonical | null } {
  const [address = '', prefix] = match[0].split('/');

  // A bare `::` or a clock time is not worth a guess; an address needs a hex digit and either
  // a `::` or all eight groups.
  const colons = count(address, ':');
  const plausible = /[0-9A-Fa-f]/.test(address) && (address.includes('::') || colons === 7);
  if (!plausible) return { kind: 'ip', canonical: null };

  return prefix === undefined
    ? { kind: 'ip', canonical: canonicalIp(address) }
    : { kind: 'cidr', canonical: canonicalCidr(match[0]) };
}

function readAddress(text: string): { kind: ObservableKind; canonical: Canonical | null } {
  return text.includes('/')
    ? { kind: 'cidr', canonical: canonicalCidr(text) }
    : { kind: 'ip', canonical: canonicalIp(text) };
}

// Only the digest lengths of MD5, SHA-1, SHA-256 and SHA-512, in one case, with both digits and
// letters: long decimal numbers and mixed-case base64 fragments are not hashes.
function readHash(match: RegExpExecArray): { kind: ObservableKind; canonical: Canonical | null } {
  const hex = match[0];
  const oneCase = !/[a-f]/.test(hex) || !/[A-F]/.test(hex);
  const plausible = oneCase && /\d/.test(hex) && /[a-f]/i.test(hex);
  return { kind: 'hash', canonical: plausible ? canonicalHash(hex) : null };
}

/**
 * A bare dotted word is a domain only when its TLD is a known one written in one case
 * (`sentence.It` is two sentences). Under a TLD that is also a file extension (`.md`, `.sh`,
 * `.py`) it needs three labels and no one-letter label before the TLD (`config.h.in`).
 */
function readDomain(match: RegExpExecArray): { kind: ObservableKind; canonical: Canonical | null } {
  const labels = match[0].split('.');
  const written = labels.at(-1) ?? '';
  const tld = written.toLowerCase();

  const oneCase = written === tld || written === written.toUpperCase();
  const fileLike =
    FILE_LIKE_TLDS.has(tld) && (labels.length < 3 || (labels.at(-2) ?? '').length < 2);
  const plausible = oneCase && KNOWN_TLDS.has(tld) && !fileLike;
  return { kind: 'domain', canonical: plausible ? canonicalDomain(match[0]) : null };
}

function blank(text: string, spans: ReadonlyArray<[number, number]>): string {
  if (spans.length === 0) return text;

  let out = '';
  let from = 0;
  for (const [start, end] of spans) {
    out += text.slice(from, start) + ' '.repeat(end - start);
    from = end;
  }
  return out + text.slice(from);
}

function pattern(source: string, flags = ''): RegExp {
  return new RegExp(source, `gu${flags}`);
}

function count(text: string, character: string): number {
  return text.split(character).length - 1;
}

/**
 * Identifiers that are not network names: file hashes, user principals, cloud resource ids
 * and CVE ids. Each folds only what its issuer defines as case-insensitive.
 */
import type { Canonical } from './canonical.ts';
import { canonicalDomain } from './name.ts';

/** Hash algorithms recognised, by the length of their hex digest. */
const HASH_BY_LENGTH: Record<number, string> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
  128: 'sha512',
};

const CONTROL = /\p{Cc}/u;
// Whitespace other than a plain space (tabs, line breaks, exotic spaces).
const ODD_WHITESPACE = /[^\S ]/;

/**
 * A file hash as lower-case hex, tagged with its algorithm (told by the digest's length). An
 * algorithm prefix as tools write it (`sha256:…`, `SHA-1=…`) is accepted when it agrees with
 * the length. Null for anything that is not 32, 40, 64 or 128 hex digits.
 */
export function canonicalHash(text: string): Canonical | null {
  const prefixed = /^(md5|sha-?1|sha-?256|sha-?512)\s*[:=]\s*(.*)$/i.exec(text);
  const hex = prefixed ? (prefixed[2] ?? '') : text;
  if (!/^[0-9a-f]+$/i.test(hex)) return null;

  const algorithm = HASH_BY_LENGTH[hex.length];
  if (algorithm === undefined) return null;
  if (prefixed && (prefixed[1] ?? '').toLowerCase().replace('-', '') !== algorithm) return null;

  return { value: hex.toLowerCase(), tags: [algorithm] };
}

/**
 * A user principal. What folds:
 * - `DOMAIN\user` (Windows down-level logon name): all of it, since Windows compares NetBIOS
 *   domain and SAM account names without regard to case.
 * - `user@realm` (UPN, Kerberos principal, e-mail-style login): the realm, folded like a
 *   domain name; the user part is kept as sent, because Unix and MIT Kerberos names are
 *   case-sensitive and a false merge of two accounts is worse than a missed one.
 * - an ARN (an AWS role or user): as canonicalResource.
 * - anything else (a bare `root`): kept as sent.
 */
export function canonicalPrincipal(text: string): Canonical | null {
  if (CONTROL.test(text) || text.length > 512) return null;
  if (/^arn:/i.test(text)) return canonicalArn(text);

  if (/^[^\\@]+\\[^\\]+$/.test(text)) return { value: fold(text) };

  const at = text.lastIndexOf('@');
  const realm = at > 0 ? canonicalDomain(text.slice(at + 1)) : null;
  if (realm === null) return { value: text };

  const user = text.slice(0, at);
  const value = `${user}@${realm.value}`;
  return realm.display ? { value, display: `${user}@${realm.display}` } : { value };
}

/**
 * A cloud resource id:
 * - AWS ARN `arn:partition:service:region:account:resource`: the first four fields are
 *   lower-case vocabularies and are folded; the account and the resource (S3 keys, IAM
 *   paths) are case-sensitive and kept.
 * - Azure resource id (`/subscriptions/…`, `/providers/…`): Azure Resource Manager compares
 *   ids case-insensitively, so the whole id is folded; the spelling as sent is the display.
 * - Google Cloud full resource name (`//service.googleapis.com/…`): the service host is a
 *   DNS name and is folded; the path (project, bucket, object names) is kept.
 * - anything else without whitespace (an instance id `i-0abc…`) is an opaque id, kept as sent.
 */
export function canonicalResource(text: string): Canonical | null {
  if (CONTROL.test(text) || ODD_WHITESPACE.test(text)) return null;

  if (/^arn:/i.test(text)) return canonicalArn(text);
  if (/^\/(?:subscriptions|providers)\//i.test(text)) return canonicalAzureId(text);
  if (text.startsWith('//')) return canonicalGcpName(text);

  return /\s/.test(text) ? null : { value: text };
}

/**
 * A CVE id (`CVE-2024-3094`) upper-cased. The sequence number has four digits, or more
 * without a leading zero (CVE id syntax change of 2014); typographic dashes from word
 * processors read as hyphens.
 */
export function canonicalCve(text: string): Canonical | null {
  const value = text.replace(/[\u2010-\u2015\u2212]/g, '-').toUpperCase();

  const match = /^CVE-(\d{4})-(?:\d{4}|[1-9]\d{4,18})$/.exec(value);
  if (!match || Number(match[1]) < 1999) return null;
  return { value };
}

function canonicalArn(text: string): Canonical | null {
  const match = /^arn:([a-z0-9-]+):([a-z0-9-]+):([a-z0-9-]*):([a-z0-9-]*):(.+)$/is.exec(text);
  if (!match || /\s/.test(text)) return null;

  const [, partition = '', service = '', region = '', account = '', resource = ''] = match;
  const head = [partition, service, region].map((field) => field.toLowerCase()).join(':');
  return { value: `arn:${head}:${account}:${resource}` };
}

function canonicalAzureId(text: string): Canonical | null {
  const id = text.endsWith('/') ? text.slice(0, -1) : text;
  if (
    id
      .split('/')
      .slice(1)
      .some((segment) => segment.trim() === '')
  )
    return null;

  const value = fold(id);
  return value === id ? { value } : { value, display: id };
}

function canonicalGcpName(text: string): Canonical | null {
  const slash = text.indexOf('/', 2);
  const host = canonicalDomain(slash < 0 ? text.slice(2) : text.slice(2, slash));
  if (host === null || /\s/.test(text)) return null;

  return { value: `//${host.value}${slash < 0 ? '' : text.slice(slash)}` };
}

// Lower case, recomposed: lower-casing can leave a string that NFC would compose further.
function fold(text: string): string {
  return text.toLowerCase().normalize('NFC');
}

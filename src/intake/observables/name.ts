/**
 * Domain names, URLs and e-mail addresses: the parts DNS treats case-insensitively are folded
 * and IDNA-encoded; everything a server may treat case-sensitively is kept as sent.
 */
import { domainToASCII, domainToUnicode } from 'node:url';

import ipaddr from 'ipaddr.js';

import { ipOrNull } from '../outcome.ts';
import type { Canonical } from './canonical.ts';

// RFC 1035 §2.3.4 (names up to 253 octets in text form, labels up to 63). Underscores are
// accepted: service names such as `_ldap._tcp.example.com` fill DNS logs.
const MAX_NAME = 253;
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

// Only these ASCII characters may reach IDNA mapping; Node's lenient mapping would otherwise
// percent-decode (`a%41.com`) or cut at a slash (`a/b.com` becomes `a`).
const ASCII_OUTSIDE_NAME = /[^A-Za-z0-9._\u0080-\uffff-]/;
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

// WHATWG URL "special" schemes: an empty path means `/` and these ports are the default
// (RFC 3986 §6.2.3 makes the same two equivalences).
const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, ws: 80, wss: 443, ftp: 21 };

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

/**
 * A domain name as its lower-case IDNA A-label form (UTS #46, non-transitional, as browsers
 * resolve it), with the Unicode spelling in `display` when it differs. One trailing root dot
 * is removed. Null when any label is not a valid DNS label, when the last label is numeric
 * (that is an IPv4 address in disguise, e.g. `0x7f.1`), or for anything else that is not a
 * plain name (`*.example.com`, `a/b.com`).
 */
export function canonicalDomain(text: string): Canonical | null {
  if (ASCII_OUTSIDE_NAME.test(text) || WHITESPACE_OR_CONTROL.test(text)) return null;

  let ascii = domainToASCII(text);
  if (ascii.endsWith('.')) ascii = ascii.slice(0, -1);
  if (!ascii || ascii.length > MAX_NAME) return null;

  const labels = ascii.split('.');
  if (!labels.every((label) => LABEL.test(label))) return null;
  if (/^(?:\d+|0x[0-9a-f]*)$/.test(labels.at(-1) ?? '')) return null;

  const unicode = domainToUnicode(ascii);
  return unicode && unicode !== ascii ? { value: ascii, display: unicode } : { value: ascii };
}

/**
 * A URL with only its scheme and host folded (host lower-cased and IDNA-encoded, IP hosts in
 * canonical form); user info, path, query and fragment are kept byte for byte, since servers
 * may treat them case-sensitively. For http, https, ws, wss and ftp the default port is
 * dropped and an empty path becomes `/`, as in the WHATWG URL standard. Only URLs with an
 * authority (`scheme://host…`) are accepted; `file:///…`, `mailto:` and the like are not
 * network indicators and give null.
 */
export function canonicalUrl(text: string): Canonical | null {
  const match = URL_SHAPE.exec(text);
  if (!match || WHITESPACE_OR_CONTROL.test(text)) return null;

  const scheme = (match[1] ?? '').toLowerCase();
  const authority = match[2] ?? '';
  const rest = match[3] || (scheme in DEFAULT_PORTS ? '/' : '');

  const at = authority.lastIndexOf('@');
  const userInfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostPort = splitHostPort(authority.slice(at + 1));
  if (hostPort === null) return null;

  const host = urlHost(hostPort.host);
  const port = portOf(hostPort.port, scheme);
  if (host === null || port === null) return null;

  const value = `${scheme}://${userInfo}${host.value}${port}${rest}`;
  const display = `${scheme}://${userInfo}${host.display ?? host.value}${port}${rest}`;
  return display === value ? { value } : { value, display };
}

/**
 * An e-mail address with its domain folded like canonicalDomain and its local part kept as
 * sent: RFC 5321 §2.4 leaves the local part's case to the receiving host. `Name <addr>` and
 * `mailto:addr` are read as `addr`. Address literals (`user@[192.0.2.1]`, `[IPv6:…]`,
 * RFC 5321 §4.1.3) keep their brackets around the canonical address.
 */
export function canonicalEmail(text: string): Canonical | null {
  const angled = /<([^<>]*)>$/.exec(text);
  const address = (angled ? (angled[1] ?? '') : text).replace(/^mailto:/i, '').trim();

  const at = address.lastIndexOf('@');
  const local = address.slice(0, Math.max(at, 0));
  if (at <= 0 || !validLocalPart(local)) return null;

  const domain = emailDomain(address.slice(at + 1));
  if (domain === null) return null;

  const value = `${local}@${domain.value}`;
  return domain.display ? { value, display: `${local}@${domain.display}` } : { value };
}

function validLocalPart(local: string): boolean {
  if (local.length > 64) return false;

  // RFC 5322 §3.4.1 quoted string, or a dot-atom (RFC 6531 lets it hold UTF-8).
  if (local.startsWith('"')) return /^"(?:[^"\\\p{Cc}]|\\[^\p{Cc}])*"$/u.test(local);
  return /^[^\s\p{Cc}"(),:;<>@[\\\]]+$/u.test(local) && !/^\.|\.\.|\.$/.test(local);
}

function emailDomain(text: string): Canonical | null {
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(text);
  if (!literal) return canonicalDomain(text);

  const ip = ipOrNull(literal[1]);
  if (ip === null) return null;
  return { value: ip.includes(':') ? `[IPv6:${ip}]` : `[${ip}]` };
}

function splitHostPort(hostPort: string): { host: string; port: string } | null {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    const after = hostPort.slice(close + 1);
    if (close < 0 || (after && !after.startsWith(':'))) return null;
    return { host: hostPort.slice(0, close + 1), port: after.slice(1) };
  }

  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) return { host: hostPort, port: '' };
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

function urlHost(host: string): Canonical | null {
  if (host.startsWith('[')) {
    // A bracketed host stays an IPv6 literal even when IPv4-mapped (WHATWG URL keeps
    // `[::ffff:102:304]` too); zone ids are not allowed in URL hosts.
    const inner = host.slice(1, -1);
    if (inner.includes('%') || !ipaddr.IPv6.isValid(inner)) return null;
    return { value: `[${ipaddr.IPv6.parse(inner).toRFC5952String()}]` };
  }

  if (/^[\d.]+$/.test(host)) {
    const ip = ipOrNull(host);
    return ip === null ? null : { value: ip };
  }
  return canonicalDomain(host);
}

function portOf(port: string, scheme: string): string | null {
  if (port === '') return '';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;

  const number = Number(port);
  return DEFAULT_PORTS[scheme] === number ? '' : `:${number}`;
}

/**
 * IP addresses and CIDR blocks in one spelling each, so that a sensor writing
 * `2001:DB8:0:0:0:0:0:1` and another writing `2001:db8::1` name the same host.
 */
import ipaddr from 'ipaddr.js';

import { ipOrNull } from '../outcome.ts';
import type { Canonical } from './canonical.ts';

// RFC 6874 §2 allows unreserved characters in a zone id; interface names stay within these.
const ZONE_ID = /^[A-Za-z0-9._~-]{1,64}$/;

const IPV4_MAPPED_PREFIX = 96;

/**
 * An IP address in RFC 5952 form (lower case, longest zero run compressed), or null.
 *
 * IPv4-mapped IPv6 (`::ffff:192.0.2.1`) becomes the IPv4 address, exactly as ipOrNull does
 * for the adapters' `sourceIp`, so the signal's fields and its observables agree. A zone id
 * (`fe80::1%eth0`, RFC 4007 §11) only means something on the host that logged it and is
 * spelled differently by different tools (`%eth0`, `%2`), so the value is the bare address
 * and the zone is kept in `display`. Shorthand IPv4 (`127.1`, `0x7f.0.0.1`, leading zeros)
 * is refused, as in ipOrNull.
 */
export function canonicalIp(text: string): Canonical | null {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const [address = '', zone, ...rest] = unbracketed.split('%');
  if (rest.length > 0 || (zone !== undefined && !ZONE_ID.test(zone))) return null;

  const value = ipOrNull(address);
  if (value === null) return null;
  if (zone === undefined) return { value };

  // A zone on an IPv4 address (or on one that unwrapped to IPv4) is not an RFC 4007 form.
  if (!value.includes(':')) return null;
  return { value, display: `${value}%${zone}` };
}

/**
 * A CIDR block as its network address and prefix (`10.1.2.3/8` becomes `10.0.0.0/8`), or null.
 *
 * Host bits are masked because a block observable stands for the network: two alerts naming
 * `10.1.2.3/8` and `10.9.9.9/8` concern the same block. The spelling as sent (with its host
 * bits) stays in `display`. An IPv4-mapped block with a prefix of at least 96 becomes the
 * IPv4 block, matching canonicalIp.
 */
export function canonicalCidr(text: string): Canonical | null {
  const slash = text.lastIndexOf('/');
  const prefixText = text.slice(slash + 1);
  if (slash <= 0 || !/^\d{1,3}$/.test(prefixText)) return null;

  const address = ipOrNull(text.slice(0, slash));
  if (address === null) return null;

  const parsed = ipaddr.parse(address);
  let prefix = Number(prefixText);

  // ipOrNull unwrapped a mapped address: its prefix was written for the 128-bit form.
  if (parsed.kind() === 'ipv4' && text.slice(0, slash).includes(':')) {
    if (prefix < IPV4_MAPPED_PREFIX) return null;
    prefix -= IPV4_MAPPED_PREFIX;
  }
  if (prefix > (parsed.kind() === 'ipv4' ? 32 : 128)) return null;

  const network = networkAddress(parsed, prefix);
  const value = `${network}/${prefix}`;
  const written = `${address}/${prefix}`;
  return written === value ? { value } : { value, display: written };
}

function networkAddress(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: number): string {
  const bytes = address.toByteArray();

  for (let index = 0; index < bytes.length; index += 1) {
    const keep = Math.max(0, Math.min(8, prefix - index * 8));
    bytes[index] = (bytes[index] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return ipaddr.fromByteArray(bytes).toString();
}

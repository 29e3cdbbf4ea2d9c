/**
 * The key a client address is counted under by the throttles and rate limits. An IPv6 client
 * is counted by its /64 network: a subscriber is given at least a /64 (RFC 6177), and
 * interface identifiers fill the low 64 bits (RFC 4291 §2.5.4), so one client can send from
 * 2^64 addresses of its own. An IPv4 client is counted per address, and an IPv4-mapped IPv6
 * address (::ffff:192.0.2.7, as a dual-stack socket reports IPv4 peers) as that IPv4 address.
 */
import ipaddr from 'ipaddr.js';

/** `ip`'s key: `2001:db8:1:2::/64` for any address in that /64, the IPv4 address itself. */
export function addressKey(ip: string): string {
  // Fastify's request.ip is always an address; anything else is counted as it came.
  if (!ipaddr.isValid(ip)) return ip;

  const parsed = ipaddr.process(ip);
  if (parsed.kind() === 'ipv4') return parsed.toString();

  const network = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...network, 0, 0, 0, 0]).toRFC5952String()}/64`;
}

/**
 * Which reverse proxies may tell the server who the client is (X-Forwarded-For, and with it
 * X-Forwarded-Host and -Proto): the setting BREACHDESK_TRUST_PROXY (`serve --trust-proxy`).
 * Nobody by default; otherwise the proxies' addresses and CIDR ranges, or a count of proxies in
 * front of a server that listens on loopback. request.ip, which the throttles, the rate limits,
 * sessions and audit entries key on, is then the client's address rather than the proxy's.
 */
import ipaddr from 'ipaddr.js';
import { fail } from '../domain/errors.ts';

export type TrustedProxies =
  { kind: 'none' } | { kind: 'list'; entries: string[] } | { kind: 'hops'; count: number };

/** Fastify's `trustProxy` option: off, a list for @fastify/proxy-addr, or a trust function. */
export type TrustProxyOption = false | string[] | ((address: string, hop: number) => boolean);

const SETTING = 'BREACHDESK_TRUST_PROXY (--trust-proxy)';
const FORMS =
  'leave it empty to trust no proxy, or give a comma-separated list of IP addresses and ' +
  'CIDR ranges of the proxies (e.g. 10.0.0.5,192.168.1.0/24), or a hop count ' +
  '(a positive integer, with --host on loopback)';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * The trusted proxies named by `setting`, for a server listening on `host`. Anything but the
 * accepted forms is a BD_CONFIG_INVALID naming the setting, never silently trusted or ignored.
 */
export function trustedProxiesOf(setting: string | undefined, host: string): TrustedProxies {
  const text = setting?.trim() ?? '';
  if (text === '') return { kind: 'none' };

  if (/^\d+$/.test(text)) return hopsOf(text, host);

  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) checkEntry(entry, text);
  return { kind: 'list', entries };
}

/** The setting as Fastify's `trustProxy` option. */
export function trustProxyOption(trusted: TrustedProxies = { kind: 'none' }): TrustProxyOption {
  switch (trusted.kind) {
    case 'none':
      return false;
    case 'list':
      return trusted.entries;
    case 'hops': {
      // Fastify 5 ignores a numeric trustProxy (it cannot check the nearest peer), so the count
      // is a function; the nearest proxy must still be on this machine.
      const count = trusted.count;
      return (address, hop) => hop < count && (hop > 0 || isLoopback(address));
    }
  }
}

function hopsOf(text: string, host: string): TrustedProxies {
  const count = Number(text);
  if (count < 1 || !Number.isSafeInteger(count)) refuse(text);
  if (!LOOPBACK_HOSTS.has(host)) {
    // A count believes whoever connects; only loopback makes that the proxy on this machine.
    fail(
      'BD_CONFIG_INVALID',
      `${SETTING}: a hop count needs --host on loopback (127.0.0.1, ::1), not ${host}, since a ` +
        'client reaching the server directly could forge X-Forwarded-For; list the IP ' +
        'addresses and CIDR ranges of the proxies instead',
      'trustProxy',
    );
  }
  return { kind: 'hops', count };
}

function checkEntry(entry: string, text: string): void {
  if (entry === '*' || entry.toLowerCase() === 'true') trustsEveryone(entry);

  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const bits = slash === -1 ? null : entry.slice(slash + 1);
  // Only plain spellings: ipaddr.js also takes legacy IPv4 ones such as '10.1' or '0x0a.0.0.1'.
  const v4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  if (!v4 && !ipaddr.IPv6.isValid(address)) refuse(text);
  if (bits === null) return;

  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (v4 ? 32 : 128)) refuse(text);
  if (Number(bits) === 0) trustsEveryone(entry);
  if (v4 ? Number(bits) < MIN_V4_BITS : tooWideV6(address, Number(bits))) tooWide(entry);
}

// A list names proxies, not networks of clients. The widest ranges it takes are a private
// network's: 10.0.0.0/8 and fc00::/7. Wider ones hold clients on the internet, who could then
// choose their own address, and together a few can cover everything (0.0.0.0/1,128.0.0.0/1).
const MIN_V4_BITS = 8;
const MIN_V6_BITS = 7;
// IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; a v6 range holding that block
// trusts IPv4 clients, and is judged by how much of the IPv4 space it holds.
const MAPPED = ipaddr.IPv6.parse('::ffff:0.0.0.0');
const MAPPED_BITS = 96;

function tooWideV6(address: string, bits: number): boolean {
  if (bits < MIN_V6_BITS) return true;
  if (bits > MAPPED_BITS) {
    const v6 = ipaddr.IPv6.parse(address);
    return v6.isIPv4MappedAddress() && bits - MAPPED_BITS < MIN_V4_BITS;
  }
  return MAPPED.match(ipaddr.IPv6.parse(address), bits);
}

function tooWide(entry: string): never {
  fail(
    'BD_CONFIG_INVALID',
    `${SETTING}: "${entry}" is too wide: it holds clients, who could then choose their own ` +
      `address with X-Forwarded-For; list the proxies, in ranges no wider than /${MIN_V4_BITS} ` +
      `for IPv4 or /${MIN_V6_BITS} for IPv6`,
    'trustProxy',
  );
}

function trustsEveryone(entry: string): never {
  fail(
    'BD_CONFIG_INVALID',
    `${SETTING}: "${entry}" would trust every peer, so any client could choose its own ` +
      'address with X-Forwarded-For (and escape the sign-in throttle); list the IP addresses ' +
      'and CIDR ranges of the proxies instead',
    'trustProxy',
  );
}

function refuse(text: string): never {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  fail('BD_CONFIG_INVALID', `${SETTING}: "${shown}" is not accepted; ${FORMS}`, 'trustProxy');
}

function isLoopback(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;

  return ipaddr.process(address).range() === 'loopback';
}

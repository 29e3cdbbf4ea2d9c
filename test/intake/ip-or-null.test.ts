import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';

import { ipOrNull } from '../../src/intake/outcome.ts';

/** What ipOrNull answered before its fast path for canonical IPv4: ipaddr.js on every input. */
function throughIpaddr(value: string): string | null {
  const text = value.trim();
  if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !ipaddr.IPv6.isValid(text)) return null;
  return ipaddr.process(text).toString();
}

describe('ipOrNull', () => {
  it('answers exactly as ipaddr.js does, on addresses and on near-addresses', () => {
    const nearAddress = fc.stringMatching(/^ ?[0-9.]{1,17} ?$/);
    const inputs = fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), nearAddress, fc.string());
    fc.assert(
      fc.property(inputs, (text) => {
        expect(ipOrNull(text)).toBe(throughIpaddr(text));
      }),
      { numRuns: 20_000 },
    );
  });

  it('refuses leading zeros, octets over 255 and shorthand forms', () => {
    for (const text of ['010.0.0.1', '256.1.1.1', '1.2.3', '127.1', '0x7f.0.0.1', '1.2.3.4.']) {
      expect(ipOrNull(text)).toBeNull();
    }
    expect(ipOrNull(' 192.0.2.10 ')).toBe('192.0.2.10');
    expect(ipOrNull('::ffff:192.0.2.1')).toBe('192.0.2.1');
  });
});

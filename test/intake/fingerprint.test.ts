import { describe, expect, it } from 'vitest';

import { fingerprint } from '../../src/intake/fingerprint.ts';

describe('fingerprint', () => {
  it('is a SHA-256 hex digest', () => {
    expect(fingerprint('suricata', [2221004, '10.0.0.1', '10.0.0.2', 'TCP'])).toMatch(
      /^[0-9a-f]{64}$/,
    );
  });

  it('is the same for the same format and keys, every time', () => {
    const keys = [2221004, '10.0.0.1', null, 'TCP'];

    expect(fingerprint('suricata', keys)).toBe(fingerprint('suricata', [...keys]));
  });

  it('does not let key boundaries shift (a b | c differs from a | b c)', () => {
    expect(fingerprint('generic', ['a b', 'c'])).not.toBe(fingerprint('generic', ['a', 'b c']));
  });

  it('keeps a number, its text and null apart', () => {
    expect(fingerprint('wazuh', [1])).not.toBe(fingerprint('wazuh', ['1']));
    expect(fingerprint('wazuh', [null])).not.toBe(fingerprint('wazuh', ['null']));
  });

  it('differs between formats for the same keys', () => {
    expect(fingerprint('wazuh', ['5712'])).not.toBe(fingerprint('generic', ['5712']));
  });
});

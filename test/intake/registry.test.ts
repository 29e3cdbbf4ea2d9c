import { describe, expect, it } from 'vitest';

import { BreachdeskError } from '../../src/domain/errors.ts';
import { INTAKE_FORMATS, adapterFor } from '../../src/intake/registry.ts';

describe('adapterFor', () => {
  it('returns an adapter whose format is the name asked for', () => {
    for (const format of INTAKE_FORMATS) expect(adapterFor(format).format).toBe(format);
  });

  it('refuses an unknown format with BD_INTAKE_UNKNOWN_FORMAT and the accepted names', () => {
    expect(() => adapterFor('cef')).toThrow(
      new BreachdeskError(
        'BD_INTAKE_UNKNOWN_FORMAT',
        'format "cef" is not known; accepted: generic, suricata, wazuh',
        'format',
      ),
    );
  });

  it('does not mistake inherited object keys for formats', () => {
    expect(() => adapterFor('constructor')).toThrow(BreachdeskError);
    expect(() => adapterFor('__proto__')).toThrow(BreachdeskError);
  });
});

import { describe, expect, it } from 'vitest';

import { BreachdeskError } from '../../src/domain/errors.ts';
import { INTAKE_FORMATS, adapterFor } from '../../src/intake/registry.ts';

describe('adapterFor', () => {
  it('returns an adapter whose format is the name asked for', () => {
    for (const format of INTAKE_FORMATS) expect(adapterFor(format).format).toBe(format);
  });

  it('refuses an unknown format with BD_INTAKE_UNKNOWN_FORMAT and the accepted names', () => {
    expect(() => adapterFor('leef')).toThrow(
      new BreachdeskError(
        'BD_INTAKE_UNKNOWN_FORMAT',
        `format "leef" is not known; accepted: ${INTAKE_FORMATS.join(', ')}, or auto`,
        'format',
      ),
    );
  });

  it('does not mistake inherited object keys for formats', () => {
    expect(() => adapterFor('constructor')).toThrow(BreachdeskError);
    expect(() => adapterFor('__proto__')).toThrow(BreachdeskError);
  });
});

describe('zones for zone-less formats', () => {
  it('gives fast and cef the zone, and refuses one for a format whose stamps carry their own', () => {
    const line =
      '03/10/2024-01:30:00.123456  [**] [1:2100498:7] GPL test [**] {TCP} 10.0.0.1:80 -> 10.0.0.2:51234';
    const parsed = adapterFor('fast', { zone: 'America/New_York' }).parse(
      line,
      new Date('2024-03-10T12:00:00Z'),
    );
    expect(parsed).toMatchObject({
      kind: 'signal',
      signal: { occurredAt: '2024-03-10T06:30:00.123Z' },
    });
    expect(adapterFor('fast').parse(line, new Date())).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_ZONE_REQUIRED',
    });

    expect(() => adapterFor('suricata', { zone: 'UTC' })).toThrow(
      expect.objectContaining({ code: 'BD_REQUEST_INVALID', field: 'zone' }),
    );
    expect(() => adapterFor('fast', { zone: 'EST' })).toThrow(
      expect.objectContaining({ code: 'BD_CONFIG_INVALID' }),
    );
  });
});

import { describe, expect, it } from 'vitest';

import { normalizeEpoch } from '../../src/intake/epoch-time.ts';

describe('normalizeEpoch', () => {
  it('reads seconds with a microsecond fraction exactly, truncated to ms', () => {
    expect(normalizeEpoch(1588207244.740518, 'ts', 'seconds')).toEqual({
      utc: '2020-04-30T00:40:44.740Z',
      original: '1588207244.740518',
    });
  });

  it('does not round .9999 up through floating point', () => {
    expect(normalizeEpoch('1710052199.9999', 'ts', 'seconds')).toMatchObject({
      utc: '2024-03-10T06:29:59.999Z',
    });
  });

  it('reads milliseconds given as a number or as digits', () => {
    expect(normalizeEpoch(1710052200123, 'time', 'milliseconds')).toMatchObject({
      utc: '2024-03-10T06:30:00.123Z',
    });
    expect(normalizeEpoch('1710052200123', 'time', 'milliseconds')).toMatchObject({
      utc: '2024-03-10T06:30:00.123Z',
    });
  });

  it.each([-1, '1e12', 'soon', Number.NaN, null, true, 1e21, '999999999999999'])(
    'refuses %j, naming the field',
    (value) => {
      const result = normalizeEpoch(value, 'ts', 'seconds');

      expect(result).toEqual({ error: expect.stringMatching(/^ts /) as unknown });
    },
  );
});

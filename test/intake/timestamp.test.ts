import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { normalizeTimestamp } from '../../src/intake/timestamp.ts';

function utcOf(value: unknown): string {
  const result = normalizeTimestamp(value, 'timestamp');
  return 'utc' in result ? result.utc : `error: ${result.error}`;
}

function errorOf(value: unknown): string {
  const result = normalizeTimestamp(value, 'timestamp');
  return 'error' in result ? result.error : `accepted as ${result.utc}`;
}

describe('normalizeTimestamp', () => {
  it('reads -05:00, -0500 with microseconds and Z as the same instant', () => {
    expect(utcOf('2024-03-10T01:30:00-05:00')).toBe('2024-03-10T06:30:00.000Z');
    expect(utcOf('2024-03-10T01:30:00.123456-0500')).toBe('2024-03-10T06:30:00.123Z');
    expect(utcOf('2024-03-10T06:30:00Z')).toBe('2024-03-10T06:30:00.000Z');
  });

  it('keeps the original text exactly as sent', () => {
    const original = '2024-03-10T01:30:00.123456-0500';

    expect(normalizeTimestamp(original, 'timestamp')).toEqual({
      utc: '2024-03-10T06:30:00.123Z',
      original,
    });
  });

  it('reads the Wazuh form +0000 and an hours-only offset', () => {
    expect(utcOf('2024-01-01T10:00:00.000+0000')).toBe('2024-01-01T10:00:00.000Z');
    expect(utcOf('2024-01-01T10:00:00+01')).toBe('2024-01-01T09:00:00.000Z');
  });

  it('truncates long fractions to milliseconds instead of rounding', () => {
    expect(utcOf('2024-01-01T00:00:00.999999999Z')).toBe('2024-01-01T00:00:00.999Z');
    expect(utcOf('2024-01-01T00:00:00.5Z')).toBe('2024-01-01T00:00:00.500Z');
  });

  it('accepts a space or lowercase t separator, lowercase z and a comma fraction', () => {
    expect(utcOf('2024-01-01 00:00:00z')).toBe('2024-01-01T00:00:00.000Z');
    expect(utcOf('2024-01-01t00:00:00,25+00:00')).toBe('2024-01-01T00:00:00.250Z');
  });

  it('crosses the date line both ways with half-hour offsets', () => {
    expect(utcOf('2024-01-01T00:15:00+05:30')).toBe('2023-12-31T18:45:00.000Z');
    expect(utcOf('2023-12-31T23:00:00-03:30')).toBe('2024-01-01T02:30:00.000Z');
  });

  it('refuses a timestamp without an offset rather than guessing the zone', () => {
    expect(errorOf('2024-03-10T01:30:00')).toMatch(/timestamp .* has no UTC offset/);
    expect(errorOf('2024-03-10T01:30:00.123456')).toMatch(/no UTC offset/);
  });

  it('refuses dates and times that do not exist', () => {
    expect(errorOf('2023-02-29T00:00:00Z')).toMatch(/not a real date/);
    expect(errorOf('2024-04-31T00:00:00Z')).toMatch(/not a real date/);
    expect(errorOf('2024-01-01T24:00:00Z')).toMatch(/not a real date/);
    expect(errorOf('2024-01-01T00:00:00+24:00')).toMatch(/not a real date/);
  });

  it('accepts 29 February in a leap year', () => {
    expect(utcOf('2024-02-29T12:00:00Z')).toBe('2024-02-29T12:00:00.000Z');
  });

  it('reads year 0070 as itself, not as 1970, and so refuses it', () => {
    expect(errorOf('0070-06-01T00:00:00Z')).toMatch(/^timestamp "0070-.*" lies in the year 70,/);
  });

  it('refuses instants outside 1970–2200, also when only the offset moves them out', () => {
    expect(errorOf('1969-12-31T23:59:59Z')).toMatch(/year 1969, outside 1970–2200/);
    expect(errorOf('1970-01-01T00:30:00+01:00')).toMatch(/year 1969, outside 1970–2200/);
    expect(errorOf('2201-01-01T00:00:00Z')).toMatch(/year 2201, outside 1970–2200/);
    expect(utcOf('2200-12-31T23:59:59.999Z')).toBe('2200-12-31T23:59:59.999Z');
  });

  it('refuses unparseable text, a date alone, numbers and empty values', () => {
    expect(errorOf('yesterday')).toMatch(/not an ISO 8601 timestamp/);
    expect(errorOf('2024-03-10')).toMatch(/not an ISO 8601 timestamp/);
    expect(errorOf(1710052200)).toMatch(/must be an ISO 8601 timestamp string, got number/);
    expect(errorOf('')).toMatch(/not an ISO 8601 timestamp/);
  });

  it('names the field it was given in every error', () => {
    expect(normalizeTimestamp(null, 'alert.time')).toEqual({
      error: expect.stringContaining('alert.time') as unknown,
    });
  });

  it('never throws and never returns an empty value, whatever it is given', () => {
    const candidates = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
    );

    fc.assert(
      fc.property(candidates, (value) => {
        const result = normalizeTimestamp(value, 'timestamp');
        if ('utc' in result)
          return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(result.utc);
        return result.error.length > 0;
      }),
    );
  });

  it('returns what Date itself reads for any well-formed ISO instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2200-12-31') }), (date) => {
        if (Number.isNaN(date.getTime())) return true;
        return utcOf(date.toISOString()) === date.toISOString();
      }),
    );
  });
});

import { describe, it, expect } from 'vitest';

import {
  addHours,
  formatInZone,
  gdprClocks,
  parseInstant,
  timeLeft,
} from '../../src/domain/deadlines.ts';

describe('parseInstant', () => {
  it('takes a value with an offset as written', () => {
    expect(parseInstant('2024-03-30T10:00:00+05:30', 'awareAt')).toBe('2024-03-30T04:30:00.000Z');
  });

  it('reads a value without offset in the given zone', () => {
    const awareAt = parseInstant('2024-03-30T10:00', 'awareAt', 'Europe/Berlin');
    expect(awareAt).toBe('2024-03-30T09:00:00.000Z');
  });

  it('refuses a value without offset when no zone is given', () => {
    expect(() => parseInstant('2024-03-30T10:00', 'awareAt')).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'awareAt' }),
    );
  });

  it('refuses an unknown time zone naming the field', () => {
    expect(() => parseInstant('2024-03-30T10:00', 'awareAt', 'Mars/Olympus')).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'awareAt' }),
    );
  });

  it('refuses an impossible date', () => {
    expect(() => parseInstant('2023-02-29T10:00:00Z', 'detectedAt')).toThrow(
      expect.objectContaining({ field: 'detectedAt' }),
    );
  });

  it('refuses a date without a time', () => {
    expect(() => parseInstant('2024-03-30', 'awareAt', 'UTC')).toThrow(
      expect.objectContaining({ field: 'awareAt' }),
    );
  });

  it('refuses a wall-clock time skipped by the spring DST change', () => {
    expect(() => parseInstant('2024-03-31T02:30', 'awareAt', 'Europe/Berlin')).toThrow(
      /daylight-saving/,
    );
  });

  it('resolves a wall-clock time repeated in autumn to the earlier instant', () => {
    const awareAt = parseInstant('2024-10-27T02:30', 'awareAt', 'Europe/Berlin');
    expect(awareAt).toBe('2024-10-27T00:30:00.000Z');
  });

  it('refuses an offset beyond +14:00, naming the field', () => {
    expect(() => parseInstant('2026-01-01T00:00:00+14:30', 'aware')).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'aware' }),
    );
  });

  it('refuses an offset with 60 minutes or more', () => {
    expect(() => parseInstant('2026-01-01T00:00:00+05:75', 'aware')).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'aware' }),
    );
  });

  it('takes the extreme offsets -14:00 and +14:00', () => {
    expect(parseInstant('2026-01-01T00:00:00-1400', 'aware')).toBe('2026-01-01T14:00:00.000Z');
    expect(parseInstant('2026-01-01T00:00:00+14:00', 'aware')).toBe('2025-12-31T10:00:00.000Z');
  });

  it('refuses an instant in year 275760 with a coded error instead of a RangeError', () => {
    expect(() => parseInstant('+275760-09-13T00:00:00Z', 'aware')).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'aware' }),
    );
  });

  it('refuses an instant before the year 1900', () => {
    expect(() => parseInstant('0001-01-01T00:00:00Z', 'aware')).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'aware' }),
    );
  });
});

describe('addHours', () => {
  it('crosses a leap day', () => {
    expect(addHours('2024-02-28T12:00:00Z', 24)).toBe('2024-02-29T12:00:00.000Z');
  });

  it('refuses a start without an offset', () => {
    expect(() => addHours('2024-02-28T12:00', 24)).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID' }),
    );
  });
});

describe('GDPR clocks', () => {
  const berlinAwareness = parseInstant('2024-03-30T10:00', 'awareAt', 'Europe/Berlin');

  it('keeps the 72-hour deadline across the spring DST change on 31 March', () => {
    const clocks = gdprClocks({ awareAt: berlinAwareness, tenants: [] });
    expect(clocks).toEqual([
      expect.objectContaining({ regime: 'gdpr-33-1', due: '2024-04-02T09:00:00.000Z' }),
    ]);
  });

  it('gives the authority clock exactly 72 elapsed hours across the autumn DST change', () => {
    const awareAt = parseInstant('2024-10-26T10:00', 'awareAt', 'Europe/Berlin');
    const [authority] = gdprClocks({ awareAt, tenants: [] });
    expect(authority?.due).toBe('2024-10-29T08:00:00.000Z');
  });

  it('shows the autumn deadline one wall-clock hour earlier in Berlin', () => {
    const awareAt = parseInstant('2024-10-26T10:00', 'awareAt', 'Europe/Berlin');
    const [authority] = gdprClocks({ awareAt, tenants: [] });
    expect(formatInZone(authority?.due ?? '', 'Europe/Berlin')).toBe('2024-10-29T09:00:00+01:00');
  });

  it('opens one controller clock per tenant and one authority clock', () => {
    const tenants = [
      { tenantId: 'acme', contractHours: 12 },
      { tenantId: 'globex', contractHours: null },
    ];
    const clocks = gdprClocks({ awareAt: '2024-02-28T12:00:00Z', tenants });
    expect(clocks.map((clock) => [clock.regime, clock.tenantId, clock.due])).toEqual([
      ['gdpr-33-2', 'acme', '2024-02-29T00:00:00.000Z'],
      ['gdpr-33-2', 'globex', '2024-02-29T12:00:00.000Z'],
      ['gdpr-33-1', null, '2024-03-02T12:00:00.000Z'],
    ]);
  });

  it('cites the GDPR article in every clock source', () => {
    const tenants = [{ tenantId: 'acme', contractHours: null }];
    const clocks = gdprClocks({ awareAt: '2024-02-28T12:00:00Z', tenants });
    expect(clocks.map((clock) => clock.source)).toEqual([
      expect.stringContaining('GDPR Art. 33(2)'),
      expect.stringContaining('GDPR Art. 33(1)'),
    ]);
  });

  it('refuses a non-positive contractual period naming the tenant', () => {
    const tenants = [{ tenantId: 'acme', contractHours: 0 }];
    expect(() => gdprClocks({ awareAt: berlinAwareness, tenants })).toThrow(
      expect.objectContaining({ field: 'tenants[0].contractHours' }),
    );
  });

  it('refuses a tenant listed twice', () => {
    const tenants = [
      { tenantId: 'acme', contractHours: null },
      { tenantId: 'acme', contractHours: 48 },
    ];
    expect(() => gdprClocks({ awareAt: berlinAwareness, tenants })).toThrow(
      expect.objectContaining({ field: 'tenants[1].tenantId' }),
    );
  });
});

describe('timeLeft', () => {
  const due = '2024-04-02T09:00:00.000Z';

  it('is on time at the due instant itself', () => {
    expect(timeLeft(due, new Date('2024-04-02T09:00:00.000Z'))).toEqual({ ms: 0, isLate: false });
  });

  it('is late one millisecond after the due instant', () => {
    expect(timeLeft(due, new Date('2024-04-02T09:00:00.001Z'))).toEqual({ ms: -1, isLate: true });
  });

  it('counts the hours left before the deadline', () => {
    expect(timeLeft(due, new Date('2024-04-01T09:00:00.000Z')).ms).toBe(24 * 3_600_000);
  });
});

describe('formatInZone', () => {
  it('shows summer time in Berlin with its offset', () => {
    expect(formatInZone('2024-04-02T09:00:00.000Z', 'Europe/Berlin')).toBe(
      '2024-04-02T11:00:00+02:00',
    );
  });

  it('refuses an unknown zone naming zone', () => {
    expect(() => formatInZone('2024-04-02T09:00:00.000Z', 'Berlin')).toThrow(
      expect.objectContaining({ field: 'zone' }),
    );
  });
});

import { describe, expect, it } from 'vitest';

import {
  addBusinessDays,
  addMonthsAtWallTime,
  endOfLocalDay,
  holidaysOf,
  instantAtWallTime,
  isBusinessDay,
} from '../../../src/domain/business-days.ts';

describe('holiday calendars', () => {
  it('counts the eleven US federal holidays of 2024 and nothing else', () => {
    expect(holidaysOf('us-federal', 2024).map((h) => h.date)).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-10-14',
      '2024-11-11',
      '2024-11-28',
      '2024-12-25',
    ]);
  });

  it('counts the observed Friday when a US federal holiday falls on a Saturday', () => {
    // New Year's Day 2022 was a Saturday; it was observed on Friday 2021-12-31.
    expect(isBusinessDay('2021-12-31', 'us-federal')).toBe(false);
  });

  it('does not count Brazilian pontos facultativos (Carnival, Corpus Christi) as holidays', () => {
    const dates = holidaysOf('br-national', 2024).map((h) => h.date);
    expect(dates).not.toEqual(expect.arrayContaining(['2024-02-13']));
    expect(dates).not.toContain('2024-05-30');
  });

  it('counts Consciência Negra as a Brazilian national holiday from 2024', () => {
    expect(isBusinessDay('2024-11-20', 'br-national')).toBe(false);
  });
});

describe('addBusinessDays', () => {
  it('never counts the start date', () => {
    // Mon 2024-07-01 + 1 business day = Tue 07-02.
    expect(addBusinessDays('2024-07-01', 1, 'us-federal')).toBe('2024-07-02');
  });

  it('skips weekends', () => {
    // Fri 2024-07-12 + 1 = Mon 07-15.
    expect(addBusinessDays('2024-07-12', 1, 'us-federal')).toBe('2024-07-15');
  });
});

describe('wall-clock instants', () => {
  it('ends a local day at its last millisecond', () => {
    // 2024-03-01 in New York (EST, -05:00) ends at 2024-03-02 04:59:59.999Z.
    expect(endOfLocalDay('2024-03-01', 'America/New_York')).toBe('2024-03-02T04:59:59.999Z');
  });

  it('ends the short spring day in Berlin after 23 hours', () => {
    // 2024-03-31 starts 03-30 23:00Z (CET) and ends 03-31 21:59:59.999Z (CEST).
    expect(endOfLocalDay('2024-03-31', 'Europe/Berlin')).toBe('2024-03-31T21:59:59.999Z');
  });

  it('resolves a skipped wall-clock time to the instant the clocks jump', () => {
    // Berlin 2024-03-31: 02:00 CET becomes 03:00 CEST at 01:00Z; 02:30 never shows.
    expect(instantAtWallTime('2024-03-31', '02:30', 'Europe/Berlin')).toBe(
      '2024-03-31T01:00:00.000Z',
    );
  });

  it('resolves a repeated wall-clock time to its first occurrence', () => {
    // Berlin 2024-10-27: 02:30 CEST = 00:30Z, then 02:30 CET = 01:30Z.
    expect(instantAtWallTime('2024-10-27', '02:30', 'Europe/Berlin')).toBe(
      '2024-10-27T00:30:00.000Z',
    );
  });
});

describe('addMonthsAtWallTime', () => {
  it('clamps 31 March to 30 April at the same wall-clock time', () => {
    // 2024-03-31 12:00 CEST (10:00Z) → 2024-04-30 12:00 CEST = 10:00Z.
    expect(addMonthsAtWallTime('2024-03-31T10:00:00.000Z', 1, 'Europe/Berlin')).toBe(
      '2024-04-30T10:00:00.000Z',
    );
  });
});

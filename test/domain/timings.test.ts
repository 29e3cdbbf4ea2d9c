/**
 * The dashboards' timing figures from hand-computed instants: medians (odd and even counts),
 * maxima, UTC months, deadlines met, missed and pending, classification counts.
 */
import { describe, expect, it } from 'vitest';
import {
  aggregateTimings,
  type InvestigationInstants,
  median,
  monthOf,
} from '../../src/domain/timings.ts';
import { timingRange } from '../../src/domain/timings-range.ts';
import { BreachdeskError } from '../../src/domain/errors.ts';

const NOW = new Date('2026-12-05T12:00:00Z');
const H = 3600;

function buildInstants(over: Partial<InvestigationInstants> = {}): InvestigationInstants {
  return {
    sourceKind: 'ids',
    classification: null,
    firstSignalAt: '2026-11-10T08:00:00Z',
    openedAt: '2026-11-10T09:00:00Z',
    firstRatedAt: null,
    declaredAt: null,
    notifications: [],
    ...over,
  };
}

describe('median and month', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([10, 2, 4, 8])).toBe(6);
  });

  it('reads the month in UTC, not in the offset the instant was written with', () => {
    expect(monthOf('2026-11-30T23:30:00-02:00')).toBe('2026-12');
    expect(monthOf('2026-12-01T00:30:00+01:00')).toBe('2026-11');
  });
});

describe('aggregateTimings', () => {
  it('gives median and max of detect, assess and declare per source kind and month', () => {
    const rows = [
      // detect 1 h, assess 2 h, declare 10 h
      buildInstants({
        firstRatedAt: '2026-11-10T11:00:00Z',
        declaredAt: '2026-11-10T19:00:00Z',
        classification: 'crsi',
      }),
      // detect 3 h, assess 30 min, not declared
      buildInstants({
        firstSignalAt: '2026-11-20T06:00:00Z',
        openedAt: '2026-11-20T09:00:00Z',
        firstRatedAt: '2026-11-20T09:30:00Z',
        classification: 'false_positive',
      }),
      // detect 5 h, never rated
      buildInstants({ firstSignalAt: '2026-11-25T04:00:00Z', openedAt: '2026-11-25T09:00:00Z' }),
      // another month, another kind
      buildInstants({
        sourceKind: 'edr',
        firstSignalAt: '2026-10-31T23:00:00Z',
        openedAt: '2026-11-01T00:15:00Z',
        classification: 'false_positive',
      }),
      buildInstants({ openedAt: '2026-10-05T09:00:00Z', firstSignalAt: '2026-10-05T08:00:00Z' }),
    ];

    const report = aggregateTimings(rows, NOW);

    expect(report.months).toEqual(['2026-10', '2026-11']);
    expect(report.sourceKinds).toEqual(['edr', 'ids']);
    expect(report.groups.map((g) => `${g.sourceKind} ${g.month} ${g.investigations}`)).toEqual([
      'edr 2026-11 1',
      'ids 2026-10 1',
      'ids 2026-11 3',
    ]);
    const idsNov = report.groups[2];
    expect(idsNov?.detect).toEqual({ count: 3, medianSeconds: 3 * H, maxSeconds: 5 * H });
    expect(idsNov?.assess).toEqual({ count: 2, medianSeconds: 1.25 * H, maxSeconds: 2 * H });
    expect(idsNov?.declare).toEqual({ count: 1, medianSeconds: 10 * H, maxSeconds: 10 * H });
    expect(report.groups[0]?.detect.medianSeconds).toBe(1.25 * H);
    expect(report.groups[0]?.assess).toEqual({ count: 0, medianSeconds: null, maxSeconds: null });
    expect(report.byClassification).toEqual([
      { classification: 'false_positive', count: 2 },
      { classification: 'unclassified', count: 2 },
      { classification: 'crsi', count: 1 },
    ]);
  });

  it('counts notification deadlines met, missed (late or passed unmet) and pending', () => {
    const aware = '2026-11-30T10:00:00Z';
    const due = '2026-12-01T10:00:00Z';
    const duty = (metAt: string | null, dueAt: string | null = due, notRequired = false) => ({
      startsAt: aware,
      due: dueAt,
      metAt,
      notRequired,
    });
    const rows = [
      buildInstants({
        openedAt: '2026-11-30T09:00:00Z',
        notifications: [duty('2026-11-30T16:00:00Z'), duty('2026-12-02T10:00:00Z')],
      }),
      buildInstants({
        openedAt: '2026-11-30T09:30:00Z',
        notifications: [
          duty(null),
          duty(null, '2026-12-24T10:00:00Z'),
          duty(null, null),
          duty(null, due, true),
        ],
      }),
    ];

    const notify = aggregateTimings(rows, NOW).groups[0]?.notify;

    // Taken: 6 h and 48 h; deadlines 24, 24, 24 and 576 h (the not-required duty left out).
    expect(notify).toEqual({
      count: 2,
      medianSeconds: 27 * H,
      maxSeconds: 48 * H,
      deadlineMedianSeconds: 24 * H,
      met: 1,
      missed: 2,
      pending: 2,
    });
  });

  it('reads a signal stamped after the opening (a sensor clock ahead) as 0, not negative', () => {
    const rows = [buildInstants({ firstSignalAt: '2026-11-10T09:05:00Z' })];

    expect(aggregateTimings(rows, NOW).groups[0]?.detect.maxSeconds).toBe(0);
  });
});

describe('timingRange', () => {
  const codeOf = (query: { from?: string; to?: string }) => {
    try {
      timingRange(query, NOW);
      return 'accepted';
    } catch (e) {
      return e instanceof BreachdeskError ? `${e.code} ${e.field}` : String(e);
    }
  };

  it('defaults to the twelve UTC months up to now', () => {
    expect(timingRange({}, NOW)).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-12-05T12:00:00.000Z',
    });
  });

  it('accepts a month, a day or an instant with offset', () => {
    expect(timingRange({ from: '2026-02', to: '2026-03-01T01:00:00+01:00' }, NOW)).toEqual({
      from: '2026-02-01T00:00:00.000Z',
      to: '2026-03-01T00:00:00.000Z',
    });
    expect(timingRange({ from: '2026-02-28', to: '2026-03' }, NOW).from).toBe(
      '2026-02-28T00:00:00.000Z',
    );
  });

  it('refuses what is not a date, a day that does not exist, and an empty or huge period', () => {
    expect(codeOf({ from: 'last week' })).toBe('BD_REQUEST_INVALID from');
    expect(codeOf({ from: '2026-13' })).toBe('BD_REQUEST_INVALID from');
    expect(codeOf({ to: '2026-02-30' })).toBe('BD_REQUEST_INVALID to');
    expect(codeOf({ to: '2026-11-30T08:00:00' })).toBe('BD_REQUEST_INVALID to');
    expect(codeOf({ from: '2026-11', to: '2026-11' })).toBe('BD_REQUEST_INVALID to');
    expect(codeOf({ from: '2000-01', to: '2026-01' })).toBe('BD_REQUEST_INVALID to');
  });
});

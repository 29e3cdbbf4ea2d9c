import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const BERLIN = { zone: 'Europe/Berlin' };
const byName = (result: ReturnType<typeof computeFilings>) =>
  Object.fromEntries(result.filings.map((f) => [f.filing, f]));

describe('nis2 (early warning 24 h, notification 72 h, final report one month later)', () => {
  it('is due 24 h and 72 h after awareness, across the spring DST change', () => {
    // 2024-03-30 10:00 CET = 09:00Z; + 24 h = 03-31 09:00Z; + 72 h = 04-02 09:00Z.
    const f = byName(computeFilings('nis2', { aware: '2024-03-30T10:00' }, BERLIN));
    expect(f['early-warning']?.due).toBe('2024-03-31T09:00:00.000Z');
    expect(f.notification?.due).toBe('2024-04-02T09:00:00.000Z');
  });

  it('projects the final report from the notification due time while it is not filed', () => {
    // Notification due 2024-04-02 11:00 CEST; one month later 2024-05-02 11:00 CEST = 09:00Z.
    const f = byName(computeFilings('nis2', { aware: '2024-03-30T10:00' }, BERLIN));
    expect(f['final-report']).toMatchObject({ due: '2024-05-02T09:00:00.000Z', projected: true });
  });

  it('runs the final report from the actual notification, 31 January → 29 February 2024', () => {
    // Filed 2024-01-31 10:00 CET; February 2024 has 29 days, so the day clamps to 29:
    // 2024-02-29 10:00 CET = 09:00Z.
    const moments = { aware: '2024-01-29T10:00', filings: { notification: '2024-01-31T10:00' } };
    const final = byName(computeFilings('nis2', moments, BERLIN))['final-report'];
    expect(final).toMatchObject({ due: '2024-02-29T09:00:00.000Z', dueDate: '2024-02-29' });
    expect(final?.projected).toBeUndefined();
  });

  it('keeps the wall-clock time when the month crosses the spring DST change', () => {
    // Filed 2024-03-15 10:00 CET (09:00Z); 2024-04-15 10:00 CEST = 08:00Z.
    const moments = { aware: '2024-03-13T10:00', filings: { notification: '2024-03-15T10:00' } };
    const final = byName(computeFilings('nis2', moments, BERLIN))['final-report'];
    expect(final?.due).toBe('2024-04-15T08:00:00.000Z');
  });

  it('takes the earlier of a wall-clock time that occurs twice (autumn)', () => {
    // Filed 2024-09-27 02:30 CEST (00:30Z); 2024-10-27 02:30 happens at 00:30Z (CEST) and
    // again at 01:30Z (CET); the earlier one is the deadline.
    const moments = { aware: '2024-09-25T02:30', filings: { notification: '2024-09-27T02:30' } };
    const final = byName(computeFilings('nis2', moments, BERLIN))['final-report'];
    expect(final?.due).toBe('2024-10-27T00:30:00.000Z');
  });

  it('falls due when the clocks jump over a wall-clock time that does not exist (spring)', () => {
    // Filed 2029-02-25 02:30 CET (01:30Z); 2029-03-25 02:30 is skipped: at 01:00Z the clocks
    // go from 02:00 CET to 03:00 CEST, so the month has run out at 01:00Z.
    const moments = { aware: '2029-02-23T02:30', filings: { notification: '2029-02-25T02:30' } };
    const final = byName(computeFilings('nis2', moments, BERLIN))['final-report'];
    expect(final?.due).toBe('2029-03-25T01:00:00.000Z');
  });

  it('runs the final report from a late notification, and marks that notification late', () => {
    // Aware 2024-01-01 10:00Z → notification due 01-04 10:00Z; filed 01-05 10:00Z (late),
    // which is 11:00 CET; final report 2024-02-05 11:00 CET = 10:00Z.
    const moments = { aware: '2024-01-01T10:00Z', filings: { notification: '2024-01-05T10:00Z' } };
    const f = byName(computeFilings('nis2', moments, BERLIN));
    expect(f.notification?.late).toBe(true);
    expect(f['final-report']?.due).toBe('2024-02-05T10:00:00.000Z');
  });
});

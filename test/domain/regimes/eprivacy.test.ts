import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

describe('eprivacy (24 h after detection)', () => {
  it('is due 24 elapsed hours after detection across the autumn DST change', () => {
    // 2024-10-26 23:30 CEST = 21:30Z; + 24 h = 2024-10-27 21:30Z (22:30 CET, still the 27th).
    const [authority] = computeFilings(
      'eprivacy',
      { aware: '2024-10-26T23:30' },
      { zone: 'Europe/Berlin' },
    ).filings;
    expect(authority).toMatchObject({
      filing: 'authority',
      due: '2024-10-27T21:30:00.000Z',
      dueDate: '2024-10-27',
    });
  });
});

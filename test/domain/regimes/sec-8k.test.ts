import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const form8k = (determined: string, zone?: string) =>
  computeFilings('sec-8k', { determined }, { zone }).filings[0];

describe('sec-8k (4 business days after the materiality determination, by 17:30 Eastern)', () => {
  it('skips Independence Day', () => {
    // Determined Wed 2024-07-03; Thu 07-04 is a federal holiday; Fri 05 (1), Mon 08 (2),
    // Tue 09 (3), Wed 10 (4). 17:30 EDT (-04:00) = 21:30Z.
    const filing = form8k('2024-07-03T12:00', 'America/New_York');
    expect(filing).toMatchObject({ due: '2024-07-10T21:30:00.000Z', dueDate: '2024-07-10' });
  });

  it('starts the count on the next business day after a weekend determination', () => {
    // Determined Sat 2024-03-09; Mon 11 (1), Tue 12 (2), Wed 13 (3), Thu 14 (4). DST began on
    // Mar 10: 17:30 EDT = 21:30Z.
    expect(form8k('2024-03-09T10:00:00-05:00')?.due).toBe('2024-03-14T21:30:00.000Z');
  });

  it('counts the day after Thanksgiving as a business day', () => {
    // Determined Tue 2024-11-26; Wed 27 (1), Thu 28 holiday, Fri 29 (2: an observance only),
    // Mon Dec 2 (3), Tue Dec 3 (4). 17:30 EST (-05:00) = 22:30Z.
    expect(form8k('2024-11-26T09:00:00-05:00')?.due).toBe('2024-12-03T22:30:00.000Z');
  });

  it('counts from the date in New York, not in UTC', () => {
    // 2024-07-03 23:30 EDT is already 07-04 03:30Z, but the determination day is still Wed 07-03.
    expect(form8k('2024-07-04T03:30:00Z')?.dueDate).toBe('2024-07-10');
  });

  it('keeps Eastern time for its dates whatever zone the input is read in', () => {
    // 2024-07-03 20:00 in Berlin = 18:00Z = 14:00 EDT on Wed 07-03.
    const result = computeFilings(
      'sec-8k',
      { determined: '2024-07-03T20:00' },
      { zone: 'Europe/Berlin' },
    );
    expect(result.zone).toBe('America/New_York');
    expect(result.filings[0]?.due).toBe('2024-07-10T21:30:00.000Z');
  });
});

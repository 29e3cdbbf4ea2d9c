import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

describe('us-bank (36 h after determination)', () => {
  it('is due 36 elapsed hours after the determination across the US autumn DST change', () => {
    // 2024-11-02 20:00 EDT = 11-03 00:00Z; + 36 h = 2024-11-04 12:00Z (07:00 EST).
    const [regulator] = computeFilings(
      'us-bank',
      { determined: '2024-11-02T20:00' },
      { zone: 'America/New_York' },
    ).filings;
    expect(regulator).toMatchObject({
      filing: 'regulator',
      due: '2024-11-04T12:00:00.000Z',
      dueDate: '2024-11-04',
    });
  });
});

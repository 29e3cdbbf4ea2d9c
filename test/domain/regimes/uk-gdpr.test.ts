import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

describe('uk-gdpr (controller to the ICO, 72 h)', () => {
  it('is due 72 elapsed hours after awareness across the UK spring DST change', () => {
    // 2024-03-30 10:00 GMT = 10:00Z; + 72 h = 2024-04-02 10:00Z (11:00 BST).
    const [ico] = computeFilings(
      'uk-gdpr',
      { aware: '2024-03-30T10:00' },
      { zone: 'Europe/London' },
    ).filings;
    expect(ico).toMatchObject({
      filing: 'ico',
      due: '2024-04-02T10:00:00.000Z',
      dueDate: '2024-04-02',
    });
  });

  it('keeps London as the zone of its dates whatever zone the input is read in', () => {
    // 2024-04-01 23:30 in Berlin (CEST) = 21:30Z; + 72 h = 2024-04-04 21:30Z = 22:30 BST.
    const result = computeFilings(
      'uk-gdpr',
      { aware: '2024-04-01T23:30' },
      { zone: 'Europe/Berlin' },
    );
    expect(result.zone).toBe('Europe/London');
    expect(result.filings[0]?.dueDate).toBe('2024-04-04');
  });
});

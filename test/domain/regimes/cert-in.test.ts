import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

describe('cert-in (6 h from noticing)', () => {
  it('is due six hours later, dated in India across the leap day', () => {
    // 2024-02-29 22:00 IST (+05:30) = 16:30Z; + 6 h = 22:30Z = 2024-03-01 04:00 IST.
    const [report] = computeFilings(
      'cert-in',
      { aware: '2024-02-29T22:00' },
      { zone: 'Asia/Kolkata' },
    ).filings;
    expect(report).toMatchObject({
      filing: 'cert-in',
      due: '2024-02-29T22:30:00.000Z',
      dueDate: '2024-03-01',
    });
  });
});

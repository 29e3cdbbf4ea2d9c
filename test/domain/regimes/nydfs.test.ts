import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

describe('nydfs (72 h after determination)', () => {
  it('is due 72 elapsed hours after the determination across the US spring DST change', () => {
    // 2024-03-08 12:00 EST = 17:00Z; + 72 h = 2024-03-11 17:00Z (13:00 EDT).
    const [dfs] = computeFilings(
      'nydfs',
      { determined: '2024-03-08T12:00' },
      { zone: 'America/New_York' },
    ).filings;
    expect(dfs).toMatchObject({
      filing: 'dfs',
      due: '2024-03-11T17:00:00.000Z',
      dueDate: '2024-03-11',
    });
  });

  it('does not run from awareness', () => {
    expect(() => computeFilings('nydfs', { aware: '2024-03-08T12:00:00Z' })).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'determined' }),
    );
  });
});

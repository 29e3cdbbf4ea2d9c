import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const anpd = (aware: string) => computeFilings('lgpd', { aware }).filings[0];

describe('lgpd (3 business days, Brazilian national holidays, Brasília time)', () => {
  it('skips Proclamação da República and Consciência Negra', () => {
    // Aware Thu 2024-11-14; Fri 15 holiday, Mon 18 (1), Tue 19 (2), Wed 20 holiday, Thu 21 (3).
    // End of 2024-11-21 at -03:00 = 2024-11-22 02:59:59.999Z.
    expect(anpd('2024-11-14T12:00:00-03:00')).toMatchObject({
      due: '2024-11-22T02:59:59.999Z',
      dueDate: '2024-11-21',
    });
  });

  it('counts Carnival Monday and Tuesday as business days (ponto facultativo)', () => {
    // Aware Fri 2024-02-09; Mon 12 (1), Tue 13 (2), Wed 14 (3).
    // End of 02-14 at -03:00 = 02-15 02:59:59.999Z.
    expect(anpd('2024-02-09T12:00:00-03:00')?.due).toBe('2024-02-15T02:59:59.999Z');
  });

  it('crosses New Year with its holiday', () => {
    // Aware Fri 2024-12-27; Mon 30 (1), Tue 31 (2), Wed 2025-01-01 holiday, Thu 01-02 (3).
    expect(anpd('2024-12-27T12:00:00-03:00')?.dueDate).toBe('2025-01-02');
  });

  it('counts from the date in Brasília, not in UTC', () => {
    // 2024-11-14 23:00 -03:00 is 11-15 02:00Z, but the day of knowledge is still Thu 11-14.
    expect(anpd('2024-11-15T02:00:00Z')?.dueDate).toBe('2024-11-21');
  });
});

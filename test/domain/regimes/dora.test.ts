import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const byName = (result: ReturnType<typeof computeFilings>) =>
  Object.fromEntries(result.filings.map((f) => [f.filing, f]));

describe('dora (initial, intermediate, final)', () => {
  it('is due 4 h after classification when that comes before 24 h after awareness', () => {
    // aware 05-06 08:00Z, classified 20:00Z: min(05-07 00:00Z, 05-07 08:00Z) = 05-07 00:00Z.
    const moments = { aware: '2024-05-06T08:00:00Z', classified: '2024-05-06T20:00:00Z' };
    const initial = byName(computeFilings('dora', moments)).initial;
    expect(initial).toMatchObject({ due: '2024-05-07T00:00:00.000Z', anchor: 'classified' });
  });

  it('is due 24 h after awareness when that comes before 4 h after classification', () => {
    // aware 05-06 08:00Z, classified 05-07 06:00Z: min(05-07 10:00Z, 05-07 08:00Z) = 08:00Z.
    const moments = { aware: '2024-05-06T08:00:00Z', classified: '2024-05-07T06:00:00Z' };
    const initial = byName(computeFilings('dora', moments)).initial;
    expect(initial).toMatchObject({ due: '2024-05-07T08:00:00.000Z', anchor: 'aware' });
  });

  it('shows the 24 h cap as a projection until the classification is known', () => {
    // aware 05-06 08:00Z + 24 h = 05-07 08:00Z; classification can only bring it earlier.
    const initial = byName(computeFilings('dora', { aware: '2024-05-06T08:00:00Z' })).initial;
    expect(initial).toMatchObject({ due: '2024-05-07T08:00:00.000Z', projected: true });
    expect(initial?.reason).toMatch(/--classified/);
  });

  it('is due 72 h after the initial notification was actually filed', () => {
    // initial filed 05-06 23:00Z + 72 h = 05-09 23:00Z.
    const moments = {
      aware: '2024-05-06T08:00:00Z',
      classified: '2024-05-06T20:00:00Z',
      filings: { initial: '2024-05-06T23:00:00Z' },
    };
    const intermediate = byName(computeFilings('dora', moments)).intermediate;
    expect(intermediate).toMatchObject({
      due: '2024-05-09T23:00:00.000Z',
      anchor: 'filing:initial',
    });
  });

  it('is due one month after the last intermediate report, clamped to 29 February', () => {
    // last intermediate 2024-01-31 12:00Z = 13:00 CET (Brussels) → 2024-02-29 13:00 CET = 12:00Z.
    const moments = {
      aware: '2024-01-25T08:00:00Z',
      classified: '2024-01-25T09:00:00Z',
      filings: { initial: '2024-01-25T10:00:00Z', intermediate: '2024-01-31T12:00:00Z' },
    };
    const final = byName(computeFilings('dora', moments)).final;
    expect(final).toMatchObject({ due: '2024-02-29T12:00:00.000Z', dueDate: '2024-02-29' });
  });

  it('dates a month in the competent authority zone, not in UTC', () => {
    // intermediate filed 2024-05-09 23:30Z = 05-10 01:30 CEST → 06-10 01:30 CEST = 06-09 23:30Z,
    // whose date in Brussels is 06-10.
    const moments = {
      aware: '2024-05-06T08:00:00Z',
      filings: { initial: '2024-05-06T20:00:00Z', intermediate: '2024-05-09T23:30:00Z' },
    };
    const final = byName(computeFilings('dora', moments)).final;
    expect(final).toMatchObject({ due: '2024-06-09T23:30:00.000Z', dueDate: '2024-06-10' });
  });
});

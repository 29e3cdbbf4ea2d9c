import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const byName = (result: ReturnType<typeof computeFilings>) =>
  Object.fromEntries(result.filings.map((f) => [f.filing, f]));

describe('hipaa (60 calendar days after discovery)', () => {
  it('counts 29 February and ends at the end of the 60th day in New York', () => {
    // Discovered 2024-01-01 (09:00 EST). Jan 1 + 30 = Jan 31, + 29 = Feb 29 (59), + 1 = Mar 1
    // (60). End of 2024-03-01 EST (-05:00) = 2024-03-02 04:59:59.999Z.
    const f = byName(computeFilings('hipaa', { aware: '2024-01-01T09:00:00-05:00' }));
    expect(f.individuals).toMatchObject({ due: '2024-03-02T04:59:59.999Z', dueDate: '2024-03-01' });
  });

  it('ends the 60th day at midnight daylight time once DST has begun', () => {
    // Discovered 2024-01-15. Jan 15 + 16 = Jan 31, + 29 = Feb 29 (45), + 15 = Mar 15 (60).
    // DST began on Mar 10, so the end of Mar 15 EDT (-04:00) = 2024-03-16 03:59:59.999Z.
    const f = byName(computeFilings('hipaa', { aware: '2024-01-15T12:00:00Z' }));
    expect(f.individuals?.due).toBe('2024-03-16T03:59:59.999Z');
  });

  it('gives the business associate the same 60 days to tell the covered entity', () => {
    const f = byName(computeFilings('hipaa', { aware: '2024-01-01T09:00:00-05:00' }));
    expect(f['covered-entity']).toMatchObject({
      due: '2024-03-02T04:59:59.999Z',
      to: 'covered entity',
    });
  });
});

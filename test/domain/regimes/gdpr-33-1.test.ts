import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const authority = (aware: string, zone?: string) =>
  computeFilings('gdpr-33-1', { aware }, { zone }).filings[0];

describe('gdpr-33-1 (controller to supervisory authority, 72 h)', () => {
  it('is due 72 elapsed hours after awareness across the spring DST change in Berlin', () => {
    // 2024-03-30 10:00 CET (+01:00) = 09:00Z; + 72 h = 2024-04-02 09:00Z (11:00 CEST).
    const filing = authority('2024-03-30T10:00', 'Europe/Berlin');
    expect(filing).toMatchObject({ due: '2024-04-02T09:00:00.000Z', dueDate: '2024-04-02' });
  });

  it('is due 72 elapsed hours after awareness across the autumn DST change in Berlin', () => {
    // 2024-10-26 10:00 CEST (+02:00) = 08:00Z; + 72 h = 2024-10-29 08:00Z (09:00 CET).
    const filing = authority('2024-10-26T10:00', 'Europe/Berlin');
    expect(filing).toMatchObject({ due: '2024-10-29T08:00:00.000Z', dueDate: '2024-10-29' });
  });

  it('counts the leap day', () => {
    // 2024-02-27 12:00Z + 72 h: Feb 28, Feb 29, Mar 1 → 2024-03-01 12:00Z.
    expect(authority('2024-02-27T12:00:00Z')?.due).toBe('2024-03-01T12:00:00.000Z');
  });

  it('says a late notice must carry the reasons for the delay', () => {
    expect(authority('2024-02-27T12:00:00Z')?.lateNeedsReasons).toBe(true);
  });
});

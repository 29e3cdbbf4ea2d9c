import { describe, expect, it } from 'vitest';

import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const dataSubjects = () => computeFilings('gdpr-34', { aware: '2024-03-30T10:00:00Z' }).filings[0];

describe('gdpr-34 (controller to data subjects, without undue delay)', () => {
  it('has no date', () => {
    expect(dataSubjects()).toMatchObject({ due: null, dueDate: null });
  });

  it('says why there is no date', () => {
    expect(dataSubjects()?.reason).toMatch(/without undue delay/);
  });

  it('lists the three Art. 34(3) exemptions as decision options', () => {
    const sources = dataSubjects()?.decisionOptions?.map((o) => o.source);
    expect(sources).toEqual(
      expect.arrayContaining(['GDPR Art. 34(3)(a)', 'GDPR Art. 34(3)(b)', 'GDPR Art. 34(3)(c)']),
    );
  });

  it('needs no moment at all, since it has no date to compute', () => {
    expect(computeFilings('gdpr-34', {}).filings[0]?.startsAt).toBeNull();
  });
});

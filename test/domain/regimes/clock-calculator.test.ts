import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isBusinessDay } from '../../../src/domain/business-days.ts';
import { computeFilings } from '../../../src/domain/clock-calculator.ts';

const byName = (result: ReturnType<typeof computeFilings>) =>
  Object.fromEntries(result.filings.map((f) => [f.filing, f]));

describe('computeFilings', () => {
  it('gives gdpr-33-1 due 2024-04-02 09:00Z for awareness 2024-03-30 10:00 in Berlin', () => {
    const result = computeFilings(
      'gdpr-33-1',
      { aware: '2024-03-30T10:00' },
      { zone: 'Europe/Berlin' },
    );
    expect(result).toMatchObject({
      regime: 'gdpr-33-1',
      filings: [{ filing: 'authority', due: '2024-04-02T09:00:00.000Z', dueDate: '2024-04-02' }],
    });
  });

  it('refuses an unknown regime, listing the regime ids', () => {
    expect(() => computeFilings('gdpr-33', { aware: '2024-03-30T10:00:00Z' })).toThrow(
      expect.objectContaining({
        code: 'BD_DEADLINE_INVALID',
        message: expect.stringContaining('gdpr-33-1'),
      }),
    );
  });

  it('refuses an instant without offset when no zone is given', () => {
    expect(() => computeFilings('gdpr-33-1', { aware: '2024-03-30T10:00' })).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'aware' }),
    );
  });

  it('refuses a zone that is not an IANA zone', () => {
    expect(() =>
      computeFilings('gdpr-33-1', { aware: '2024-03-30T10:00Z' }, { zone: 'CEST+1' }),
    ).toThrow(expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'zone' }));
  });

  it('refuses a regime given none of the moments it runs from, naming the moment', () => {
    expect(() => computeFilings('sec-8k', { aware: '2024-07-03T12:00:00Z' })).toThrow(
      expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'determined' }),
    );
  });

  it('leaves a filing without date, with the moment it needs, when others can be computed', () => {
    // Only the notification's submission is known: the final report runs from it.
    const f = byName(computeFilings('nis2', { filings: { notification: '2024-01-31T09:00:00Z' } }));
    expect(f['early-warning']).toMatchObject({ due: null, reason: 'needs --aware' });
    expect(f['final-report']?.due).toBe('2024-02-29T09:00:00.000Z');
  });

  it('refuses a filed instant for a filing the regime does not have', () => {
    expect(() =>
      computeFilings('nis2', {
        aware: '2024-01-01T00:00:00Z',
        filings: { final: '2024-01-02T00:00:00Z' },
      }),
    ).toThrow(expect.objectContaining({ code: 'BD_DEADLINE_INVALID', field: 'filings.final' }));
  });

  it('reports inputs the regime does not use', () => {
    const result = computeFilings(
      'gdpr-33-1',
      { aware: '2024-03-30T10:00:00Z', determined: '2024-03-30T11:00:00Z' },
      { contractHours: 12 },
    );
    expect(result.ignored).toEqual(['determined', 'contractHours']);
  });

  it('marks a filing made on time as not late', () => {
    const f = byName(
      computeFilings('gdpr-33-1', {
        aware: '2024-03-30T10:00:00Z',
        filings: { authority: '2024-04-02T10:00:00Z' },
      }),
    ).authority;
    expect(f).toMatchObject({ filedAt: '2024-04-02T10:00:00.000Z', late: false });
  });

  it('gives a due instant exactly N elapsed hours after the anchor, whatever the instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
        (at) => {
          const aware = at.toISOString();
          const due = computeFilings('gdpr-33-1', { aware }, { zone: 'Europe/Berlin' }).filings[0]
            ?.due;
          expect(Date.parse(due ?? '') - at.getTime()).toBe(72 * 3_600_000);
        },
      ),
    );
  });

  it('always ends a business-day deadline on a business day, four of them later', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        (at) => {
          const filing = computeFilings('sec-8k', { determined: at.toISOString() }).filings[0];
          expect(isBusinessDay(filing?.dueDate ?? '', 'us-federal')).toBe(true);
          expect(filing?.due?.endsWith(':30:00.000Z')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

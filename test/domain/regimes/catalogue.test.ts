import { describe, expect, it } from 'vitest';

import { getRegime, listRegimes, REGIME_IDS } from '../../../src/domain/regimes/index.ts';

describe('the regimes catalogue', () => {
  it('has exactly the regimes and filings issue 3 names', () => {
    const filings = Object.fromEntries(
      listRegimes().map((r) => [r.id, r.filings.map((f) => f.filing)]),
    );
    expect(filings).toEqual({
      'gdpr-33-2': ['controller'],
      'gdpr-33-1': ['authority'],
      'gdpr-34': ['data-subjects'],
      'uk-gdpr': ['ico'],
      nis2: ['early-warning', 'notification', 'final-report'],
      dora: ['initial', 'intermediate', 'final'],
      hipaa: ['individuals', 'covered-entity'],
      'sec-8k': ['form-8k'],
      nydfs: ['dfs'],
      'us-bank': ['regulator'],
      eprivacy: ['authority'],
      lgpd: ['anpd'],
      'cert-in': ['cert-in'],
    });
  });

  it('gives every regime a version, a legal source and a date it applies from', () => {
    for (const regime of listRegimes()) {
      expect(regime).toMatchObject({
        version: expect.any(Number),
        law: expect.stringMatching(/\d/),
        inForceFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      for (const filing of regime.filings) expect(filing.source).toMatch(/\S/);
    }
  });

  it('lists a chained filing after the filing it runs from', () => {
    for (const regime of listRegimes()) {
      const seen: string[] = [];
      for (const filing of regime.filings) {
        for (const { anchor } of filing.limits) {
          if (typeof anchor !== 'string') expect(seen).toContain(anchor.filing);
        }
        seen.push(filing.filing);
      }
    }
  });

  it('refuses an unknown regime, listing the ids that exist', () => {
    expect(() => getRegime('gdpr')).toThrow(
      expect.objectContaining({
        code: 'BD_DEADLINE_INVALID',
        message: expect.stringContaining(REGIME_IDS.join(', ')),
      }),
    );
  });
});

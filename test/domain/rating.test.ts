import { describe, it, expect } from 'vitest';

import { DEFAULT_MATRIX, rate, validateMatrix } from '../../src/domain/rating.ts';
import type { RatingInput, RatingMatrix } from '../../src/domain/rating.ts';

function buildRatingInput(overrides: Partial<RatingInput> = {}): RatingInput {
  return {
    functionalImpact: 'none',
    informationImpact: ['none'],
    recoverability: 'regular',
    customerDataRisk: 'none',
    ...overrides,
  };
}

describe('rating with the default matrix', () => {
  it('rates an event with no impact as low severity and P4', () => {
    expect(rate(buildRatingInput())).toMatchObject({ severity: 'low', priority: 'P4', score: 0 });
  });

  it('rates a privacy breach that is regularly recoverable as medium and P3', () => {
    const rating = rate(buildRatingInput({ informationImpact: ['privacy'] }));
    expect(rating).toMatchObject({ severity: 'medium', priority: 'P3', score: 4 });
  });

  it('rates losing a critical service for all users as high severity', () => {
    const rating = rate(buildRatingInput({ functionalImpact: 'high' }));
    expect(rating).toMatchObject({ severity: 'high', priority: 'P2', score: 5 });
  });

  it('rates high impact on every factor as P1 without forcing it', () => {
    const input = buildRatingInput({
      functionalImpact: 'high',
      informationImpact: ['privacy'],
      recoverability: 'extended',
    });
    expect(rate(input)).toMatchObject({ severity: 'high', priority: 'P1', forcedHigh: false });
  });

  it('caps several information impacts held at once', () => {
    const input = buildRatingInput({ informationImpact: ['privacy', 'proprietary', 'integrity'] });
    expect(rate(input).score).toBe(DEFAULT_MATRIX.informationImpactCap);
  });

  it.each(['imminent', 'confirmed'] as const)(
    'forces high severity and P1 when customer data risk is %s',
    (customerDataRisk) => {
      const rating = rate(buildRatingInput({ customerDataRisk }));
      expect(rating).toMatchObject({ severity: 'high', priority: 'P1', forcedHigh: true });
    },
  );

  it('keeps the computed score when severity is forced', () => {
    expect(rate(buildRatingInput({ customerDataRisk: 'confirmed' })).score).toBe(0);
  });

  it('returns only the rated fields, not extra input', () => {
    const rating = rate({ ...buildRatingInput(), reason: 'ignored' });
    expect(rating).not.toHaveProperty('reason');
  });
});

describe('rating input validation', () => {
  it('names the field and the accepted values for an unknown functional impact', () => {
    const input = { ...buildRatingInput(), functionalImpact: 'severe' };
    expect(() => rate(input)).toThrow(
      expect.objectContaining({
        code: 'BD_RATING_INVALID',
        field: 'functionalImpact',
        message: 'functionalImpact must be one of none, low, medium, high',
      }),
    );
  });

  it('names the position of a bad information impact', () => {
    const input = { ...buildRatingInput(), informationImpact: ['privacy', 'financial'] };
    expect(() => rate(input)).toThrow(expect.objectContaining({ field: 'informationImpact[1]' }));
  });

  it('refuses an empty information impact list', () => {
    const input = buildRatingInput({ informationImpact: [] });
    expect(() => rate(input)).toThrow(expect.objectContaining({ field: 'informationImpact' }));
  });

  it('refuses none combined with another information impact', () => {
    const input = buildRatingInput({ informationImpact: ['none', 'privacy'] });
    expect(() => rate(input)).toThrow('cannot combine none with');
  });

  it('refuses the same information impact twice', () => {
    const input = buildRatingInput({ informationImpact: ['privacy', 'privacy'] });
    expect(() => rate(input)).toThrow(expect.objectContaining({ field: 'informationImpact[1]' }));
  });

  it('requires customer data risk to be stated', () => {
    const input: Partial<RatingInput> = buildRatingInput();
    delete input.customerDataRisk;
    expect(() => rate(input)).toThrow(expect.objectContaining({ field: 'customerDataRisk' }));
  });

  it('refuses a rating that is not an object', () => {
    expect(() => rate(['high'])).toThrow(expect.objectContaining({ code: 'BD_RATING_INVALID' }));
  });
});

describe('custom rating matrix', () => {
  const strict: RatingMatrix = validateMatrix({
    ...DEFAULT_MATRIX,
    bands: [
      { minScore: 1, severity: 'high', priority: 'P2' },
      { minScore: 0, severity: 'low', priority: 'P4' },
    ],
  });

  it('uses the bands of the matrix it is given', () => {
    const rating = rate(buildRatingInput({ functionalImpact: 'low' }), strict);
    expect(rating).toMatchObject({ severity: 'high', priority: 'P2' });
  });

  it('refuses a matrix whose bands do not reach score 0', () => {
    const bands = [{ minScore: 2, severity: 'low', priority: 'P4' }];
    expect(() => validateMatrix({ ...DEFAULT_MATRIX, bands })).toThrow(
      expect.objectContaining({ code: 'BD_CONFIG_INVALID', field: 'bands[0]' }),
    );
  });

  it('refuses a matrix missing points for a factor value', () => {
    const recoverability = { regular: 0, supplemented: 1, extended: 2 };
    expect(() => validateMatrix({ ...DEFAULT_MATRIX, recoverability })).toThrow(
      expect.objectContaining({ field: 'recoverability.not_recoverable' }),
    );
  });

  it('refuses bands that are not ordered from the highest score down', () => {
    const bands = [
      { minScore: 0, severity: 'low', priority: 'P4' },
      { minScore: 5, severity: 'high', priority: 'P1' },
    ];
    expect(() => validateMatrix({ ...DEFAULT_MATRIX, bands })).toThrow(
      expect.objectContaining({ field: 'bands[1].minScore' }),
    );
  });

  it('keeps the default matrix frozen', () => {
    expect(Object.isFrozen(DEFAULT_MATRIX.functionalImpact)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { BreachdeskError } from '../../src/domain/errors.ts';
import { parseRuleRequest, ruleState } from '../../src/domain/suppression-rule.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const valid = {
  match: { title: 'ET SCAN *' },
  reason: 'our own scanner',
  expiresAt: '2026-07-01T12:00:00+02:00',
};

function refusal(input: unknown, at = ''): BreachdeskError {
  try {
    parseRuleRequest(input, NOW, 'cli:ops', at);
  } catch (err) {
    if (err instanceof BreachdeskError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('parseRuleRequest', () => {
  it('takes the creator as owner when none is named and keeps the expiry in UTC', () => {
    expect(parseRuleRequest(valid, NOW, 'cli:ops')).toEqual({
      match: { title: 'ET SCAN *' },
      owner: 'cli:ops',
      reason: 'our own scanner',
      expiresAt: '2026-07-01T10:00:00.000Z',
    });
  });

  it('accepts an expiry exactly 365 days ahead and refuses one a minute later', () => {
    const limit = new Date(NOW.getTime() + 365 * 86_400_000);

    expect(parseRuleRequest({ ...valid, expiresAt: limit.toISOString() }, NOW, 'x').expiresAt).toBe(
      limit.toISOString(),
    );
    const later = new Date(limit.getTime() + 60_000).toISOString();
    expect(refusal({ ...valid, expiresAt: later }).field).toBe('expiresAt');
  });

  it('refuses an expiry equal to now', () => {
    expect(refusal({ ...valid, expiresAt: NOW.toISOString() }).field).toBe('expiresAt');
  });

  it('names a field it does not know', () => {
    expect(refusal({ ...valid, colour: 'red' })).toMatchObject({
      code: 'BD_SUPPRESSION_INVALID',
      field: 'colour',
    });
  });

  it('prefixes field paths inside a classification', () => {
    expect(refusal({ ...valid, match: {} }, 'suppress.').field).toBe('suppress.match');
  });
});

describe('ruleState', () => {
  it('says revoked for a revoked rule even after it expired', () => {
    const rule = { expiresAt: '2026-01-01T00:00:00.000Z', revokedAt: '2025-12-01T00:00:00Z' };

    expect(ruleState(rule, NOW)).toBe('revoked');
  });

  it('says expired once the expiry has passed', () => {
    expect(ruleState({ expiresAt: NOW.toISOString(), revokedAt: null }, NOW)).toBe('expired');
  });
});

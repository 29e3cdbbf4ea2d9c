/**
 * The facts a notice is made of and the rules every rendering keeps. The wording of each
 * audience and language is tested with the templates (test/notify/templates.test.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import { BreachdeskError } from '../../src/domain/errors.ts';
import {
  markSubject,
  SUBJECT_MAX_LENGTH,
  toSubjectLine,
  validateNoticeFacts,
} from '../../src/domain/notice-content.ts';
import type { NoticeFacts } from '../../src/domain/notice-content.ts';

function buildFacts(overrides: Partial<NoticeFacts> = {}): NoticeFacts {
  return {
    investigationRef: 'INV-2024-0042',
    tenantName: 'Contoso Ltd',
    nature: 'A leaked API key was used to read objects from a storage bucket.',
    dataCategories: ['names', 'e-mail addresses'],
    approxSubjects: 1200,
    approxRecords: 45000,
    firstAccess: '2024-05-01T08:00:00Z',
    lastAccess: '2024-05-02T17:30:00Z',
    awareAt: '2024-05-03T09:15:00Z',
    declaredAt: '2024-05-03T14:00:00Z',
    contactPoint: { name: 'Privacy Office', email: 'privacy@provider.test' },
    likelyConsequences: 'Targeted phishing of the people concerned.',
    measures: 'The key was revoked and bucket access logging was enabled.',
    exercise: false,
    ...overrides,
  };
}

function expectFactsError(fn: () => unknown, field: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BreachdeskError);
    expect(err).toMatchObject({ code: 'BD_NOTICE_FACTS_INVALID', field });
    return;
  }
  expect.fail(`expected BD_NOTICE_FACTS_INVALID for ${field}`);
}

describe('notice facts', () => {
  it('gives every instant in UTC', () => {
    const facts = validateNoticeFacts(buildFacts({ awareAt: '2024-05-03T11:15:00+02:00' }));

    expect(facts.awareAt).toBe('2024-05-03T09:15:00Z');
  });

  it('refuses a time without an offset', () => {
    expectFactsError(
      () => validateNoticeFacts(buildFacts({ awareAt: '2024-05-03 09:15' })),
      'awareAt',
    );
  });

  it('refuses a calendar date that does not exist', () => {
    const facts = buildFacts({ firstAccess: '2024-02-30T10:00:00Z' });

    expectFactsError(() => validateNoticeFacts(facts), 'firstAccess');
  });

  it('refuses an access window that ends before it starts', () => {
    const facts = buildFacts({ lastAccess: '2024-04-30T00:00:00Z' });

    expectFactsError(() => validateNoticeFacts(facts), 'lastAccess');
  });

  it('refuses a negative record count', () => {
    expectFactsError(() => validateNoticeFacts(buildFacts({ approxRecords: -1 })), 'approxRecords');
  });

  it('refuses a fractional number of data subjects', () => {
    expectFactsError(
      () => validateNoticeFacts(buildFacts({ approxSubjects: 1.5 })),
      'approxSubjects',
    );
  });

  it('names the missing field of incomplete facts', () => {
    const incomplete: Partial<NoticeFacts> = buildFacts();
    delete incomplete.tenantName;

    expectFactsError(() => validateNoticeFacts(incomplete), 'tenantName');
  });

  it('accepts facts stored before phases existed (no access, follow-up or delay reasons)', () => {
    expect(validateNoticeFacts(buildFacts()).followUp).toBeNull();
  });
});

describe('subject lines', () => {
  it('keeps the subject on one line when the input holds CR/LF and controls', () => {
    const subject = markSubject('Evil\r\nBcc: x@attacker.test\t\u2028\u0000Corp', false);

    expect(subject).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
    expect(subject).toBe('Evil Bcc: x@attacker.test Corp');
  });

  it('caps a long subject and keeps the exercise prefix', () => {
    const subject = markSubject('A'.repeat(1000), true);

    expect(subject.startsWith('[EXERCISE] ')).toBe(true);
    expect(subject.length).toBeLessThanOrEqual('[EXERCISE] '.length + SUBJECT_MAX_LENGTH);
  });

  it('never cuts an emoji sequence in half', () => {
    const family = '👨‍👩‍👧‍👦';
    const line = toSubjectLine(family.repeat(10), 5);

    expect(line).toBe(`${family.repeat(4)}…`);
  });

  it('counts graphemes with one shared segmenter, not a new one per subject', () => {
    const made = vi.spyOn(Intl, 'Segmenter');
    try {
      for (const n of [10, 20, 30]) toSubjectLine('👨‍👩‍👧‍👦'.repeat(n), 5);
      expect(made).not.toHaveBeenCalled();
    } finally {
      made.mockRestore();
    }
  });

  it('keeps a line as short as the cap whole without segmenting it', () => {
    expect(toSubjectLine('Ärger: 東京 🚀', 12)).toBe('Ärger: 東京 🚀');
  });
});

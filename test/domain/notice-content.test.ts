import { describe, expect, it } from 'vitest';
import { BreachdeskError } from '../../src/domain/errors.ts';
import {
  SUBJECT_MAX_LENGTH,
  renderAccountTeamNotice,
  renderTenantNotice,
  toSubjectLine,
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

describe('tenant notice', () => {
  it('carries every GDPR Art. 33(3) section', () => {
    const { text } = renderTenantNotice(buildFacts());

    for (const heading of [
      'Nature of the breach',
      'Data and people concerned',
      'Timeline',
      'Contact point',
      'Likely consequences',
      'Measures taken or proposed',
    ]) {
      expect(text).toContain(heading);
    }
  });

  it('states the facts it was given', () => {
    const { text } = renderTenantNotice(buildFacts());

    expect(text).toContain('Categories of personal data: names, e-mail addresses');
    expect(text).toContain('Approximate number of data subjects: about 1,200');
    expect(text).toContain('Privacy Office <privacy@provider.test>');
  });

  it('says "not yet known" when the number of data subjects is unknown', () => {
    const { text } = renderTenantNotice(buildFacts({ approxSubjects: null }));

    expect(text).toContain('Approximate number of data subjects: not yet known');
  });

  it('says "not yet known" for an unknown access window and empty categories', () => {
    const facts = buildFacts({ firstAccess: null, lastAccess: null, dataCategories: [] });
    const { text } = renderTenantNotice(facts);

    expect(text).toContain('Unauthorised access began: not yet known');
    expect(text).toContain('Unauthorised access ended: not yet known');
    expect(text).toContain('Categories of personal data: not yet known');
  });

  it('gives every time in UTC', () => {
    const facts = buildFacts({ awareAt: '2024-05-03T11:15:00+02:00' });
    const { text } = renderTenantNotice(facts);

    expect(text).toContain('We became aware of the breach: 2024-05-03T09:15:00Z');
    expect(text).not.toContain('+02:00');
  });

  it('refuses a time without an offset', () => {
    expectFactsError(
      () => renderTenantNotice(buildFacts({ awareAt: '2024-05-03 09:15' })),
      'awareAt',
    );
  });

  it('refuses a calendar date that does not exist', () => {
    const facts = buildFacts({ firstAccess: '2024-02-30T10:00:00Z' });

    expectFactsError(() => renderTenantNotice(facts), 'firstAccess');
  });

  it('refuses an access window that ends before it starts', () => {
    const facts = buildFacts({ lastAccess: '2024-04-30T00:00:00Z' });

    expectFactsError(() => renderTenantNotice(facts), 'lastAccess');
  });

  it('refuses a negative record count', () => {
    expectFactsError(() => renderTenantNotice(buildFacts({ approxRecords: -1 })), 'approxRecords');
  });

  it('starts an exercise subject with [EXERCISE] and says so in the body', () => {
    const { subject, text } = renderTenantNotice(buildFacts({ exercise: true }));

    expect(subject.startsWith('[EXERCISE] ')).toBe(true);
    expect(text.startsWith('[EXERCISE] This message is part of a red-team exercise')).toBe(true);
  });

  it('does not mark a real notice as an exercise', () => {
    const { subject, text } = renderTenantNotice(buildFacts());

    expect(subject).not.toContain('EXERCISE');
    expect(text).not.toContain('EXERCISE');
  });

  it('keeps the subject on one line when the tenant name holds CR/LF and controls', () => {
    const facts = buildFacts({ tenantName: 'Evil\r\nBcc: x@attacker.test\t\u2028\u0000Corp' });
    const { subject } = renderTenantNotice(facts);

    expect(subject).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
    expect(subject).toContain('Evil Bcc: x@attacker.test Corp');
  });

  it('caps a long subject and keeps the exercise prefix', () => {
    const facts = buildFacts({ tenantName: 'A'.repeat(1000), exercise: true });
    const { subject } = renderTenantNotice(facts);

    expect(subject.startsWith('[EXERCISE] ')).toBe(true);
    expect(subject.length).toBeLessThanOrEqual('[EXERCISE] '.length + SUBJECT_MAX_LENGTH);
  });
});

describe('account team notice', () => {
  it('is marked internal and carries the same facts', () => {
    const facts = buildFacts({ approxSubjects: null });
    const { subject, text } = renderAccountTeamNotice(facts);

    expect(subject).toContain('Contoso Ltd');
    expect(text).toContain('Do not forward');
    expect(text).toContain('Approximate number of data subjects: not yet known');
  });

  it('is marked as an exercise when the facts are', () => {
    const { subject } = renderAccountTeamNotice(buildFacts({ exercise: true }));

    expect(subject.startsWith('[EXERCISE] ')).toBe(true);
  });
});

describe('toSubjectLine', () => {
  it('never cuts an emoji sequence in half', () => {
    const family = '👨‍👩‍👧‍👦';
    const line = toSubjectLine(family.repeat(10), 5);

    expect(line).toBe(`${family.repeat(4)}…`);
  });
});

import { describe, it, expect } from 'vitest';

import { MAX_TEXT_LENGTH, validateClassification } from '../../src/domain/classification.ts';

describe('classification', () => {
  it('accepts a security incident without a root cause', () => {
    expect(validateClassification({ classification: 'security_incident' })).toEqual({
      classification: 'security_incident',
      rootCause: null,
      note: null,
    });
  });

  it('trims the root cause and note', () => {
    const decision = validateClassification({
      classification: 'false_positive',
      rootCause: '  nightly backup job reads every mailbox  ',
      note: '\tsee runbook\n',
    });
    expect(decision).toMatchObject({
      rootCause: 'nightly backup job reads every mailbox',
      note: 'see runbook',
    });
  });

  it('requires a root cause for a false positive', () => {
    expect(() => validateClassification({ classification: 'false_positive' })).toThrow(
      expect.objectContaining({ code: 'BD_CLASSIFICATION_INVALID', field: 'rootCause' }),
    );
  });

  it('treats a blank root cause on a false positive as missing', () => {
    const input = { classification: 'false_positive', rootCause: '   ' };
    expect(() => validateClassification(input)).toThrow(
      expect.objectContaining({ field: 'rootCause' }),
    );
  });

  it('lists the accepted values for an unknown classification', () => {
    expect(() => validateClassification({ classification: 'benign' })).toThrow(
      expect.objectContaining({
        field: 'classification',
        message:
          'classification must be one of false_positive, not_security_event, ' +
          'security_incident, privacy_incident, customer_responsibility',
      }),
    );
  });

  it('refuses crsi and points to the declaration', () => {
    expect(() => validateClassification({ classification: 'crsi' })).toThrow(/declaration/);
  });

  it('refuses text longer than the limit', () => {
    const note = 'x'.repeat(MAX_TEXT_LENGTH + 1);
    expect(() => validateClassification({ classification: 'privacy_incident', note })).toThrow(
      expect.objectContaining({ field: 'note' }),
    );
  });

  it('accepts text exactly at the limit once trimmed', () => {
    const note = ` ${'x'.repeat(MAX_TEXT_LENGTH)} `;
    const decision = validateClassification({ classification: 'privacy_incident', note });
    expect(decision.note).toHaveLength(MAX_TEXT_LENGTH);
  });

  it('refuses a root cause that is not a string', () => {
    const input = { classification: 'false_positive', rootCause: 42 };
    expect(() => validateClassification(input)).toThrow(
      expect.objectContaining({ field: 'rootCause' }),
    );
  });
});

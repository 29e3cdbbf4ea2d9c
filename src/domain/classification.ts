/**
 * Classifying an investigation (DESIGN.md §1.4). A CRSI is not a classification a responder
 * picks: it is declared by an incident manager with evidence (see declaration.ts).
 */
import { fail } from './errors.ts';
import { controlMessage } from './text-rules.ts';
import { controlOrBidiIn } from './visible-text.ts';
import type { Classification } from './types.ts';

/** Longest free-text field we store, in characters (code points) after trimming. */
export const MAX_TEXT_LENGTH = 4000;

/** The classifications a responder may set directly; `crsi` needs a declaration instead. */
export const SETTABLE_CLASSIFICATIONS = [
  'false_positive',
  'not_security_event',
  'security_incident',
  'privacy_incident',
  'customer_responsibility',
] as const satisfies readonly Classification[];

/** A validated classification with its trimmed free text (empty text becomes null). */
export interface ClassificationDecision {
  classification: Classification;
  rootCause: string | null;
  note: string | null;
}

/**
 * Validates a classification request. Throws BD_CLASSIFICATION_INVALID naming the field: an
 * unknown or `crsi` classification, a false positive without a root cause, or text that is
 * not a string or is longer than MAX_TEXT_LENGTH.
 */
export function validateClassification(input: unknown): ClassificationDecision {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    fail('BD_CLASSIFICATION_INVALID', 'classification request must be an object');
  }
  const record = input as Record<string, unknown>;

  const classification = readClassification(record.classification);
  const rootCause = readOptionalText(record.rootCause, 'rootCause');
  const note = readOptionalText(record.note, 'note');

  // DESIGN.md §1.4: a false positive's root cause becomes the suppression rule that tunes
  // detection, so it cannot be left blank.
  if (classification === 'false_positive' && rootCause === null) {
    fail(
      'BD_CLASSIFICATION_INVALID',
      'rootCause is required for false_positive: name the normal business activity that ' +
        'matched the detection criteria',
      'rootCause',
    );
  }
  return { classification, rootCause, note };
}

/**
 * Trims a free-text field; absent, null or blank text becomes null. Throws `code` naming
 * `field` when the value is not a string, is longer than `maxLength` characters, or holds a
 * control or bidi override character (line breaks are kept).
 */
export function readOptionalText(
  value: unknown,
  field: string,
  code: 'BD_CLASSIFICATION_INVALID' | 'BD_DECLARE_INVALID' = 'BD_CLASSIFICATION_INVALID',
  maxLength = MAX_TEXT_LENGTH,
): string | null {
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string') {
    fail(code, `${field} must be a string of at most ${maxLength} characters`, field);
  }

  const text = value.trim();
  if ([...text].length > maxLength) {
    fail(code, `${field} must be at most ${maxLength} characters`, field);
  }
  const control = controlOrBidiIn(text);
  if (control !== null) fail(code, `${field} ${controlMessage('many', control)}`, field);
  return text === '' ? null : text;
}

function readClassification(value: unknown): Classification {
  if (value === 'crsi') {
    fail(
      'BD_CLASSIFICATION_INVALID',
      'classification cannot be set to crsi; an incident manager declares a CRSI through the ' +
        'declaration, with grounds and an evidence statement',
      'classification',
    );
  }

  const settable: readonly unknown[] = SETTABLE_CLASSIFICATIONS;
  if (!settable.includes(value)) {
    fail(
      'BD_CLASSIFICATION_INVALID',
      `classification must be one of ${SETTABLE_CLASSIFICATIONS.join(', ')}`,
      'classification',
    );
  }
  return value as Classification;
}

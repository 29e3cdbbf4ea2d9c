/**
 * What a breach notice says. Pure: facts in, subject and plain-text body out, no clock and no
 * I/O. The tenant notice carries the content GDPR Art. 33(3) asks of a notification; the
 * account-team notice is the provider's internal heads-up built from the same facts.
 */
import { fail } from './errors.ts';

/** The facts a notice is rendered from. Instants are ISO 8601 strings with an offset. */
export interface NoticeFacts {
  investigationRef: string;
  tenantName: string;
  nature: string;
  dataCategories: string[];
  /** Null while scoping has not established it; the notice then says so. */
  approxSubjects: number | null;
  approxRecords: number;
  firstAccess: string | null;
  lastAccess: string | null;
  awareAt: string;
  declaredAt: string;
  contactPoint: { name: string; email: string };
  likelyConsequences: string;
  measures: string;
  /** Red-team exercise: the notice must never be mistaken for a real one (DESIGN.md §1.1). */
  exercise: boolean;
}

/** A rendered notice: a one-line subject and a plain-text body. */
export interface RenderedNotice {
  subject: string;
  text: string;
}

/** Longest subject we produce, in user-perceived characters, before the exercise prefix. */
export const SUBJECT_MAX_LENGTH = 150;

export const EXERCISE_PREFIX = '[EXERCISE]';

const NOT_KNOWN = 'not yet known';

// Control characters (CR, LF, TAB, NUL, DEL, C1), the Unicode line and paragraph separators,
// and the bidirectional overrides that can make a line read differently from its bytes.
const LINE_BREAKERS = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

// Same as above but keeping LF and TAB, for the multi-line body fields.
const BODY_NOISE = /[^\P{Cc}\n\t]|[\u202A-\u202E\u2066-\u2069]/gu;

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Makes `raw` safe for a one-line header such as Subject: every control character and line
 * separator becomes a space, runs of spaces collapse, and the result is cut to `max`
 * user-perceived characters (never inside an emoji or a combining sequence) with an ellipsis.
 */
export function toSubjectLine(raw: string, max: number = SUBJECT_MAX_LENGTH): string {
  const flat = raw.replace(LINE_BREAKERS, ' ').replace(/\s+/gu, ' ').trim();

  const graphemes = Array.from(
    new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(flat),
    (s) => s.segment,
  );
  if (graphemes.length <= max) return flat;
  return `${graphemes
    .slice(0, Math.max(0, max - 1))
    .join('')
    .trimEnd()}…`;
}

/** Renders the notice sent to an affected tenant's breach contacts. */
export function renderTenantNotice(facts: NoticeFacts): RenderedNotice {
  const sections = renderFactSections(facts);

  // Paragraphs are single lines: the reader's mail client wraps them to its own width.
  const intro = [
    `To the breach contacts of ${oneLine(facts.tenantName)},`,
    'We are notifying you of a personal data breach that affects data we process on your ' +
      `behalf (our reference ${oneLine(facts.investigationRef)}). This notice gives what ` +
      'you need to assess the breach and to meet your own notification duties. Where an ' +
      `item is marked "${NOT_KNOWN}", we will send it as soon as it is established ` +
      '(GDPR Art. 33(4)).',
  ];
  const outro =
    'Please address questions about this breach to the contact point above and quote our ' +
    'reference in your message.';

  return {
    subject: buildSubject(
      `Personal data breach notice: ${oneLine(facts.tenantName)}`,
      facts.investigationRef,
      facts.exercise,
    ),
    text: assemble(facts.exercise, [...intro, ...sections, outro]),
  };
}

/** Renders the internal heads-up for the provider's account team of the affected tenant. */
export function renderAccountTeamNotice(facts: NoticeFacts): RenderedNotice {
  const sections = renderFactSections(facts);

  const intro = [
    `Internal heads-up for the account team of ${oneLine(facts.tenantName)} (support, ` +
      'account manager, technical account manager). Do not forward this message.',
    "The customer's breach contacts are being notified of personal data breach " +
      `${oneLine(facts.investigationRef)} with the facts below. Expect questions from ` +
      'them; keep to these facts and route anything else to the contact point.',
  ];

  return {
    subject: buildSubject(
      `Heads-up: personal data breach affecting ${oneLine(facts.tenantName)}`,
      facts.investigationRef,
      facts.exercise,
    ),
    text: assemble(facts.exercise, [...intro, ...sections]),
  };
}

/** The Art. 33(3) sections plus the access window and the moment of awareness. */
function renderFactSections(facts: NoticeFacts): string[] {
  const times = checkTimes(facts);
  const counts = checkCounts(facts);
  const categories = facts.dataCategories.map(oneLine).filter((c) => c !== '');

  return [
    section('1. Nature of the breach', paragraph(facts.nature)),
    section(
      '2. Data and people concerned',
      [
        `Categories of personal data: ${categories.length > 0 ? categories.join(', ') : NOT_KNOWN}`,
        `Approximate number of data subjects: ${counts.subjects}`,
        `Approximate number of personal data records: ${counts.records}`,
      ].join('\n'),
    ),
    section(
      '3. Timeline (all times UTC, ISO 8601)',
      [
        `Unauthorised access began: ${times.firstAccess ?? NOT_KNOWN}`,
        `Unauthorised access ended: ${times.lastAccess ?? NOT_KNOWN}`,
        `We became aware of the breach: ${times.awareAt}`,
        `We declared the breach: ${times.declaredAt}`,
      ].join('\n'),
    ),
    section(
      '4. Contact point',
      `${oneLine(facts.contactPoint.name)} <${oneLine(facts.contactPoint.email)}>`,
    ),
    section('5. Likely consequences', paragraph(facts.likelyConsequences)),
    section('6. Measures taken or proposed', paragraph(facts.measures)),
  ];
}

function buildSubject(title: string, ref: string, exercise: boolean): string {
  const line = toSubjectLine(`${title} (ref ${oneLine(ref)})`);

  // The prefix is added after capping so that truncation can never cut it off.
  return exercise ? `${EXERCISE_PREFIX} ${line}` : line;
}

function assemble(exercise: boolean, blocks: string[]): string {
  const banner =
    `${EXERCISE_PREFIX} This message is part of a red-team exercise. It does not report a ` +
    'real personal data breach and requires no action outside the exercise.';
  const all = exercise ? [banner, ...blocks, banner] : blocks;
  return `${all.join('\n\n')}\n`;
}

function section(heading: string, body: string): string {
  return `${heading}\n${'-'.repeat(heading.length)}\n${body}`;
}

function oneLine(value: string): string {
  return value.replace(LINE_BREAKERS, ' ').replace(/\s+/gu, ' ').trim();
}

function paragraph(value: string): string {
  const text = value.replace(/\r\n?/g, '\n').replace(BODY_NOISE, '').trim();
  return text === '' ? NOT_KNOWN : text;
}

function checkCounts(facts: NoticeFacts): { subjects: string; records: string } {
  const { approxSubjects, approxRecords } = facts;
  if (approxSubjects !== null && !isCount(approxSubjects)) {
    fail(
      'BD_NOTICE_FACTS_INVALID',
      'approxSubjects must be a whole number ≥ 0 or null',
      'approxSubjects',
    );
  }
  if (!isCount(approxRecords)) {
    fail('BD_NOTICE_FACTS_INVALID', 'approxRecords must be a whole number ≥ 0', 'approxRecords');
  }

  return {
    subjects: approxSubjects === null ? NOT_KNOWN : `about ${groupDigits(approxSubjects)}`,
    records: `about ${groupDigits(approxRecords)}`,
  };
}

function checkTimes(facts: NoticeFacts): {
  firstAccess: string | null;
  lastAccess: string | null;
  awareAt: string;
  declaredAt: string;
} {
  const firstAccess = facts.firstAccess === null ? null : toUtc(facts.firstAccess, 'firstAccess');
  const lastAccess = facts.lastAccess === null ? null : toUtc(facts.lastAccess, 'lastAccess');

  // ISO instants in UTC with the same precision compare correctly as strings.
  if (firstAccess !== null && lastAccess !== null && lastAccess < firstAccess) {
    fail('BD_NOTICE_FACTS_INVALID', 'lastAccess must not be before firstAccess', 'lastAccess');
  }

  return {
    firstAccess,
    lastAccess,
    awareAt: toUtc(facts.awareAt, 'awareAt'),
    declaredAt: toUtc(facts.declaredAt, 'declaredAt'),
  };
}

/**
 * Converts an ISO 8601 instant to UTC. An offset is required: without one, JavaScript reads
 * the time in the server's zone, and a notice must not depend on where it was rendered.
 */
function toUtc(value: string, field: string): string {
  const match = ISO_INSTANT.exec(value.trim());
  const date = match ? new Date(value.trim()) : null;
  if (!match || !date || Number.isNaN(date.getTime()) || !isRealCalendarTime(match)) {
    fail(
      'BD_NOTICE_FACTS_INVALID',
      `${field} must be an ISO 8601 instant with an offset, e.g. 2024-05-01T09:30:00Z`,
      field,
    );
  }

  return date.toISOString().replace('.000Z', 'Z');
}

// Date accepts 2024-02-30 and quietly rolls it into March; a notice must not.
function isRealCalendarTime(match: RegExpExecArray): boolean {
  const part = (i: number): number => Number(match[i] ?? '0');
  const [year, month, day] = [part(1), part(2), part(3)];
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();

  const dateOk = month >= 1 && month <= 12 && day >= 1 && day <= lastDay;
  return dateOk && part(4) <= 23 && part(5) <= 59 && part(6) <= 59;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

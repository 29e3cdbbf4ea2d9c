/**
 * What a breach notice is made of, before any wording: the facts a notice states, their
 * validation, and the rules every rendering keeps (one-line subjects, no control characters,
 * the red-team marking). Pure: no clock and no I/O. The wording itself lives in the per-audience,
 * per-language templates of src/notify/templates.
 */
import { z } from 'zod';
import { fail } from './errors.ts';
import { parseOrFail } from './validate.ts';

/** A notice that a later phase refers back to (GDPR Art. 33(4)). */
export interface NoticeReference {
  noticeId: string;
  /** Human reference quoted in the text, e.g. `INV-12/1` (investigation / phase). */
  reference: string;
  phase: number;
  /** When that notice was issued (first delivered, else approved); ISO 8601 with offset. */
  issuedAt: string;
}

/** What a follow-up adds and which notices it follows. */
export interface FollowUpFacts {
  what: string;
  initial: NoticeReference;
  previous: NoticeReference;
}

/** What scoping saw; templates describe the nature from it when no text was given. */
export interface AccessSummary {
  events: number;
  objects: number;
  resources: number;
  actions: string[];
  detectedAs: string;
}

/** The facts a notice is rendered from. Instants are ISO 8601 strings with an offset. */
export interface NoticeFacts {
  investigationRef: string;
  tenantName: string;
  /** Null: the template describes the breach from `access` in its own language. */
  nature: string | null;
  dataCategories: string[];
  /** Null while scoping has not established it; the notice then says so. */
  approxSubjects: number | null;
  approxRecords: number;
  firstAccess: string | null;
  lastAccess: string | null;
  awareAt: string;
  declaredAt: string;
  contactPoint: { name: string; email: string };
  /** Null: the template's default wording in the notice's language. */
  likelyConsequences: string | null;
  measures: string | null;
  /** Red-team exercise: the notice must never be mistaken for a real one (DESIGN.md §1.1). */
  exercise: boolean;
  access?: AccessSummary | null;
  /** GDPR Art. 33(1): a notification after 72 hours carries the reasons for the delay. */
  delayReasons?: string | null;
  /** Set on phase 2 and later. */
  followUp?: FollowUpFacts | null;
  /**
   * Whom an authority notice is addressed to, as the operator gave it: authorities' addresses
   * are not in our data. Tenant and account-team notices go to the stored contacts instead.
   */
  addressee?: Addressee | null;
}

/** One mailbox a notice is sent to. */
export interface Addressee {
  name: string;
  email: string;
}

/** Longest subject we produce, in user-perceived characters, before the exercise prefix. */
export const SUBJECT_MAX_LENGTH = 150;

export const EXERCISE_PREFIX = '[EXERCISE]';

// Control characters (CR, LF, TAB, NUL, DEL, C1), the Unicode line and paragraph separators,
// and the bidirectional overrides that can make a line read differently from its bytes.
const LINE_BREAKERS = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

// Same as above but keeping LF and TAB, for multi-line text.
const BODY_NOISE = /[^\P{Cc}\n\t]|[\u2028\u2029\u202A-\u202E\u2066-\u2069]/gu;

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

// Made once: building a segmenter costs far more than segmenting a subject line, and
// segment() keeps no state between calls, so one instance serves every caller.
const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * Makes `raw` safe for a one-line header such as Subject: every control character and line
 * separator becomes a space, runs of spaces collapse, and the result is cut to `max`
 * user-perceived characters (never inside an emoji or a combining sequence) with an ellipsis.
 */
export function toSubjectLine(raw: string, max: number = SUBJECT_MAX_LENGTH): string {
  const flat = oneLine(raw);
  // A grapheme is at least one UTF-16 unit, so a line this short needs no counting.
  if (flat.length <= max) return flat;

  const graphemes = Array.from(GRAPHEMES.segment(flat), (s) => s.segment);
  if (graphemes.length <= max) return flat;
  return `${graphemes
    .slice(0, Math.max(0, max - 1))
    .join('')
    .trimEnd()}…`;
}

/** Prefixes `[EXERCISE]` after capping, so that truncation can never cut the marking off. */
export function markSubject(subject: string, exercise: boolean): string {
  const line = toSubjectLine(subject);
  return exercise ? `${EXERCISE_PREFIX} ${line}` : line;
}

/** `value` on one line: control characters and separators become spaces, runs collapse. */
export function oneLine(value: string): string {
  return value.replace(LINE_BREAKERS, ' ').replace(/\s+/gu, ' ').trim();
}

/** Multi-line text with LF line ends and without control characters other than LF and TAB. */
export function plainText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(BODY_NOISE, '');
}

const text = (max: number) => z.string().max(max);
const referenceSchema = z.object({
  noticeId: text(100).min(1),
  reference: text(200).min(1),
  phase: z.number().int().min(1).max(1000),
  issuedAt: text(64),
});
const factsSchema = z.object({
  investigationRef: text(100).min(1),
  tenantName: text(500).min(1),
  nature: text(20_000).nullable(),
  dataCategories: z.array(text(500)).max(100_000),
  approxSubjects: z.number().nullable(),
  approxRecords: z.number(),
  firstAccess: text(64).nullable(),
  lastAccess: text(64).nullable(),
  awareAt: text(64),
  declaredAt: text(64),
  contactPoint: z.object({ name: text(500), email: text(320) }),
  likelyConsequences: text(20_000).nullable(),
  measures: text(20_000).nullable(),
  exercise: z.boolean(),
  access: z
    .object({
      events: z.number().int().min(0),
      objects: z.number().int().min(0),
      resources: z.number().int().min(0),
      actions: z.array(text(500)).max(10_000),
      detectedAs: text(20_000),
    })
    .nullable()
    .optional(),
  delayReasons: text(20_000).nullable().optional(),
  followUp: z
    .object({ what: text(20_000).min(1), initial: referenceSchema, previous: referenceSchema })
    .nullable()
    .optional(),
  addressee: z
    .object({ name: text(200).min(1), email: z.email().max(254) })
    .nullable()
    .optional(),
});

/**
 * Checks facts (stored, or given to a preview) and returns them with every instant in UTC
 * (`…Z`, whole seconds kept as given). Throws BD_NOTICE_FACTS_INVALID naming the field.
 */
export function validateNoticeFacts(input: unknown): NoticeFacts {
  const facts: NoticeFacts = parseOrFail(factsSchema, input, 'BD_NOTICE_FACTS_INVALID');
  checkCounts(facts);

  const firstAccess = facts.firstAccess === null ? null : toUtc(facts.firstAccess, 'firstAccess');
  const lastAccess = facts.lastAccess === null ? null : toUtc(facts.lastAccess, 'lastAccess');
  // ISO instants in UTC with the same precision compare correctly as strings.
  if (firstAccess !== null && lastAccess !== null && lastAccess < firstAccess) {
    fail('BD_NOTICE_FACTS_INVALID', 'lastAccess must not be before firstAccess', 'lastAccess');
  }

  const followUp = facts.followUp ?? null;
  return {
    ...facts,
    firstAccess,
    lastAccess,
    awareAt: toUtc(facts.awareAt, 'awareAt'),
    declaredAt: toUtc(facts.declaredAt, 'declaredAt'),
    followUp: followUp && {
      ...followUp,
      initial: { ...followUp.initial, issuedAt: toUtc(followUp.initial.issuedAt, 'issuedAt') },
      previous: { ...followUp.previous, issuedAt: toUtc(followUp.previous.issuedAt, 'issuedAt') },
    },
  };
}

function checkCounts(facts: NoticeFacts): void {
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

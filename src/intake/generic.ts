/**
 * Breachdesk's own JSON format for any sender without a dedicated adapter (forms, scripts, the
 * CLI, other tools' webhooks reshaped). docs/intake-generic.md is the reference for senders.
 * Unlike the vendor adapters this one is strict: a wrong optional field is rejected, not
 * dropped, because the sender wrote to our contract and should hear about the mistake.
 */
import { fail } from '../domain/errors.ts';
import { SEVERITIES, SOURCE_KINDS } from '../domain/types.ts';
import type { SourceKind } from '../domain/types.ts';
import { eventIdOrContent } from './content-event-id.ts';
import { fingerprint } from './fingerprint.ts';
import { collectObservables } from './observables.ts';
import { describe, ipOrNull, objectOf, outcomeOf, requiredText, valueAt } from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { timestampAt } from './timestamp.ts';

const FORMAT = 'generic';

/** Longest title, host, principal, id, exerciseId or fingerprint key accepted, in characters. */
export const GENERIC_MAX_TEXT = 500;

/** Most entries accepted in `fingerprintKeys`. */
export const GENERIC_MAX_FINGERPRINT_KEYS = 32;

// A customer report belongs to a tenant and is filed by one of its users; only the reports
// route can tell who that is (reports.ts), so no sender or file may claim the kind.
const SENDER_KINDS = SOURCE_KINDS.filter((kind) => kind !== 'customer_report');

/** Generic JSON adapter; see docs/intake-generic.md for the fields and an example. */
export const genericAdapter: IntakeAdapter = {
  format: FORMAT,
  // A record without `id` is known by its content, so a resent file is a repeat.
  parse: (record) => outcomeOf(() => parseGeneric(record, SENDER_KINDS, true)),
};

/**
 * The generic adapter as the reports intake uses it (reports.ts), which has already bound a
 * customer report to the tenant of its reporter: the one path that takes `customer_report`.
 */
export const reportRecordAdapter: IntakeAdapter = {
  format: FORMAT,
  // No content ids: two people reporting the same thing made two reports, not a resend.
  parse: (record) => outcomeOf(() => parseGeneric(record, SOURCE_KINDS, false)),
};

function parseGeneric(
  input: unknown,
  kinds: readonly SourceKind[],
  contentIds: boolean,
): ParseOutcome {
  const record = objectOf(input);

  const time = timestampAt(record, 'time');
  const title = checkLength(requiredText(record, 'title'), 'title');
  const sourceKind = sourceKindOf(record, kinds);
  const severity = oneOf(record, 'severity', SEVERITIES) ?? 'medium';

  const host = optionalText(record, 'host');
  const principal = optionalText(record, 'principal');
  const sourceIp = optionalIp(record, 'sourceIp');
  const destinationIp = optionalIp(record, 'destinationIp');
  const exerciseId = exerciseIdOf(record, sourceKind);

  // The kind and exercise lead every fingerprint, so a red-team signal can never be merged
  // into a real investigation (or a real one into an exercise) by sharing a title.
  const keys = fingerprintKeysOf(record) ?? [title, host, sourceIp, principal];
  const senderId = eventIdOf(record);

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind,
      sourceEventId: contentIds ? eventIdOrContent(senderId, input) : senderId,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title,
      severity,
      fingerprint: fingerprint(FORMAT, [sourceKind, exerciseId, ...keys]),
      host,
      sourceIp,
      destinationIp,
      principal,
      exerciseId,
      observables: collectObservables([
        { kind: 'ip', value: sourceIp, tag: 'source' },
        { kind: 'ip', value: destinationIp, tag: 'destination' },
        { kind: 'principal', value: principal, tag: 'user' },
      ]),
      raw: input,
    },
  };
}

function sourceKindOf(record: Record<string, unknown>, kinds: readonly SourceKind[]): SourceKind {
  if (valueAt(record, 'sourceKind') === 'customer_report' && !kinds.includes('customer_report')) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      'sourceKind customer_report is only taken from a tenant user, who files it with ' +
        'POST /api/v1/reports and a tenant_admin token; send internal_report or ' +
        'operator_escalation instead',
      'sourceKind',
    );
  }
  return oneOf(record, 'sourceKind', kinds) ?? 'automated_alert';
}

/** DESIGN §1.1: exercise activity must be tagged, and only exercise activity may be. */
function exerciseIdOf(record: Record<string, unknown>, sourceKind: SourceKind): string | null {
  const exerciseId = optionalText(record, 'exerciseId');

  if (sourceKind === 'red_team' && exerciseId === null) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'exerciseId is required when sourceKind is red_team',
      'exerciseId',
    );
  }
  if (sourceKind !== 'red_team' && exerciseId !== null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `exerciseId is only accepted with sourceKind red_team, not ${sourceKind}`,
      'exerciseId',
    );
  }
  return exerciseId;
}

function fingerprintKeysOf(record: Record<string, unknown>): string[] | null {
  const keys = valueAt(record, 'fingerprintKeys');
  if (keys === undefined || keys === null) return null;

  const field = 'fingerprintKeys';
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > GENERIC_MAX_FINGERPRINT_KEYS) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${field} must be an array of 1 to ${GENERIC_MAX_FINGERPRINT_KEYS} strings, ` +
        `got ${describe(keys)}`,
      field,
    );
  }
  return keys.map((key: unknown, index) => {
    if (typeof key !== 'string') {
      fail('BD_INTAKE_FIELD_INVALID', `${field}[${index}] must be a string`, `${field}[${index}]`);
    }
    return checkLength(key, `${field}[${index}]`);
  });
}

function eventIdOf(record: Record<string, unknown>): string | null {
  const id = valueAt(record, 'id');
  // Many senders number their events; a safe integer is as good an id as its decimal text.
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return optionalText(record, 'id');
}

function oneOf<T extends string>(
  record: Record<string, unknown>,
  field: string,
  accepted: readonly T[],
): T | null {
  const value = valueAt(record, field);
  if (value === undefined || value === null) return null;

  const match = accepted.find((candidate) => candidate === value);
  if (match === undefined) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${field} must be one of ${accepted.join(', ')}, got ${describe(value)}`,
      field,
    );
  }
  return match;
}

/** Absent, null and blank all mean "not given"; any other non-string is a sender mistake. */
function optionalText(record: Record<string, unknown>, field: string): string | null {
  const value = valueAt(record, field);
  if (value === undefined || value === null) return null;

  if (typeof value !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `${field} must be a string, got ${describe(value)}`, field);
  }
  return value.trim() ? checkLength(value.trim(), field) : null;
}

function optionalIp(record: Record<string, unknown>, field: string): string | null {
  const text = optionalText(record, field);
  if (text === null) return null;

  const ip = ipOrNull(text);
  if (ip === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${field} must be an IPv4 (a.b.c.d) or IPv6 address, got ${describe(text)}`,
      field,
    );
  }
  return ip;
}

function checkLength(text: string, field: string): string {
  // Counted in code points, so an emoji or a CJK character counts once, as a reader would.
  const length = text.length <= GENERIC_MAX_TEXT ? text.length : [...text].length;
  if (length > GENERIC_MAX_TEXT) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${field} is ${length} characters long; at most ${GENERIC_MAX_TEXT} are accepted`,
      field,
    );
  }
  return text;
}

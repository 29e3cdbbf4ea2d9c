/**
 * Regulatory clocks. Every instant is held as a UTC ISO string with a trailing Z and is
 * computed by elapsed-time arithmetic, so neither the server's time zone nor a daylight-saving
 * change can move a deadline. Time zones matter only when reading a wall-clock time that has
 * no offset and when showing an instant to a person.
 */
import { DateTime, IANAZone } from 'luxon';

import { fail } from './errors.ts';

/** GDPR Art. 33(2) says "without undue delay"; this is the default when a contract is silent. */
export const GDPR_PROCESSOR_DEFAULT_HOURS = 24;

/** GDPR Art. 33(1): at most 72 hours after becoming aware; later needs reasons for the delay. */
export const GDPR_AUTHORITY_HOURS = 72;

/** One running deadline, with the legal source that sets it. */
export interface Clock {
  regime: 'gdpr-33-2' | 'gdpr-33-1';
  filing: 'controller' | 'authority';
  /** The tenant (controller) the clock is owed to; null for the supervisory authority. */
  tenantId: string | null;
  startsAt: string;
  /** The last instant that is still on time. */
  due: string;
  source: string;
}

/** Tenants whose controller must hear from us, with their contractual notice period. */
export interface GdprClockInput {
  awareAt: string;
  tenants: { tenantId: string; contractHours: number | null }[];
}

/** How far a deadline is from "now"; `ms` is negative once the deadline has passed. */
export interface TimeLeft {
  ms: number;
  isLate: boolean;
}

const MS_PER_HOUR = 3_600_000;
const HAS_OFFSET = /T[\d:.,]+(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
const OFFSET = /([+-])(\d{2})(?::?(\d{2}))?$/;
// Real UTC offsets run from -12:00 to +14:00 (Kiribati); ±14:00 bounds them symmetrically.
const MAX_OFFSET_MINUTES = 14 * 60;
// Years outside this range are typing errors; within it, adding any window of the catalogue
// stays far inside what a JavaScript Date holds (year 275760), so nothing throws a RangeError.
const FIRST_YEAR = 1900;
const LAST_YEAR = 9999;
const WALL_CLOCK = "yyyy-MM-dd'T'HH:mm:ss.SSS";

/**
 * Reads an ISO 8601 date-time and returns the UTC instant it names (millisecond precision, Z).
 * A value with Z or an offset is taken as written. A value without one is a wall-clock time in
 * `zone` (IANA); it is refused when no zone is given, when it falls in a daylight-saving gap,
 * and, when it occurs twice (autumn), it resolves to the earlier instant so a deadline derived
 * from it can only come early, never late. Offsets beyond ±14:00 (or with 60 minutes or more)
 * and years outside 1900–9999 are refused, naming the field.
 */
export function parseInstant(value: string, field: string, zone?: string): string {
  if (typeof value !== 'string' || !value.includes('T')) {
    fail('BD_DEADLINE_INVALID', `${field} must be an ISO 8601 date and time`, field);
  }

  if (HAS_OFFSET.test(value)) {
    assertOffset(value, field);
    const parsed = DateTime.fromISO(value, { setZone: true });
    return toUtcIso(parsed, field);
  }

  if (zone === undefined) {
    fail(
      'BD_DEADLINE_INVALID',
      `${field} has no UTC offset; add Z or an offset such as +02:00, or give its IANA time zone`,
      field,
    );
  }
  assertZone(zone, field);
  return toUtcIso(resolveWallClock(value, zone, field), field);
}

/** Adds an exact number of elapsed hours to a UTC instant (DST never shortens a day here). */
export function addHours(utcIso: string, hours: number): string {
  if (!Number.isFinite(hours)) {
    fail('BD_DEADLINE_INVALID', 'hours must be a finite number', 'hours');
  }

  const start = Date.parse(parseInstant(utcIso, 'instant'));
  return new Date(start + Math.round(hours * MS_PER_HOUR)).toISOString();
}

/**
 * The GDPR clocks that start when we become aware of a personal-data breach: one per affected
 * tenant for Art. 33(2) (processor to controller) and one for Art. 33(1) (controller to the
 * supervisory authority).
 */
export function gdprClocks(input: GdprClockInput): Clock[] {
  const startsAt = parseInstant(input.awareAt, 'awareAt');
  const seen = new Set<string>();

  const controllerClocks = input.tenants.map((tenant, i): Clock => {
    const tenantId = typeof tenant.tenantId === 'string' ? tenant.tenantId.trim() : '';
    if (tenantId === '') {
      fail('BD_DEADLINE_INVALID', 'tenantId must be a non-empty string', `tenants[${i}].tenantId`);
    }
    if (seen.has(tenantId)) {
      fail('BD_DEADLINE_INVALID', `tenant ${tenantId} is listed twice`, `tenants[${i}].tenantId`);
    }
    seen.add(tenantId);

    const hours = contractHours(tenant.contractHours, `tenants[${i}].contractHours`);
    const term = tenant.contractHours === null ? 'no contractual term, default' : 'contract:';

    // GDPR Art. 33(2): the processor tells each controller without undue delay after awareness.
    return {
      regime: 'gdpr-33-2',
      filing: 'controller',
      tenantId,
      startsAt,
      due: addHours(startsAt, hours),
      source: `GDPR Art. 33(2), processor to controller (${term} ${hours} h after awareness)`,
    };
  });

  // GDPR Art. 33(1): the clock starts at awareness, not at detection or declaration.
  const authorityClock: Clock = {
    regime: 'gdpr-33-1',
    filing: 'authority',
    tenantId: null,
    startsAt,
    due: addHours(startsAt, GDPR_AUTHORITY_HOURS),
    source: `GDPR Art. 33(1), controller to supervisory authority (at most 72 h after awareness)`,
  };
  return [...controllerClocks, authorityClock];
}

/** Time remaining until `due`; a clock is late only after its last on-time instant. */
export function timeLeft(due: string, now: Date): TimeLeft {
  const dueMs = Date.parse(parseInstant(due, 'due'));
  const nowMs = now.getTime();
  if (Number.isNaN(nowMs)) {
    fail('BD_DEADLINE_INVALID', 'now must be a valid Date', 'now');
  }

  const ms = dueMs - nowMs;
  return { ms, isLate: ms < 0 };
}

/** Shows a UTC instant as ISO 8601 with the offset that applies in `zone` at that instant. */
export function formatInZone(utcIso: string, zone: string): string {
  assertZone(zone, 'zone');

  const instant = DateTime.fromISO(parseInstant(utcIso, 'instant'), { zone });
  const shown = instant.toISO({ suppressMilliseconds: true });
  if (shown === null) {
    fail('BD_DEADLINE_INVALID', `instant cannot be shown in ${zone}`, 'zone');
  }
  return shown;
}

function assertZone(zone: string, field: string): void {
  if (typeof zone !== 'string' || !IANAZone.isValidZone(zone)) {
    fail(
      'BD_DEADLINE_INVALID',
      `time zone for ${field} must be an IANA zone name such as Europe/Berlin or UTC`,
      field,
    );
  }
}

/** Picks the instant a zone-less wall-clock time names, refusing times the zone skips. */
function resolveWallClock(value: string, zone: string, field: string): DateTime {
  const local = DateTime.fromISO(value, { zone });
  if (!local.isValid) {
    return local;
  }

  // The same text read in UTC keeps the wall-clock fields exactly as written.
  const written = DateTime.fromISO(value, { zone: 'utc' }).toFormat(WALL_CLOCK);
  const candidates = local
    .getPossibleOffsets()
    .filter((candidate) => candidate.toFormat(WALL_CLOCK) === written)
    .sort((a, b) => a.toMillis() - b.toMillis());

  const earliest = candidates[0];
  if (earliest === undefined) {
    fail(
      'BD_DEADLINE_INVALID',
      `${field} does not exist in ${zone} (skipped by a daylight-saving change); give an offset`,
      field,
    );
  }
  return earliest;
}

function assertOffset(value: string, field: string): void {
  const [, sign, hours, minutes] = OFFSET.exec(value) ?? [];
  if (sign === undefined) return;

  const total = Number(hours) * 60 + Number(minutes ?? 0);
  if (Number(minutes ?? 0) >= 60 || total > MAX_OFFSET_MINUTES) {
    fail(
      'BD_DEADLINE_INVALID',
      `${field} has the UTC offset ${sign}${hours}${minutes === undefined ? '' : `:${minutes}`}; ` +
        'an offset runs from -14:00 to +14:00 with minutes below 60',
      field,
    );
  }
}

function toUtcIso(parsed: DateTime, field: string): string {
  const utc = parsed.isValid ? parsed.toUTC() : null;
  if (utc === null || utc.toISO() === null) {
    fail(
      'BD_DEADLINE_INVALID',
      `${field} must be a valid ISO 8601 date and time, e.g. 2024-03-30T10:00:00Z`,
      field,
    );
  }
  if (utc.year < FIRST_YEAR || utc.year > LAST_YEAR) {
    fail(
      'BD_DEADLINE_INVALID',
      `${field} lies in the year ${utc.year}; give an instant from ${FIRST_YEAR} to ${LAST_YEAR}`,
      field,
    );
  }
  return utc.toISO() ?? '';
}

function contractHours(value: number | null, field: string): number {
  if (value === null) {
    return GDPR_PROCESSOR_DEFAULT_HOURS;
  }

  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail('BD_DEADLINE_INVALID', `${field} must be a positive number of hours, or null`, field);
  }
  return value;
}

/**
 * Turns a sender's timestamp into a UTC instant. Regulatory clocks are computed from these
 * instants, so a timestamp whose zone we would have to guess is refused rather than assumed.
 */
import { fail } from '../domain/errors.ts';
import { describe, valueAt } from './outcome.ts';

/** A normalised instant (`utc`, ISO 8601 with ms and Z) and the text exactly as sent. */
export type NormalizedTimestamp = { utc: string; original: string };

// RFC 3339 §5.6 date-time, widened to the ISO 8601 spellings senders really use: a space or
// lowercase t as separator, optional seconds, a comma before the fraction, and the basic
// offset forms +hhmm (Suricata, Wazuh) and +hh.
const DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;
const TIME = String.raw`(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?`;
const OFFSET = String.raw`([Zz]|[+-]\d{2}(?::?\d{2})?)`;
const ISO_DATE_TIME = new RegExp(`^${DATE}[Tt ]${TIME}${OFFSET}?$`);

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The years a signal's time may lie in, the bounds ingest checks before storing. Alerts are
 * about now-ish events: a year far outside is a broken sender clock, and PostgreSQL cannot
 * store the window arithmetic around years 1 or 9999. Checked where a time is read, so that
 * the rejection names the field it came from.
 */
export const SIGNAL_YEARS = { first: 1970, last: 2200 } as const;

/**
 * Why `instant` cannot be a signal's time, as a phrase to follow the field and its value, or
 * null when its UTC year lies within SIGNAL_YEARS.
 */
export function outsideSignalYears(instant: Date): string | null {
  const year = instant.getUTCFullYear();
  if (year >= SIGNAL_YEARS.first && year <= SIGNAL_YEARS.last) return null;

  return (
    `lies in the year ${year}, outside ${SIGNAL_YEARS.first}–${SIGNAL_YEARS.last}; ` +
    "check the sender's clock"
  );
}

/**
 * Normalises an ISO 8601 / RFC 3339 timestamp with any offset form (Z, +01:00, +0100, +01) and
 * any fraction length (truncated to milliseconds). Returns `{ error }` naming `field` when the
 * value is not a string, cannot be parsed, carries no offset, or lies outside SIGNAL_YEARS.
 */
export function normalizeTimestamp(
  value: unknown,
  field: string,
): NormalizedTimestamp | { error: string } {
  if (typeof value !== 'string') {
    return { error: `${field} must be an ISO 8601 timestamp string, got ${describe(value)}` };
  }

  const match = ISO_DATE_TIME.exec(value.trim());
  if (!match) {
    return {
      error:
        `${field} ${describe(value)} is not an ISO 8601 timestamp; ` +
        'expected e.g. 2024-03-10T06:30:00Z or 2024-03-10T01:30:00.123-05:00',
    };
  }

  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  if (offset === undefined) {
    return {
      error:
        `${field} ${describe(value)} has no UTC offset; add Z or ±hh:mm ` +
        '(the time zone is never guessed)',
    };
  }

  const instant = toInstant(
    [year, month, day, hour, minute, second].map((part) => Number(part ?? '0')),
    fraction,
    offset,
  );
  if (instant === null) {
    return { error: `${field} ${describe(value)} is not a real date and time` };
  }

  const range = outsideSignalYears(instant);
  if (range !== null) return { error: `${field} ${describe(value)} ${range}` };
  return { utc: instant.toISOString(), original: value };
}

/**
 * The normalised timestamp at `path` of a record, or a rejection: BD_INTAKE_FIELD_MISSING when
 * absent, BD_INTAKE_FIELD_INVALID when present but unusable. For adapters written with fail().
 */
export function timestampAt(record: Record<string, unknown>, path: string): NormalizedTimestamp {
  const value = valueAt(record, path);
  if (value === undefined || value === null || value === '') {
    fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);
  }

  const time = normalizeTimestamp(value, path);
  if ('error' in time) fail('BD_INTAKE_FIELD_INVALID', time.error, path);
  return time;
}

/** Builds the UTC instant from calendar fields, or null when any field is out of range. */
function toInstant(fields: number[], fraction: string | undefined, offset: string): Date | null {
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = fields;
  const offsetMinutes = parseOffset(offset);

  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && !leapYear ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  // RFC 3339 allows second 60 for a leap second; JavaScript time has none, so it rolls into
  // the next minute, which is the same instant to the millisecond that follows it.
  if (day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 60) return null;
  if (offsetMinutes === null) return null;

  const millis = Number((fraction ?? '').slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 onto 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offsetMinutes, second, millis);

  // An offset can push year 0000 or 9999 outside what toISOString writes with four digits.
  const utcYear = date.getUTCFullYear();
  return utcYear >= 0 && utcYear <= 9999 ? date : null;
}

/** Minutes east of UTC for Z, ±hh, ±hhmm or ±hh:mm; null when out of range. */
function parseOffset(offset: string): number | null {
  if (offset === 'Z' || offset === 'z') return 0;

  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}

/**
 * CEF date fields (`rt`, `end`, `start`). The CEF spec (rev. 25, "Date formats") allows epoch
 * milliseconds and `MMM dd [yyyy] HH:mm:ss[.SSS] [zzz]`; ISO 8601 with an offset, which many
 * senders write anyway, is read too. A date without a zone is reported as such, never guessed.
 */
import { describe } from './outcome.ts';
import { normalizeTimestamp } from './timestamp.ts';
import { instantOf, monthNumber, zoneNamed } from './wall-clock.ts';

/** What a date field says: an instant, a wall-clock time without a zone, or nothing usable. */
export type CefDate =
  | { kind: 'instant'; utc: string }
  | { kind: 'zoneless'; why: string }
  | { kind: 'invalid'; why: string };

const CEF_DATE =
  /^([A-Za-z]{3}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: (\S+))?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}[Tt ]/;
// Epoch milliseconds before 1973-03-03 are almost surely epoch seconds sent by mistake.
const MIN_EPOCH_MS = 100_000_000_000;

/** Reads one date value; a year-less date takes the year nearest to `receivedAt`. */
export function parseCefDate(value: string, receivedAt: Date): CefDate {
  const text = value.trim();

  if (/^\d{1,16}$/.test(text)) return epochDate(Number(text));
  if (ISO_DATE.test(text)) return isoDate(text);

  const match = CEF_DATE.exec(text);
  if (!match) {
    return {
      kind: 'invalid',
      why:
        `${describe(value)} is not a CEF date; expected epoch milliseconds or ` +
        '"MMM dd yyyy HH:mm:ss.SSS zzz" such as "Mar 10 2024 06:30:00.123 UTC"',
    };
  }

  const [, monthName = '', day, year, hour, minute, second, millis, zoneText] = match;
  const month = monthNumber(monthName);
  if (month === null) {
    return { kind: 'invalid', why: `${describe(value)} has no English month (Jan … Dec)` };
  }
  if (zoneText === undefined) return { kind: 'zoneless', why: `${describe(value)} has no zone` };

  const zone = zoneNamed(zoneText);
  if (zone === null) {
    return {
      kind: 'zoneless',
      why: `${describe(value)} names zone ${describe(zoneText)}, which is ambiguous or unknown`,
    };
  }

  const wall = {
    year: year === undefined ? null : Number(year),
    month,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number((millis ?? '').padEnd(3, '0')),
  };
  const instant = instantOf(wall, zone, receivedAt);
  return 'error' in instant
    ? { kind: 'invalid', why: `${describe(value)} ${instant.error}` }
    : { kind: 'instant', utc: instant.utc };
}

function epochDate(ms: number): CefDate {
  if (ms < MIN_EPOCH_MS) {
    return {
      kind: 'invalid',
      why: `${ms} is before 1973 as epoch milliseconds; CEF wants milliseconds, not seconds`,
    };
  }

  const date = new Date(ms);
  return Number.isNaN(date.getTime())
    ? { kind: 'invalid', why: `${ms} is outside the range of dates` }
    : { kind: 'instant', utc: date.toISOString() };
}

function isoDate(text: string): CefDate {
  const time = normalizeTimestamp(text, 'date');
  if (!('error' in time)) return { kind: 'instant', utc: time.utc };

  // normalizeTimestamp reads the offset last: a well-formed date without one is zone-less.
  const withZ = normalizeTimestamp(`${text}Z`, 'date');
  return 'error' in withZ
    ? { kind: 'invalid', why: `${describe(text)} is not a valid ISO 8601 date and time` }
    : { kind: 'zoneless', why: `${describe(text)} has no UTC offset` };
}

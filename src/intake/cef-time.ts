/**
 * CEF date fields (`rt`, `end`, `start`). The CEF spec (rev. 25, "Date formats") allows epoch
 * milliseconds and `MMM dd [yyyy] HH:mm:ss[.SSS] [zzz]`; ISO 8601 with an offset, which many
 * senders write anyway, is read too. A date without a zone is reported as such, never guessed,
 * unless the caller names the zone its sender writes in (the syslog listener's configured zone).
 */
import { FixedOffsetZone, type Zone } from 'luxon';

import { describe } from './outcome.ts';
import { normalizeTimestamp, outsideSignalYears } from './timestamp.ts';
import { type WallClock, instantOf, monthNumber, zoneNamed } from './wall-clock.ts';

/** What a date field says: an instant, a wall-clock time without a zone, or nothing usable. */
export type CefDate =
  | { kind: 'instant'; utc: string }
  | { kind: 'zoneless'; why: string }
  | { kind: 'invalid'; why: string };

const CEF_DATE =
  /^([A-Za-z]{3}) {1,2}(\d{1,2})(?: (\d{4}))? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: (\S+))?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}[Tt ]/;
// An ISO 8601 date and time with no offset after it.
const ISO_WALL = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/;
// Epoch milliseconds before 1973-03-03 are almost surely epoch seconds sent by mistake.
const MIN_EPOCH_MS = 100_000_000_000;

/**
 * Reads one date value; a year-less date takes the year nearest to `receivedAt`. A date that
 * names no zone is read in `localZone` when one is given, else reported zone-less. An instant
 * outside SIGNAL_YEARS (timestamp.ts) is invalid.
 */
export function parseCefDate(value: string, receivedAt: Date, localZone?: Zone): CefDate {
  const date = readCefDate(value, receivedAt, localZone);
  if (date.kind !== 'instant') return date;

  const range = outsideSignalYears(new Date(date.utc));
  return range === null ? date : { kind: 'invalid', why: `${describe(value)} ${range}` };
}

function readCefDate(value: string, receivedAt: Date, localZone: Zone | undefined): CefDate {
  const text = value.trim();

  if (/^\d{1,16}$/.test(text)) return epochDate(Number(text));
  if (ISO_DATE.test(text)) return isoDate(text, receivedAt, localZone);

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

  const wall = {
    year: year === undefined ? null : Number(year),
    month,
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second),
    millisecond: Number((millis ?? '').padEnd(3, '0')),
  };
  if (zoneText === undefined) {
    if (localZone === undefined) return { kind: 'zoneless', why: `${describe(value)} has no zone` };
    return wallDate(value, wall, localZone, receivedAt);
  }

  // An abbreviation such as EST names a zone, just not one we can tell: the local zone would
  // be a guess against what the sender wrote.
  const zone = zoneNamed(zoneText);
  if (zone === null) {
    return {
      kind: 'zoneless',
      why: `${describe(value)} names zone ${describe(zoneText)}, which is ambiguous or unknown`,
    };
  }
  return wallDate(value, wall, zone, receivedAt);
}

function wallDate(value: string, wall: WallClock, zone: Zone, receivedAt: Date): CefDate {
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

function isoDate(text: string, receivedAt: Date, localZone: Zone | undefined): CefDate {
  const parts = ISO_WALL.exec(text);
  if (parts === null) {
    // With an offset (or malformed): timestamp.ts reads it and says what is wrong.
    const time = normalizeTimestamp(text, 'date');
    return 'error' in time
      ? { kind: 'invalid', why: time.error.replace(/^date /, '') }
      : { kind: 'instant', utc: time.utc };
  }

  const [, year, month, day, hour, minute, second, fraction] = parts;
  const wall = {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: Number(hour),
    minute: Number(minute),
    second: Number(second ?? '0'),
    millisecond: Number((fraction ?? '').slice(0, 3).padEnd(3, '0')),
  };
  if (localZone !== undefined) return wallDate(text, wall, localZone, receivedAt);

  const real = instantOf(wall, FixedOffsetZone.utcInstance, receivedAt);
  return 'error' in real
    ? { kind: 'invalid', why: `${describe(text)} is not a valid ISO 8601 date and time` }
    : { kind: 'zoneless', why: `${describe(text)} has no UTC offset` };
}

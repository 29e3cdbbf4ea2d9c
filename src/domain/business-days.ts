/**
 * Day arithmetic in a time zone: local dates, the end of a local day, a wall-clock time on a
 * date, and business days over a public-holiday calendar from the date-holidays package.
 * Dates are `YYYY-MM-DD` strings and instants UTC ISO strings, so the process time zone
 * never enters a result.
 */
import Holidays, { type HolidaysTypes } from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';

import { fail } from './errors.ts';
import type { HolidayCalendarId } from './regimes/types.ts';

/**
 * What each calendar is and which date-holidays entries count as holidays. Only type `public`
 * does: for the US those are the federal holidays of 5 U.S.C. 6103 with their observed
 * (substitute) days; for Brazil, the national holidays set by federal law. Observances and
 * optional days (Christmas Eve, the day after Thanksgiving) and Brazil's "ponto facultativo"
 * days, which the package types `bank` or `optional` (Carnival Monday and Tuesday, Ash
 * Wednesday, Corpus Christi), count as business days: a doubtful day is a working day, so a
 * deadline can come a day early but never late.
 */
export const HOLIDAY_CALENDARS: Readonly<
  Record<HolidayCalendarId, { country: string; description: string }>
> = {
  'us-federal': { country: 'US', description: 'US federal holidays, with observed days' },
  'br-national': { country: 'BR', description: 'Brazilian national holidays' },
};

const HOLIDAY_TYPES: readonly HolidaysTypes.HolidayType[] = ['public'];
const MS_PER_HOUR = 3_600_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?$/;

const calendars = new Map<HolidayCalendarId, Holidays>();
const yearCache = new Map<string, Map<string, string>>();

/** The holidays that count in `calendar` during `year`, by date, in date order. */
export function holidaysOf(
  calendar: HolidayCalendarId,
  year: number,
): { date: string; name: string }[] {
  return [...holidayMap(calendar, year)].map(([date, name]) => ({ date, name }));
}

/** True unless `date` is a Saturday, a Sunday or a holiday of `calendar`. */
export function isBusinessDay(date: string, calendar: HolidayCalendarId): boolean {
  const day = parseDate(date);
  if (day.weekday >= 6) {
    return false;
  }
  return !holidayMap(calendar, day.year).has(date);
}

/**
 * The `days`-th business day after `date`. The start date itself is never counted (the day
 * of the event is day zero), so an event on a weekend or holiday starts the count on the next
 * business day, as Form 8-K General Instruction B.1 and Brazilian practice both say.
 */
export function addBusinessDays(date: string, days: number, calendar: HolidayCalendarId): string {
  if (!Number.isInteger(days) || days < 1) {
    fail('BD_DEADLINE_INVALID', 'business days must be a whole number of at least 1', 'days');
  }

  let current = date;
  let counted = 0;
  while (counted < days) {
    current = addCalendarDays(current, 1);
    if (isBusinessDay(current, calendar)) {
      counted += 1;
    }
  }
  return current;
}

/** `date` plus a number of calendar days (negative goes back). */
export function addCalendarDays(date: string, days: number): string {
  return isoDate(parseDate(date).plus({ days }));
}

/** The date an instant falls on in `zone`. */
export function localDate(utcIso: string, zone: string): string {
  return isoDate(DateTime.fromISO(utcIso, { zone }));
}

/**
 * The same day of the month `months` later, at the same wall-clock time in `zone`. A day the
 * target month lacks becomes its last day (31 January → 29 February 2024); the wall-clock
 * time then resolves as in `instantAtWallTime`.
 */
export function addMonthsAtWallTime(utcIso: string, months: number, zone: string): string {
  // Read the local wall clock as if it were UTC, so month arithmetic sees no offsets at all.
  const wall = DateTime.fromISO(utcIso, { zone })
    .setZone('utc', { keepLocalTime: true })
    .plus({ months });
  return instantAtWallTime(isoDate(wall), wall.toFormat('HH:mm:ss.SSS'), zone);
}

/** The last millisecond of `date` in `zone` (the instant before the next day begins). */
export function endOfLocalDay(date: string, zone: string): string {
  const nextDay = instantAtWallTime(addCalendarDays(date, 1), '00:00', zone);
  return new Date(Date.parse(nextDay) - 1).toISOString();
}

/**
 * The instant a wall clock in `zone` shows `time` (HH:mm[:ss[.SSS]]) on `date`. A time that
 * occurs twice (autumn) resolves to the earlier instant; a time skipped by a spring change
 * resolves to the instant the clocks jump past it. Both choices make a deadline come early
 * rather than late.
 */
export function instantAtWallTime(date: string, time: string, zone: string): string {
  if (!TIME.test(time)) {
    fail('BD_DEADLINE_INVALID', `time must be HH:mm, got "${time}"`, 'time');
  }

  const wallMs = parseDate(date).toMillis() + DateTime.fromISO(`1970-01-01T${time}Z`).toMillis();
  const tz = IANAZone.create(zone);
  if (!tz.isValid) {
    fail('BD_DEADLINE_INVALID', `"${zone}" is not an IANA time zone`, 'zone');
  }

  // The offsets in force half a day either side cover any change near this wall time.
  const before = tz.offset(wallMs - 12 * MS_PER_HOUR);
  const after = tz.offset(wallMs + 12 * MS_PER_HOUR);
  const matches = [before, after]
    .map((offset) => wallMs - offset * 60_000)
    .filter((ms) => ms + tz.offset(ms) * 60_000 === wallMs);
  if (matches.length > 0) {
    return new Date(Math.min(...matches)).toISOString();
  }

  return new Date(firstInstantWithOffset(tz, wallMs - after * 60_000, after)).toISOString();
}

/** Binary search for the first instant from `lo` on at which `tz` uses `offset`. */
function firstInstantWithOffset(tz: IANAZone, lo: number, offset: number): number {
  let low = lo;
  let high = lo + 48 * MS_PER_HOUR;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (tz.offset(mid) === offset) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return low;
}

function holidayMap(calendar: HolidayCalendarId, year: number): Map<string, string> {
  const key = `${calendar}:${year}`;
  const cached = yearCache.get(key);
  if (cached) {
    return cached;
  }

  let source = calendars.get(calendar);
  if (!source) {
    source = new Holidays(HOLIDAY_CALENDARS[calendar].country);
    calendars.set(calendar, source);
  }

  // `date` is the holiday's local calendar date ("2024-07-04 00:00:00"), whatever TZ says.
  const days = new Map<string, string>();
  for (const holiday of source.getHolidays(year, 'en')) {
    if (HOLIDAY_TYPES.includes(holiday.type) && !days.has(holiday.date.slice(0, 10))) {
      days.set(holiday.date.slice(0, 10), holiday.name);
    }
  }
  const sorted = new Map([...days].sort(([a], [b]) => a.localeCompare(b)));
  yearCache.set(key, sorted);
  return sorted;
}

function parseDate(date: string): DateTime {
  const parsed = DATE.test(date) ? DateTime.fromISO(date, { zone: 'utc' }) : null;
  if (!parsed?.isValid) {
    fail('BD_DEADLINE_INVALID', `date must be YYYY-MM-DD, got "${date}"`, 'date');
  }
  return parsed;
}

function isoDate(value: DateTime): string {
  const text = value.isValid ? value.toISODate() : null;
  if (text === null) {
    fail('BD_DEADLINE_INVALID', 'date is out of range', 'date');
  }
  return text;
}

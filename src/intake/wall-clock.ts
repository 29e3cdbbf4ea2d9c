/**
 * Wall-clock times that arrive without a year or without a zone (RFC 3164 syslog stamps, CEF
 * dates) turned into UTC instants by stated rules, never by a silent guess:
 * - the zone is either written in the value or configured by the operator for the sender;
 * - a missing year is the one that puts the instant nearest to the time of receipt (issue 4),
 *   and only years within half a year of receipt qualify (see yearCandidates).
 */
import { DateTime, FixedOffsetZone, IANAZone, type Zone } from 'luxon';

/** Calendar fields as written; `year` is null when the sender left it out. */
export interface WallClock {
  year: number | null;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// The longest distance between receipt and the nearest candidate for any date that exists every
// year is half of a 366-day year; one day more absorbs daylight-saving shifts and leap seconds.
const HALF_YEAR_MS = 184 * 86_400_000;

const NO_NEARBY_YEAR =
  'has no year, and no year within half a year of receipt has that date; ' +
  'send the year (e.g. an RFC 5424 timestamp)';

/** 1–12 for an English three-letter month abbreviation in any case, else null. */
export function monthNumber(name: string): number | null {
  const index = MONTHS.indexOf(name.toLowerCase());
  return index < 0 ? null : index + 1;
}

/**
 * The zone a sender wrote or an operator configured: `UTC`, `GMT`, `Z`, a numeric offset
 * (`+02:00`, `-0500`, `GMT+1`, `UTC-03:30`) or an IANA name (`Europe/Berlin`). Abbreviations
 * such as EST, CET or IST are refused (null): several zones share them, so reading one would
 * be a guess.
 */
export function zoneNamed(text: string): Zone | null {
  const name = text.trim();
  if (/^(?:Z|UTC|GMT|UT)$/i.test(name)) return FixedOffsetZone.utcInstance;

  const offset = /^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(name);
  if (offset) {
    const [, sign, hours = '0', minutes = '0'] = offset;
    if (Number(hours) > 23 || Number(minutes) > 59) return null;
    const total = (Number(hours) * 60 + Number(minutes)) * (sign === '-' ? -1 : 1);
    return FixedOffsetZone.instance(total);
  }

  // Region/City names only: the tz database also carries legacy abbreviations (EST, MST, CET).
  return name.includes('/') && IANAZone.isValidZone(name) ? IANAZone.create(name) : null;
}

/**
 * The UTC instant (ISO 8601, ms, Z) a wall-clock time names in `zone`, or an error phrase to
 * follow the field name. When the year is missing, or the time occurs twice in the zone
 * (daylight saving ends), the candidate nearest to `receivedAt` is taken. A time the zone
 * skips (daylight saving starts) is refused: a sender in that zone cannot have written it.
 */
export function instantOf(
  wall: WallClock,
  zone: Zone,
  receivedAt: Date,
): { utc: string } | { error: string } {
  const receipt = receivedAt.getTime();
  if (!isRealTime(wall)) return { error: 'is not a real date and time' };
  if (wall.year === null && Number.isNaN(receipt)) {
    return { error: 'has no year, and without a time of receipt none can be chosen' };
  }

  const near = (at: number) => wall.year !== null || Math.abs(at - receipt) <= HALF_YEAR_MS;
  const years = wall.year === null ? yearCandidates(receipt) : [wall.year];
  const readings = years.map((year) => readingsIn({ ...wall, year }, zone));
  const instants = readings.flatMap((r) => r.instants).filter(near);

  if (instants.length === 0) {
    if (readings.some((r) => r.skipped !== null && near(r.skipped))) {
      return { error: `does not exist in ${zone.name} (skipped when daylight saving starts)` };
    }
    // Only Feb 29 gets this far without a year: no leap day lies within half a year of receipt.
    return { error: wall.year === null ? NO_NEARBY_YEAR : 'is not a real date and time' };
  }

  const nearest = instants.reduce((best, at) =>
    Math.abs(at - receipt) < Math.abs(best - receipt) ? at : best,
  );
  return { utc: new Date(nearest).toISOString() };
}

// Ranges every year shares (Feb 29 counts: leap years have it); whether the day exists in a
// given year is luxon's to say.
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isRealTime(wall: WallClock): boolean {
  const { month, day, hour, minute, second } = wall;
  const days = MONTH_DAYS[month - 1] ?? 0;
  return day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59;
}

// Every instant within half a year of receipt falls, in any zone, in the receipt's UTC year
// or the one before or after it.
function yearCandidates(receipt: number): number[] {
  const year = new Date(receipt).getUTCFullYear();
  return [year - 1, year, year + 1];
}

/**
 * The instants (epoch ms) a wall-clock time names in one year: none when the date does not
 * exist, two in the hour daylight saving repeats. `skipped` is set, to roughly when, when the
 * date exists but daylight saving skips the time.
 */
function readingsIn(
  wall: WallClock & { year: number },
  zone: Zone,
): { instants: number[]; skipped: number | null } {
  const local = DateTime.fromObject(wall, { zone });
  if (!local.isValid) return { instants: [], skipped: null };

  // Luxon moves a skipped time forward; keeping only exact matches drops that shifted reading.
  const instants = local
    .getPossibleOffsets()
    .filter((candidate) => sameWallClock(candidate, wall))
    .map((candidate) => candidate.toMillis())
    .filter((ms) => Number.isFinite(ms));
  return { instants, skipped: instants.length === 0 ? local.toMillis() : null };
}

function sameWallClock(at: DateTime, wall: WallClock & { year: number }): boolean {
  return (
    at.year === wall.year &&
    at.month === wall.month &&
    at.day === wall.day &&
    at.hour === wall.hour &&
    at.minute === wall.minute &&
    at.second === wall.second
  );
}

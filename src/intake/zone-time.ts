/**
 * Local wall-clock times in a named time zone, turned into UTC instants. Used for sender
 * formats whose timestamps carry no offset (IDS "fast" logs): the operator names the zone the
 * sensor writes in, and a wall time that daylight saving time skips or repeats is refused,
 * never resolved by a guess.
 */

/** A calendar date and wall-clock time, month 1–12, as written in a log. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** How a wall time maps onto instants in a zone: one instant, none (a gap) or two (a fold). */
export type ZonedInstant =
  | { kind: 'instant'; at: Date }
  | { kind: 'not-a-date' }
  | { kind: 'skipped' }
  | { kind: 'repeated'; earlier: Date; later: Date };

/** A checked zone: a fixed offset or an IANA zone name, as given and as it computes offsets. */
export interface TimeZone {
  name: string;
  offsetAt(instantMs: number): number;
}

const FIXED_OFFSET = /^([+-])(\d{2}):?(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * A zone from `UTC`, `Z`, a fixed offset (`+01:00`, `-0500`) or an IANA Region/City name known
 * to this Node's ICU data (`Europe/Berlin`); null when it is none of these. Abbreviations such
 * as EST or CET are refused although the tz database lists some: several zones share them and
 * EST there has no daylight saving time, which is rarely what the operator meant.
 */
export function timeZoneOf(name: string): TimeZone | null {
  const text = name.trim();
  if (text === 'Z' || text.toUpperCase() === 'UTC') return fixedZone(text, 0);

  const fixed = FIXED_OFFSET.exec(text);
  if (fixed) {
    const [, sign, hours = '', minutes = ''] = fixed;
    if (Number(hours) > 23 || Number(minutes) > 59) return null;
    const offset = (Number(hours) * 60 + Number(minutes)) * 60_000;
    return fixedZone(text, sign === '-' ? -offset : offset);
  }
  return text.includes('/') ? ianaZone(text) : null;
}

/**
 * The instant at which clocks in `zone` show `wall`. Near a daylight-saving change a wall time
 * can be skipped (spring forward) or shown twice (fall back); both are reported as such.
 */
export function instantInZone(wall: WallTime, zone: TimeZone): ZonedInstant {
  const wallMs = wallAsUtc(wall);
  if (wallMs === null) return { kind: 'not-a-date' };

  // Offsets a day either side cover both sides of any transition near this wall time.
  const offsets = new Set([zone.offsetAt(wallMs - DAY_MS), zone.offsetAt(wallMs + DAY_MS)]);
  const instants = [...offsets]
    .map((offset) => wallMs - offset)
    .filter((instant) => wallMs - zone.offsetAt(instant) === instant)
    .sort((a, b) => a - b);

  const [earlier, later] = instants;
  if (earlier === undefined) return { kind: 'skipped' };
  if (later === undefined) return { kind: 'instant', at: new Date(earlier) };
  return { kind: 'repeated', earlier: new Date(earlier), later: new Date(later) };
}

/** The wall time read as if it were UTC, in ms; null when it is not a real calendar moment. */
export function wallAsUtc(wall: WallTime): number | null {
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 onto 1900–1999.
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);

  const roundTrips =
    date.getUTCFullYear() === wall.year &&
    date.getUTCMonth() === wall.month - 1 &&
    date.getUTCDate() === wall.day &&
    date.getUTCHours() === wall.hour &&
    date.getUTCMinutes() === wall.minute &&
    date.getUTCSeconds() === wall.second;
  return roundTrips ? date.getTime() : null;
}

function fixedZone(name: string, offsetMs: number): TimeZone {
  return { name, offsetAt: () => offsetMs };
}

function ianaZone(name: string): TimeZone | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return null;
  }

  return {
    name: format.resolvedOptions().timeZone,
    offsetAt(instantMs: number): number {
      // The zone's wall clock at this instant, read back as UTC, minus the instant.
      const seconds = Math.floor(instantMs / 1000) * 1000;
      const parts: Record<string, string> = {};
      for (const part of format.formatToParts(new Date(seconds))) parts[part.type] = part.value;

      // Astronomical year numbering: 1 BC is year 0.
      const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
      const date = new Date(0);
      date.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
      date.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
      return date.getTime() - seconds;
    },
  };
}

/**
 * The Date header of an e-mail (RFC 5322 §3.3, with the obsolete forms of §4.3 that real mail
 * still carries) as a UTC instant. Like every intake timestamp, a date whose zone we would
 * have to guess is not read: it comes back as null, never as a guess.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RFC 5322 §4.3 obs-zone: the North American names, and UT / GMT for +0000.
const NAMED_ZONES: Record<string, number> = {
  ut: 0,
  gmt: 0,
  est: -5 * 60,
  edt: -4 * 60,
  cst: -6 * 60,
  cdt: -5 * 60,
  mst: -7 * 60,
  mdt: -6 * 60,
  pst: -8 * 60,
  pdt: -7 * 60,
};

// [day-of-week ","] day month year hour ":" minute [":" second] zone, case-insensitive.
const DATE_TIME = new RegExp(
  String.raw`^(?:[a-z]{3}\s*,\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{2,4})\s+` +
    String.raw`(\d{2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s+([+-]\d{4}|[a-z]{1,5})$`,
  'i',
);

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The instant an RFC 5322 date-time names, as ISO 8601 with Z, or null when the text is not
 * one (no zone, an unknown zone name, a day that does not exist). Comments such as `(UTC)`
 * are ignored; the day of the week, a redundant claim, is not checked.
 */
export function parseMailDate(text: string): string | null {
  const match = DATE_TIME.exec(withoutComments(text).replace(/\s+/g, ' ').trim());
  if (!match) return null;

  const [, dayText, monthText, yearText, hourText, minuteText, secondText, zoneText] = match;
  const month = MONTHS.indexOf((monthText ?? '').toLowerCase()) + 1;
  const year = fullYear(yearText ?? '');
  const offset = zoneOffset(zoneText ?? '');
  const [day, hour, minute, second] = [dayText, hourText, minuteText, secondText].map((part) =>
    Number(part ?? '0'),
  ) as [number, number, number, number];

  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const monthDays = month === 2 && !leapYear ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  // §3.3: second 60 is a leap second; JavaScript time has none, so it rolls into the next.
  if (month === 0 || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 60) {
    return null;
  }
  if (offset === null) return null;

  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 onto 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute - offset, second, 0);
  return date.toISOString();
}

/**
 * §4.3: a two-digit year is 1950–2049 (add 1900 from 50, else 2000), a three-digit year adds
 * 1900. Four digits are taken as written.
 */
function fullYear(text: string): number {
  const year = Number(text);
  if (text.length === 2) return year < 50 ? 2000 + year : 1900 + year;
  if (text.length === 3) return 1900 + year;
  return year;
}

/** Minutes east of UTC, or null for a zone that cannot be read. */
function zoneOffset(zone: string): number | null {
  if (/^[+-]\d{4}$/.test(zone)) {
    const hours = Number(zone.slice(1, 3));
    const minutes = Number(zone.slice(3, 5));
    if (hours > 23 || minutes > 59) return null;
    return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
  }

  const lower = zone.toLowerCase();
  if (Object.hasOwn(NAMED_ZONES, lower)) return NAMED_ZONES[lower] ?? null;
  // §4.3: the one-letter military zones were specified with the wrong sign and "SHOULD all be
  // considered equivalent to -0000": the time is in UTC, with no claim about local time.
  if (/^[a-ik-z]$/.test(lower)) return 0;
  return null;
}

/** Removes RFC 5322 comments (parenthesised, possibly nested, with quoted-pairs). */
function withoutComments(text: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && depth > 0) {
      i += 1;
    } else if (char === '(') {
      depth += 1;
    } else if (char === ')' && depth > 0) {
      depth -= 1;
    } else if (depth === 0) {
      out += char;
    }
  }
  return out;
}

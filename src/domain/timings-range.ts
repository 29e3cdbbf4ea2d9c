/**
 * The period a timings report covers (`from` inclusive, `to` exclusive, on the instant an
 * investigation was opened). Each end is a month (2026-11), a day (2026-11-30, UTC midnight)
 * or an instant with its offset; left out, the report covers the twelve UTC months up to now.
 */
import { fail } from './errors.ts';

const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
// A bound on the rows read: ten years of investigations is more than any chart shows.
const MAX_YEARS = 10;
// Nothing was opened before the Unix epoch; earlier years are typing slips, not periods.
const FIRST_YEAR = 1970;

export interface TimingRange {
  from: string;
  to: string;
}

function parseEnd(value: string, field: 'from' | 'to'): Date {
  const month = MONTH.exec(value);
  let ms = Number.NaN;
  if (month) {
    const m = Number(month[2]);
    // Not Date.UTC(year, …): it reads years 0 to 99 as 1900 to 1999.
    if (m >= 1 && m <= 12) ms = new Date(0).setUTCFullYear(Number(month[1]), m - 1, 1);
  } else if (DAY.test(value)) {
    ms = Date.parse(`${value}T00:00:00Z`);
    // Date.parse rolls 2026-02-30 over to March; a day that does not exist is refused.
    if (!Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) !== value) ms = Number.NaN;
  } else if (INSTANT.test(value)) {
    ms = Date.parse(value);
  }
  if (Number.isNaN(ms)) {
    fail(
      'BD_REQUEST_INVALID',
      `${field}: give a month (2026-11), a day (2026-11-30) or an instant with its offset ` +
        `(2026-11-30T08:00:00Z), not ${JSON.stringify(value.slice(0, 40))}`,
      field,
    );
  }
  if (new Date(ms).getUTCFullYear() < FIRST_YEAR) {
    fail(
      'BD_REQUEST_INVALID',
      `${field}: must be in ${FIRST_YEAR} or later, not ${JSON.stringify(value.slice(0, 40))}`,
      field,
    );
  }
  return new Date(ms);
}

/** The period asked for, checked; BD_REQUEST_INVALID naming `from` or `to` otherwise. */
export function timingRange(query: { from?: string; to?: string }, now: Date): TimingRange {
  // from is read first, so that a query wrong at both ends is told about the first.
  const given = query.from === undefined ? undefined : parseEnd(query.from, 'from');
  const to = query.to === undefined ? now : parseEnd(query.to, 'to');
  const from = given ?? new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 11, 1));

  if (from.getTime() >= to.getTime()) {
    fail('BD_REQUEST_INVALID', `to: must be after from (${from.toISOString()})`, 'to');
  }
  const limit = Date.UTC(from.getUTCFullYear() + MAX_YEARS, from.getUTCMonth(), from.getUTCDate());
  if (to.getTime() > limit) {
    fail('BD_REQUEST_INVALID', `to: the period may span at most ${MAX_YEARS} years`, 'to');
  }
  return { from: from.toISOString(), to: to.toISOString() };
}

/**
 * Epoch timestamps (Zeek's `ts` in seconds with a fraction, OCSF's `time` in milliseconds).
 * They are UTC by definition, so unlike local wall times nothing has to be guessed. The digits
 * are read as decimal text, never through floating-point arithmetic, so `1588207244.740518`
 * becomes exactly .740 and not .739.
 */
import { type NormalizedTimestamp, outsideSignalYears } from './timestamp.ts';
import { describe } from './outcome.ts';

export type EpochUnit = 'seconds' | 'milliseconds';

// The last millisecond toISOString writes with a four-digit year (9999-12-31T23:59:59.999Z).
const MAX_MILLIS = 253_402_300_799_999;
const EPOCH_TEXT = /^(\d{1,16})(?:\.(\d{1,20}))?$/;

/**
 * A non-negative epoch number (JSON number or decimal text) in `unit` as a UTC instant, the
 * fraction truncated to milliseconds. `original` is the digits as sent. Returns `{ error }`
 * naming `field` when the value is not such a number or lies beyond SIGNAL_YEARS
 * (timestamp.ts).
 */
export function normalizeEpoch(
  value: unknown,
  field: string,
  unit: EpochUnit,
): NormalizedTimestamp | { error: string } {
  const text = epochText(value);
  const match = text === null ? null : EPOCH_TEXT.exec(text);
  if (text === null || !match) {
    return {
      error:
        `${field} must be a non-negative number of ${unit} since 1970-01-01T00:00:00Z, ` +
        `got ${describe(value)}`,
    };
  }

  const [, whole = '0', fraction = ''] = match;
  const millis =
    unit === 'seconds'
      ? Number(whole) * 1000 + Number(fraction.slice(0, 3).padEnd(3, '0'))
      : Number(whole);
  if (!Number.isSafeInteger(millis) || millis > MAX_MILLIS) {
    return { error: `${field} ${describe(value)} is beyond the year 9999 in ${unit}` };
  }

  const instant = new Date(millis);
  const range = outsideSignalYears(instant);
  if (range !== null) return { error: `${field} ${describe(value)} ${range} (read as ${unit})` };
  return { utc: instant.toISOString(), original: text };
}

/** Decimal text of a number or numeric string; null for anything else (incl. 1e21 forms). */
function epochText(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null;
  return typeof value === 'string' ? value.trim() : null;
}

/**
 * Timestamp fields whose zone the vendor's format fixes, so a value without an offset can
 * still be placed exactly: AWS finding times (UTC) and epoch milliseconds. Any other zone-less
 * timestamp is refused by timestampAt (src/intake/timestamp.ts).
 */
import { fail } from '../domain/errors.ts';
import { normalizeEpoch } from './epoch-time.ts';
import { describe, valueAt } from './outcome.ts';
import { normalizeTimestamp, timestampAt } from './timestamp.ts';
import type { NormalizedTimestamp } from './timestamp.ts';

// A date-time with no offset at all: `2024-05-24 22:53:24.000000000`, `2020-02-14T18:12:22`.
const ZONELESS = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?$/;

/**
 * The timestamp at `path` of a field the vendor defines in UTC. A value with an offset is read
 * as usual; a value without one is that UTC instant (pipelines such as Panther's store AWS
 * times as `2024-05-24 22:53:24.000000000`, dropping the Z but not moving the clock).
 * `original` stays exactly as sent.
 */
export function utcTimestampAt(record: Record<string, unknown>, path: string): NormalizedTimestamp {
  const value = valueAt(record, path);
  if (typeof value !== 'string' || !ZONELESS.test(value.trim())) return timestampAt(record, path);

  const withZ = `${value.trim()}Z`;
  const time = normalizeTimestamp(withZ, path);
  if ('error' in time) {
    // The Z is ours: the reason (not a real date, or outside the years taken) shows the value
    // as sent.
    fail('BD_INTAKE_FIELD_INVALID', time.error.replace(describe(withZ), describe(value)), path);
  }
  return { utc: time.utc, original: value };
}

/**
 * A timestamp written as milliseconds since 1970-01-01T00:00:00Z (a JSON number or decimal
 * digits), as CrowdStrike's streaming API and Falcon Data Replicator write them. Rejections
 * name `path`.
 */
export function epochMillisAt(record: Record<string, unknown>, path: string): NormalizedTimestamp {
  const value = valueAt(record, path);
  if (value === undefined || value === null || value === '') {
    fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);
  }

  const time = normalizeEpoch(value, path, 'milliseconds');
  if ('error' in time) fail('BD_INTAKE_FIELD_INVALID', time.error, path);
  return time;
}

/**
 * The first of `paths` that holds a value in `record`, else the first path (so that a
 * rejection names the field the sender is expected to fill).
 */
export function firstPresentPath(
  record: Record<string, unknown>,
  paths: readonly string[],
): string {
  const present = paths.find((path) => {
    const value = valueAt(record, path);
    return value !== undefined && value !== null && value !== '';
  });
  return present ?? paths[0] ?? '';
}

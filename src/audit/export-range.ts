/**
 * The time range of an audit export, from what a person typed: ISO 8601 instants with a zone,
 * checked field by field (a Date would quietly turn 30 February into 1 March).
 */
import { fail } from '../domain/errors.ts';
import type { ExportRange } from './bundle-export.ts';

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-](\d{2}):?(\d{2}))$/i;

const ACCEPTED =
  'an ISO 8601 instant with a zone, e.g. 2024-03-01T00:00:00Z or 2024-03-01T01:00+01:00';

/** The range, normalised to UTC with milliseconds (as entries are stamped); undefined is open. */
export function exportRange(from: string | undefined, to: string | undefined): ExportRange {
  const range = {
    from: from === undefined ? null : instantOf(from, 'from'),
    to: to === undefined ? null : instantOf(to, 'to'),
  };
  if (range.from !== null && range.to !== null && range.from > range.to) {
    fail('BD_REQUEST_INVALID', `--from (${from}) is after --to (${to}); swap them`, 'from');
  }
  return range;
}

function instantOf(text: string, field: 'from' | 'to'): string {
  const m = INSTANT.exec(text.trim());
  const [, y, mo, d, h, mi, s = '0', , oh = '0', om = '0'] = m ?? [];
  const valid =
    m !== null &&
    Number(mo) >= 1 &&
    Number(mo) <= 12 &&
    Number(d) >= 1 &&
    Number(d) <= new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate() &&
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    Number(s) <= 59 &&
    Number(oh) <= 23 &&
    Number(om) <= 59;
  if (!valid)
    fail('BD_REQUEST_INVALID', `--${field} ${JSON.stringify(text)} is not ${ACCEPTED}`, field);

  return new Date(text.trim()).toISOString();
}

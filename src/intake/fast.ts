/**
 * Line-oriented IDS "fast" alert logs: Suricata's fast.log and Snort's alert_fast, e.g.
 *
 *   03/10/2024-01:30:00.123456  [**] [1:2100498:7] GPL ATTACK_RESPONSE id check returned
 *   root [**] [Classification: Potentially Bad Traffic] [Priority: 2] {TCP} 10.0.0.1:80 ->
 *   10.0.0.2:51234
 *
 * (one line). Snort leaves the year out unless run with -y (then two digits) and Snort 3
 * quotes the message; Suricata may put [Drop] or [wDrop] before the first [**].
 *
 * These timestamps are the sensor's local wall clock with no zone. Regulatory clocks run from
 * them, so the zone is never assumed: the operator names it (`fastAdapter('Europe/Berlin')`,
 * `--zone` on the CLI), and without one every line is refused with BD_INTAKE_ZONE_REQUIRED
 * saying how to give it. A wall time that a daylight-saving change skips or repeats is
 * refused too; sensors that log in UTC never meet that.
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { contentEventId } from './content-event-id.ts';
import { fingerprint } from './fingerprint.ts';
import { collectObservables } from './observables.ts';
import { type FastAlert, readFastLine } from './fast-line.ts';
import { describe, outcomeOf } from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { lineReader } from './records.ts';
import { type TimeZone, instantInZone, timeZoneOf, wallAsUtc } from './zone-time.ts';

const FORMAT = 'fast';

/**
 * The fast-log adapter for sensors whose clocks write in `zone` (`UTC`, `±hh:mm` or an IANA
 * name). Without a zone it refuses every line with BD_INTAKE_ZONE_REQUIRED. Throws
 * BD_CONFIG_INVALID at once for a zone it does not know, before any line is read.
 */
export function fastAdapter(zone?: string): IntakeAdapter {
  const timeZone = zone === undefined ? null : checkedZone(zone);
  return {
    format: FORMAT,
    reader: lineReader,
    parse: (record, receivedAt) => outcomeOf(() => parseFastLine(record, receivedAt, timeZone)),
  };
}

function checkedZone(zone: string): TimeZone {
  const timeZone = timeZoneOf(zone);
  if (timeZone === null) {
    fail(
      'BD_CONFIG_INVALID',
      `zone ${describe(zone)} is not a time zone; give UTC, an offset such as +01:00, ` +
        'or an IANA name such as Europe/Berlin',
      'zone',
    );
  }
  return timeZone;
}

function parseFastLine(record: unknown, receivedAt: Date, zone: TimeZone | null): ParseOutcome {
  if (typeof record !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `a fast alert is one line of text, got ${describe(record)}`);
  }

  const alert = readFastLine(record.trim());
  if (zone === null) {
    fail(
      'BD_INTAKE_ZONE_REQUIRED',
      `timestamp ${describe(alert.timestamp.text)} has no time zone and none was configured; ` +
        'give the zone the sensor writes in (--zone UTC, --zone +01:00, --zone Europe/Berlin)',
      'zone',
    );
  }
  const occurredAt = instantOf(alert.timestamp, zone, receivedAt);

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // Fast logs carry no event id: the line itself is one, so a resent log is a repeat.
      sourceEventId: contentEventId(record),
      occurredAt,
      originalTimestamp: alert.timestamp.text,
      title: alert.message,
      severity: severityOf(alert.priority),
      // Ports and rule revision are left out: the client port changes per connection and a
      // rule update does not make the attack a different one.
      fingerprint: fingerprint(FORMAT, [
        alert.gid,
        alert.sid,
        alert.sourceIp,
        alert.destinationIp,
        alert.protocol,
      ]),
      host: null,
      sourceIp: alert.sourceIp,
      destinationIp: alert.destinationIp,
      principal: null,
      exerciseId: null,
      observables: collectObservables([
        { kind: 'ip', value: alert.sourceIp, tag: 'source' },
        { kind: 'ip', value: alert.destinationIp, tag: 'destination' },
      ]),
      raw: record,
    },
  };
}

/**
 * Suricata and Snort priorities: 1 is the most severe; 3 is the default of most
 * classifications (Suricata classification.config), and a rule without one writes none or,
 * in Snort 3, 0. So 1 ⇒ high, 2 ⇒ medium, anything else ⇒ low.
 */
function severityOf(priority: number | null): Severity {
  if (priority === 1) return 'high';
  return priority === 2 ? 'medium' : 'low';
}

/**
 * The UTC instant of the sensor's wall time in `zone`. A missing year is the one that puts
 * the time nearest to its receipt (issue 4), chosen on the wall time before the zone is
 * applied; the zone moves it by hours, never enough to change which year is nearest except
 * within hours of the half-year point, where either year is equally far from receipt.
 */
function instantOf(timestamp: FastAlert['timestamp'], zone: TimeZone, receivedAt: Date): string {
  const year = timestamp.year ?? nearestYear(timestamp, receivedAt);
  const shown = describe(timestamp.text);
  // Only a year-less stamp received at an absurd time gets here; the zone arithmetic (and
  // ISO 8601 with four-digit years) stops at these bounds.
  if (year < 1 || year > 9998) {
    fail('BD_INTAKE_FIELD_INVALID', `timestamp ${shown} falls in the year ${year}`, 'timestamp');
  }

  const found = instantInZone({ ...timestamp.wall, year }, zone);

  switch (found.kind) {
    case 'not-a-date':
      return fail(
        'BD_INTAKE_FIELD_INVALID',
        `timestamp ${shown} is not a real date and time`,
        'timestamp',
      );
    case 'skipped':
      return fail(
        'BD_INTAKE_FIELD_INVALID',
        `timestamp ${shown} does not exist in ${zone.name}: clocks skip that hour when ` +
          'daylight saving time starts; check --zone',
        'timestamp',
      );
    case 'repeated':
      return fail(
        'BD_INTAKE_FIELD_INVALID',
        `timestamp ${shown} happens twice in ${zone.name} (${found.earlier.toISOString()} ` +
          `and ${found.later.toISOString()}) as daylight saving time ends, and the log does ` +
          'not say which; have the sensor log in UTC to avoid this',
        'timestamp',
      );
    case 'instant':
      return found.at.toISOString();
  }
}

function nearestYear(timestamp: FastAlert['timestamp'], receivedAt: Date): number {
  const receipt = receivedAt.getTime();
  if (Number.isNaN(receipt)) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      'timestamp has no year and the time of receipt is unknown',
      'timestamp',
    );
  }

  // 2000 is a leap year: a date missing from it (13/01, 04/31) is missing from every year.
  if (wallAsUtc({ ...timestamp.wall, year: 2000 }) === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `timestamp ${describe(timestamp.text)} is not a real date and time`,
      'timestamp',
    );
  }

  const thisYear = receivedAt.getUTCFullYear();
  const candidates = [thisYear - 1, thisYear, thisYear + 1]
    .map((year) => ({ year, at: wallAsUtc({ ...timestamp.wall, year }) }))
    .filter((candidate): candidate is { year: number; at: number } => candidate.at !== null);

  const [nearest] = candidates.sort((a, b) => Math.abs(a.at - receipt) - Math.abs(b.at - receipt));
  if (nearest === undefined) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `timestamp ${describe(timestamp.text)} has no year, and that date exists in none of ` +
        `${thisYear - 1}–${thisYear + 1}`,
      'timestamp',
    );
  }
  return nearest.year;
}

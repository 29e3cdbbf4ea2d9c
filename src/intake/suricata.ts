/**
 * Suricata EVE JSON (one event per line of eve.json). Only `alert` events become signals; the
 * far more numerous flow, http, tls, dns … events are protocol logs and are skipped.
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { contentEventId } from './content-event-id.ts';
import { fingerprint } from './fingerprint.ts';
import { collectObservables } from './observables.ts';
import {
  describe,
  integerOrNull,
  ipOrNull,
  objectOf,
  outcomeOf,
  requiredText,
  skipped,
  textOrNull,
  valueAt,
} from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { timestampAt } from './timestamp.ts';

const FORMAT = 'suricata';

/** Suricata EVE adapter: `alert` events become signals, other event types are skipped. */
export const suricataAdapter: IntakeAdapter = {
  format: FORMAT,
  parse: (record) => {
    const wrapped = envelopeOf(record);
    if (wrapped === null) return outcomeOf(() => parseEve(record, record, null));

    const outcome = outcomeOf(() => parseEve(wrapped.eve, record, wrapped.sender));
    if (outcome.kind !== 'rejected') return outcome;
    return { ...outcome, field: outcome.field ? `${wrapped.path}.${outcome.field}` : wrapped.path };
  },
};

/**
 * Services that run Suricata for their customers forward its EVE records inside their own
 * envelope: AWS Network Firewall writes `{firewall_name, availability_zone, event_timestamp,
 * event: {…EVE…}}`; log shippers write `{…, message: "<EVE JSON as a string>"}`. The EVE record
 * inside is read as if it came alone; the whole envelope is kept as evidence, and the
 * firewall's name stands in for the sensor when EVE names none.
 */
function envelopeOf(record: unknown): { eve: unknown; path: string; sender: string | null } | null {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return null;
  if (Object.hasOwn(record, 'event_type')) return null;

  const outer = record as Record<string, unknown>;
  const sender = textOrNull(outer.firewall_name);
  if (typeof outer.event === 'object' && outer.event !== null && !Array.isArray(outer.event)) {
    return { eve: outer.event, path: 'event', sender };
  }
  if (typeof outer.message === 'string' && outer.message.trimStart().startsWith('{')) {
    try {
      return { eve: JSON.parse(outer.message) as unknown, path: 'message', sender };
    } catch {
      return null;
    }
  }
  return null;
}

function parseEve(input: unknown, raw: unknown, sender: string | null): ParseOutcome {
  const record = objectOf(input);

  const eventType = requiredText(record, 'event_type');
  if (eventType !== 'alert') return skipped(`event_type ${describe(eventType)} is not an alert`);

  const time = timestampAt(record, 'timestamp');
  const signature = requiredText(record, 'alert.signature');
  const signatureId = requiredInteger(record, 'alert.signature_id');
  const severity = severityOf(valueAt(record, 'alert.severity'));

  // Ports are left out on purpose: the client's ephemeral port changes on every connection,
  // and the same attack from the same peer must land on the same investigation.
  const sourceIp = ipOrNull(valueAt(record, 'src_ip'));
  const destinationIp = ipOrNull(valueAt(record, 'dest_ip'));
  const proto = textOrNull(valueAt(record, 'proto'))?.toUpperCase() ?? null;
  const flowId = flowIdOf(valueAt(record, 'flow_id'));

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // Several rules can fire on one packet of one flow: the signature is part of the event.
      // Without a flow id the record's content is its id, so a resent file is not stored twice.
      sourceEventId:
        flowId === null ? contentEventId(raw) : `${flowId}:${time.original}:${signatureId}`,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title: signature,
      severity,
      fingerprint: fingerprint(FORMAT, [signatureId, sourceIp, destinationIp, proto]),
      host: textOrNull(valueAt(record, 'host')) ?? sender,
      sourceIp,
      destinationIp,
      principal: null,
      exerciseId: null,
      observables: collectObservables([
        { kind: 'ip', value: sourceIp, tag: 'source' },
        { kind: 'ip', value: destinationIp, tag: 'destination' },
      ]),
      raw,
    },
  };
}

function requiredInteger(record: Record<string, unknown>, path: string): number {
  const value = valueAt(record, path);
  if (value === undefined || value === null)
    fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);

  const integer = integerOrNull(value);
  if (integer === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${path} must be a non-negative integer, got ${describe(value)}`,
      path,
    );
  }
  return integer;
}

/**
 * Suricata priority: 1 is the most severe; 3 is the default for rules that set none, so an
 * absent value reads as low. Zero, negatives and non-numbers are refused.
 */
function severityOf(value: unknown): Severity {
  if (value === undefined || value === null) return 'low';

  const priority = integerOrNull(value);
  if (priority === null || priority < 1) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `alert.severity must be an integer from 1 (most severe) upwards, got ${describe(value)}`,
      'alert.severity',
    );
  }
  if (priority === 1) return 'high';
  return priority === 2 ? 'medium' : 'low';
}

/**
 * flow_id is an unsigned 64-bit integer. JSON.parse has already rounded values above 2^53;
 * sourceEventId pairs it with the microsecond timestamp, so rounding alone merges no events.
 * BigInt keeps large values in plain digits, where String() would switch to exponent notation.
 */
function flowIdOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
    return BigInt(value).toString();
  }
  // At most 20 digits, as many as 2^64 - 1 has; a longer string is no flow id.
  return typeof value === 'string' && /^\d{1,20}$/.test(value) ? value : null;
}

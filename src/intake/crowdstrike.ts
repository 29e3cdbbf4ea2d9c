/**
 * CrowdStrike Falcon detection summaries in the three shapes they travel in:
 * - the Event Streams API: `{"metadata": {"eventType": "DetectionSummaryEvent",
 *   "eventCreationTime": <epoch ms>, "offset": …}, "event": {DetectId, DetectName, …}}`;
 * - Falcon Data Replicator: `{"fdr_event_type": "Event_EppDetectionSummaryEvent",
 *   "event": {CompositeId, Name, UTCTimestamp: <epoch ms>, …}}`;
 * - the flat SIEM-connector record, with `ExternalApiType` and the fields at the top level.
 * Other event types in the same stream (audit, incident, remote-response events) are skipped.
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { fingerprint } from './fingerprint.ts';
import { isObject } from './json-values.ts';
import { collectObservables } from './observables.ts';
import {
  describe,
  integerOrNull,
  ipOrNull,
  objectOf,
  outcomeOf,
  skipped,
  textOrNull,
  valueAt,
} from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { timestampAt } from './timestamp.ts';
import type { NormalizedTimestamp } from './timestamp.ts';
import { epochMillisAt, firstPresentPath, utcTimestampAt } from './vendor-timestamps.ts';

const FORMAT = 'crowdstrike';

const DETECTION_TYPES = new Set([
  'DetectionSummaryEvent',
  'EppDetectionSummaryEvent',
  'Event_DetectionSummaryEvent',
  'Event_EppDetectionSummaryEvent',
]);

// Falcon writes "N/A" for a tactic or technique that does not apply.
const NOT_APPLICABLE = new Set(['N/A', 'NA', '']);

/** CrowdStrike adapter: detection summary events are signals; other event types are skipped. */
export const crowdstrikeAdapter: IntakeAdapter = {
  format: FORMAT,
  parse: (record) => outcomeOf(() => parseDetection(record)),
};

function parseDetection(input: unknown): ParseOutcome {
  const record = objectOf(input);

  // The detection's own fields sit in `event` when an envelope (stream or FDR) wraps them.
  const streamed = isObject(record.metadata);
  const base = isObject(record.event) ? 'event.' : '';
  const at = (field: string): unknown => valueAt(record, base + field);

  const eventType = eventTypeOf(record, base);
  if (eventType !== null && !(typeof eventType === 'string' && DETECTION_TYPES.has(eventType))) {
    return skipped(`event type ${describe(eventType)} is not a detection summary`);
  }

  const id = requiredOneOf(record, [`${base}CompositeId`, `${base}DetectId`]);
  const name = requiredOneOf(record, [`${base}DetectName`, `${base}Name`]);
  const time = streamed
    ? epochMillisAt(record, 'metadata.eventCreationTime')
    : timeOf(record, base);
  const severity = severityOf(record, base);

  const tactic = meaningful(at('Tactic'));
  const technique = meaningful(at('Technique'));
  const host =
    textOrNull(at('ComputerName')) ?? textOrNull(at('Hostname')) ?? textOrNull(record.Hostname);
  const principal = textOrNull(at('UserName'));
  const sensor =
    textOrNull(at('SensorId')) ?? textOrNull(at('AgentIdString')) ?? textOrNull(record.aid);
  const sha256 = hashOrNull(at('SHA256String'));

  // LocalIP is the endpoint's own address. When Falcon names a remote origin (a logon from
  // another machine), the activity came from there to the endpoint; otherwise it started on
  // the endpoint.
  const localIp = ipOrNull(at('LocalIP'));
  const originIp = ipOrNull(at('OriginSourceIpAddress'));

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // A detection may be summarised again as Falcon adds behaviours to it; each summary is
      // new evidence, a re-delivery of the same one is not.
      sourceEventId: `${id}@${time.utc}`,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title: tactic && technique ? `${name} (${tactic}: ${technique})` : name,
      severity,
      fingerprint: fingerprint(FORMAT, [
        name,
        tactic,
        technique,
        sensor ?? host,
        principal,
        sha256,
      ]),
      host,
      sourceIp: originIp ?? localIp,
      destinationIp: originIp === null ? null : localIp,
      principal,
      exerciseId: null,
      observables: collectObservables([
        { kind: 'ip', value: originIp ?? localIp, tag: 'source' },
        { kind: 'ip', value: originIp === null ? null : localIp, tag: 'destination' },
        { kind: 'ip', value: localIp, tag: 'host' },
        { kind: 'ip', value: originIp, tag: 'origin' },
        { kind: 'principal', value: principal, tag: 'user' },
        { kind: 'hash', value: sha256, tag: 'file' },
        { kind: 'hash', value: hashOrNull(at('SHA1String')), tag: 'file' },
        { kind: 'hash', value: hashOrNull(at('MD5String')), tag: 'file' },
      ]),
      raw: input,
    },
  };
}

/** The event type, wherever the shape keeps it; null when the record names none. */
function eventTypeOf(record: Record<string, unknown>, base: string): unknown {
  const candidates = [
    valueAt(record, 'metadata.eventType'),
    record.fdr_event_type,
    valueAt(record, `${base}ExternalApiType`),
    record.ExternalApiType,
  ];
  const found = candidates.find((value) => value !== undefined && value !== null);
  return found ?? null;
}

/**
 * FDR and the SIEM connector carry UTCTimestamp as epoch milliseconds or as a UTC date-time
 * (`2021-09-18 20:38:52Z`); `timestamp` is the fallback and must carry its offset.
 */
function timeOf(record: Record<string, unknown>, base: string): NormalizedTimestamp {
  const path = firstPresentPath(record, [`${base}UTCTimestamp`, `${base}timestamp`]);
  const value = valueAt(record, path);

  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+\s*$/.test(value))) {
    return epochMillisAt(record, path);
  }
  return path.endsWith('UTCTimestamp') ? utcTimestampAt(record, path) : timestampAt(record, path);
}

/**
 * Falcon rates detections 1 (Informational) to 5 (Critical) and names the level in
 * SeverityName (the sample's `Severity: 2` is named "Low"). The name is used when present;
 * informational joins low and critical joins high.
 */
function severityOf(record: Record<string, unknown>, base: string): Severity {
  const namePath = `${base}SeverityName`;
  const name = valueAt(record, namePath);
  if (typeof name === 'string' && name.trim()) {
    const level = name.trim().toLowerCase();
    if (level === 'informational' || level === 'info' || level === 'low') return 'low';
    if (level === 'medium') return 'medium';
    if (level === 'high' || level === 'critical') return 'high';
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${namePath} must be Informational, Low, Medium, High or Critical, got ${describe(name)}`,
      namePath,
    );
  }

  const path = `${base}Severity`;
  const value = valueAt(record, path);
  if (value === undefined || value === null) {
    fail('BD_INTAKE_FIELD_MISSING', `${path} (or ${namePath}) is required`, path);
  }
  const number = integerOrNull(value);
  if (number === null || number < 1 || number > 5) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${path} must be an integer from 1 to 5, got ${describe(value)}`,
      path,
    );
  }
  if (number >= 4) return 'high';
  return number === 3 ? 'medium' : 'low';
}

/** The text at the first of `paths` that is present; a rejection names the first path. */
function requiredOneOf(record: Record<string, unknown>, paths: [string, string]): string {
  const path = firstPresentPath(record, paths);
  const value = valueAt(record, path);

  if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) {
    fail('BD_INTAKE_FIELD_MISSING', `${paths[0]} (or ${paths[1]}) is required`, paths[0]);
  }
  if (typeof value !== 'string') {
    fail('BD_INTAKE_FIELD_INVALID', `${path} must be a string, got ${describe(value)}`, path);
  }
  return value.trim();
}

function meaningful(value: unknown): string | null {
  const text = textOrNull(value);
  return text === null || NOT_APPLICABLE.has(text.toUpperCase()) ? null : text;
}

// Falcon fills an unknown hash with zeros; as an observable it would tie unrelated detections.
function hashOrNull(value: unknown): string | null {
  const text = textOrNull(value);
  return text === null || /^0+$/.test(text) ? null : text;
}

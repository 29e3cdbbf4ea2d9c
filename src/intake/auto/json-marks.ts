/**
 * The distinguishing marks of each JSON alert format: the few fields that one format always
 * writes and the others never do at the same place. Field names come from each vendor's own
 * schema documentation, cited per format.
 */
import { valueAt } from '../outcome.ts';

/** Formats recognised from a JSON record, most specific first. */
export type JsonFormat =
  | 'suricata'
  | 'zeek'
  | 'wazuh'
  | 'ecs'
  | 'ocsf'
  | 'guardduty'
  | 'asff'
  | 'msgraph'
  | 'crowdstrike'
  | 'generic';

/** One way of recognising a format: what it looks for, in words, and the test. */
interface Mark {
  format: JsonFormat;
  seen: string;
  test(record: Record<string, unknown>): boolean;
}

const MARKS: Mark[] = [
  // Suricata EVE output (docs.suricata.io, "Eve JSON Format"): every event has both.
  {
    format: 'suricata',
    seen: 'event_type and timestamp',
    test: (r) => isText(at(r, 'event_type')) && has(r, 'timestamp'),
  },
  // Envelopes such as AWS Network Firewall logs nest the EVE record under `event`.
  {
    format: 'suricata',
    seen: 'event.event_type and event.timestamp (an EVE record in an envelope)',
    test: (r) => isText(at(r, 'event.event_type')) && has(r, 'event.timestamp'),
  },
  // Zeek logs (docs.zeek.org, "Logs"): `ts` on every line, `uid` on connection-bound logs,
  // `note` in notice.log, `fuid` in files.log; `_path` where the writer names the log.
  {
    format: 'zeek',
    seen: 'ts and uid, note, fuid or _path',
    test: (r) => has(r, 'ts') && ['uid', 'note', 'fuid', '_path'].some((k) => isText(at(r, k))),
  },
  // Logs about files carry no uid: pe.log (and x509.log before Zeek 5) name the file by its
  // file id in `id`, "F" and 15 to 20 letters or digits (Zeek's unique_id).
  {
    format: 'zeek',
    seen: 'ts and a Zeek file id in id',
    test: (r) => has(r, 'ts') && /^F[0-9A-Za-z]{15,20}$/.test(String(at(r, 'id'))),
  },
  // x509.log: the certificate.* fields, dotted (Zeek's JSON writer) or with underscores.
  {
    format: 'zeek',
    seen: 'ts and certificate.version (x509.log)',
    test: (r) => has(r, 'ts') && (has(r, 'certificate.version') || has(r, 'certificate_version')),
  },
  // Shippers that name the log in `@stream` instead of `_path` and the writer in `@proc`
  // (the OTRF datasets: "@proc": "zeek").
  {
    format: 'zeek',
    seen: 'ts and @stream',
    test: (r) => has(r, 'ts') && isText(at(r, '@stream')) && (at(r, '@proc') ?? 'zeek') === 'zeek',
  },
  // Wazuh alerts.json (documentation.wazuh.com, "Alerts"): rule.level and the agent object.
  {
    format: 'wazuh',
    seen: 'rule.level and agent',
    test: (r) => has(r, 'rule.level') && isObject(at(r, 'agent')),
  },
  // Elastic Common Schema (elastic.co/guide/en/ecs): @timestamp plus event.kind or ecs.version.
  {
    format: 'ecs',
    seen: '@timestamp and event.kind or ecs.version',
    test: (r) => has(r, '@timestamp') && (has(r, 'event.kind') || has(r, 'ecs.version')),
  },
  // OCSF (schema.ocsf.io): class_uid and metadata.version are required in every event class.
  {
    format: 'ocsf',
    seen: 'class_uid and metadata.version',
    test: (r) => has(r, 'class_uid') && has(r, 'metadata.version'),
  },
  // GuardDuty finding (docs.aws.amazon.com/guardduty, "Finding format"): schemaVersion, type,
  // and a GuardDuty service block or finding ARN.
  {
    format: 'guardduty',
    seen: 'schemaVersion, type and service.serviceName "guardduty" or a GuardDuty arn',
    test: (r) =>
      has(r, 'schemaVersion') &&
      isText(at(r, 'type')) &&
      (at(r, 'service.serviceName') === 'guardduty' ||
        /^arn:[^:]+:guardduty:/.test(String(at(r, 'arn')))),
  },
  {
    format: 'guardduty',
    seen: 'detail-type "GuardDuty Finding" (an EventBridge event)',
    test: (r) => at(r, 'detail-type') === 'GuardDuty Finding',
  },
  // AWS Security Finding Format (docs.aws.amazon.com/securityhub, "ASFF"): required fields.
  {
    format: 'asff',
    seen: 'SchemaVersion and ProductArn',
    test: (r) => has(r, 'SchemaVersion') && isText(at(r, 'ProductArn')),
  },
  {
    format: 'asff',
    seen: 'detail.findings (an EventBridge Security Hub event)',
    test: (r) => Array.isArray(at(r, 'detail.findings')),
  },
  // Microsoft Graph security alert v2 (learn.microsoft.com, "alert resource type").
  {
    format: 'msgraph',
    seen: '@odata.type #microsoft.graph.security.alert',
    test: (r) => /^#microsoft\.graph\.security\.alert$/i.test(String(at(r, '@odata.type'))),
  },
  {
    format: 'msgraph',
    seen: 'providerAlertId and evidence',
    test: (r) => has(r, 'providerAlertId') && Array.isArray(at(r, 'evidence')),
  },
  {
    format: 'msgraph',
    seen: 'serviceSource, createdDateTime and title',
    test: (r) => isText(at(r, 'serviceSource')) && has(r, 'createdDateTime') && has(r, 'title'),
  },
  // CrowdStrike Falcon detection summaries: Streaming API (metadata.eventType), the event
  // body (event.DetectId), or the SIEM connector's ExternalApiType.
  {
    format: 'crowdstrike',
    seen: 'metadata.eventType DetectionSummaryEvent',
    test: (r) => at(r, 'metadata.eventType') === 'DetectionSummaryEvent',
  },
  {
    format: 'crowdstrike',
    seen: 'event.DetectId',
    test: (r) => has(r, 'event.DetectId'),
  },
  {
    format: 'crowdstrike',
    seen: 'ExternalApiType …DetectionSummaryEvent',
    test: (r) =>
      [at(r, 'ExternalApiType'), at(r, 'event.ExternalApiType')].some(
        (value) => isText(value) && value.endsWith('DetectionSummaryEvent'),
      ),
  },
];

// docs/intake-generic.md: the two required fields. Only consulted when no vendor mark fits,
// since vendor records often carry a `title` and a `time` too.
const GENERIC_MARK: Mark = {
  format: 'generic',
  seen: 'title and time',
  test: (r) => isText(at(r, 'title')) && isText(at(r, 'time')),
};

/** Every format whose marks `record` carries, with what was seen; generic only as a fallback. */
export function jsonMarksOf(
  record: Record<string, unknown>,
): Array<{ format: JsonFormat; seen: string }> {
  const matches = new Map<JsonFormat, string>();
  for (const mark of MARKS) {
    if (!matches.has(mark.format) && mark.test(record)) matches.set(mark.format, mark.seen);
  }

  if (matches.size === 0 && GENERIC_MARK.test(record)) {
    matches.set(GENERIC_MARK.format, GENERIC_MARK.seen);
  }
  return [...matches].map(([format, seen]) => ({ format, seen }));
}

// A field at a dotted path, nested (`{"event": {"kind": …}}`) or flattened
// (`{"event.kind": …}`, as some ECS and Graph exports write it).
function at(record: Record<string, unknown>, path: string): unknown {
  const nested = valueAt(record, path);
  return nested !== undefined || !Object.hasOwn(record, path) ? nested : record[path];
}

function has(record: Record<string, unknown>, path: string): boolean {
  const value = at(record, path);
  return value !== undefined && value !== null && value !== '';
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

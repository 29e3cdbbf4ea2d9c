/**
 * OCSF findings (Open Cybersecurity Schema Framework, schema.ocsf.io, Findings category 2):
 * Security Finding 2001, Vulnerability Finding 2002, Compliance Finding 2003 and Detection
 * Finding 2004 become signals; events of other classes (API Activity 6003, Network Activity
 * 4001 …) are skipped, and so are posture checks that passed. Producers write whole
 * pretty-printed documents or arrays of them, so the format reads files with
 * jsonDocumentsReader. OCSF 1.0 producers (Falco, QRadar) put the finding in `finding`, later
 * ones in `finding_info`; both are read.
 */
import { fail } from '../domain/errors.ts';
import type { ObservableKind, Severity } from '../domain/types.ts';
import { normalizeEpoch } from './epoch-time.ts';
import { fieldAt, isRecord, listOf } from './field-path.ts';
import { fingerprint } from './fingerprint.ts';
import { jsonDocumentsReader } from './json-documents.ts';
import { collectObservables } from './observables.ts';
import type { ObservableInput } from './observables.ts';
import {
  describe,
  integerOrNull,
  ipOrNull,
  objectOf,
  outcomeOf,
  skipped,
  textOrNull,
} from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { type NormalizedTimestamp, normalizeTimestamp } from './timestamp.ts';

const FORMAT = 'ocsf';

/** The Findings classes that become signals, by class_uid. */
const FINDING_CLASSES = new Map([
  [2001, 'Security Finding'],
  [2002, 'Vulnerability Finding'],
  [2003, 'Compliance Finding'],
  [2004, 'Detection Finding'],
]);

// An epoch below 10^11 read as milliseconds would fall before March 1973, long before any
// finding producer existed; read as seconds it is 1973 to 5138. Okta's and Prowler's published
// OCSF mappings (github.com/ocsf/examples) write seconds into `time`, so such values are read
// as seconds rather than stored as January 1970.
const SECONDS_BELOW = 100_000_000_000;

/** OCSF adapter: finding classes 2001–2004 become signals, other classes are skipped. */
export const ocsfAdapter: IntakeAdapter = {
  format: FORMAT,
  reader: jsonDocumentsReader,
  parse: (record) => outcomeOf(() => parseFinding(record)),
};

function parseFinding(input: unknown): ParseOutcome {
  const record = objectOf(input);

  const classUid = classOf(record);
  if (!FINDING_CLASSES.has(classUid)) {
    const name = textOrNull(fieldAt(record, 'class_name'));
    const named = name === null ? '' : ` (${name.slice(0, 60)})`;
    return skipped(
      `class_uid ${classUid}${named} is not a finding; only classes 2001–2004 become signals`,
    );
  }

  const passed = passedCheck(record);
  if (passed !== null) return skipped(`${passed}: a check that passed is nothing to investigate`);

  const time = timeOf(record);
  const finding = isRecord(fieldAt(record, 'finding_info')) ? 'finding_info' : 'finding';
  const title = titleOf(record, finding);
  const findingUid = textOrNull(fieldAt(record, `${finding}.uid`));
  const evidences = listOf(fieldAt(record, 'evidences')).filter(isRecord);

  const host = text(record, 'device.hostname') ?? text(record, 'device.name');
  const sourceIp = firstIp(record, evidences, 'src_endpoint.ip');
  const destinationIp = firstIp(record, evidences, 'dst_endpoint.ip');
  const principal =
    text(record, 'actor.user.name') ??
    evidences.map((evidence) => text(evidence, 'actor.user.name')).find((name) => name !== null) ??
    null;
  const resources = resourceUids(record);

  // What was found, by whom, about what: the product and its rule (or the title, which OCSF
  // producers fill with the check or rule name), the resources and the endpoints. The finding
  // uid is left out: Falco and Okta mint a new one for every event.
  const rule = text(record, `${finding}.analytic.uid`) ?? text(record, `${finding}.analytic.name`);
  const keys = [
    classUid,
    text(record, 'metadata.product.name'),
    rule ?? title,
    [...resources].sort().join('\n') || null,
    sourceIp,
    destinationIp,
    principal,
  ];

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // metadata.uid names this event; a finding uid alone names the finding across all of
      // its updates, so it is paired with the event time.
      sourceEventId:
        text(record, 'metadata.uid') ??
        (findingUid === null ? null : `${findingUid}:${time.original}`),
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title,
      severity: severityOf(fieldAt(record, 'severity_id')),
      fingerprint: fingerprint(FORMAT, keys),
      host,
      sourceIp,
      destinationIp,
      principal,
      exerciseId: null,
      observables: collectObservables([
        { kind: 'ip', value: sourceIp, tag: 'source' },
        { kind: 'ip', value: destinationIp, tag: 'destination' },
        { kind: 'principal', value: principal, tag: 'actor' },
        ...resources.map((uid) => ({ kind: 'resource' as const, value: uid, tag: 'resource' })),
        ...cves(record),
        ...declaredObservables(record),
      ]),
      raw: input,
    },
  };
}

function classOf(record: Record<string, unknown>): number {
  const value = fieldAt(record, 'class_uid');
  if (value === undefined || value === null) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'class_uid is required (e.g. 2004 for a Detection Finding)',
      'class_uid',
    );
  }

  const classUid = integerOrNull(value);
  if (classUid === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `class_uid must be an OCSF class number, got ${describe(value)}`,
      'class_uid',
    );
  }
  return classUid;
}

/**
 * `time` is OCSF's required event time, epoch milliseconds (timestamp_t); see SECONDS_BELOW
 * for producers that write seconds. Without it, `time_dt` (RFC 3339, datetime profile) is
 * read, and must then carry its offset.
 */
/**
 * Posture scanners report every check, passed or failed. A Compliance Finding says so in
 * `compliance.status_id` (1 Pass) or `compliance.status`; Prowler puts its own result in
 * `status_code` ("PASS"/"FAIL"). Returns the field that said pass, or null.
 */
function passedCheck(record: Record<string, unknown>): string | null {
  if (integerOrNull(fieldAt(record, 'compliance.status_id')) === 1) {
    return 'compliance.status_id is 1 (Pass)';
  }
  for (const path of ['compliance.status', 'status_code']) {
    const value = text(record, path);
    if (value !== null && /^pass(?:ed)?$/i.test(value))
      return `${path} is ${JSON.stringify(value)}`;
  }
  return null;
}

function timeOf(record: Record<string, unknown>): NormalizedTimestamp {
  const epoch = fieldAt(record, 'time');
  if (epoch !== undefined && epoch !== null) {
    const magnitude = typeof epoch === 'string' ? Number(epoch) : epoch;
    const unit =
      typeof magnitude === 'number' && magnitude < SECONDS_BELOW ? 'seconds' : 'milliseconds';
    const time = normalizeEpoch(epoch, 'time', unit);
    if ('error' in time) fail('BD_INTAKE_FIELD_INVALID', time.error, 'time');
    return time;
  }

  const text = fieldAt(record, 'time_dt');
  if (text === undefined || text === null) {
    fail('BD_INTAKE_FIELD_MISSING', 'time is required (epoch milliseconds)', 'time');
  }
  const time = normalizeTimestamp(text, 'time_dt');
  if ('error' in time) fail('BD_INTAKE_FIELD_INVALID', time.error, 'time_dt');
  return time;
}

function titleOf(record: Record<string, unknown>, finding: string): string {
  const path = `${finding}.title`;
  const value = fieldAt(record, path);
  if (value === undefined || value === null) {
    fail('BD_INTAKE_FIELD_MISSING', 'finding_info.title is required', 'finding_info.title');
  }

  const title = textOrNull(value);
  if (title === null) {
    fail('BD_INTAKE_FIELD_INVALID', `${path} must be non-blank text, got ${describe(value)}`, path);
  }
  return title;
}

/**
 * OCSF severity_id: 0 Unknown, 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical, 6 Fatal,
 * 99 Other (the producer's own label in `severity`). Informational and Low ⇒ low, Medium ⇒
 * medium, High and above ⇒ high. Unknown, Other or absent ⇒ medium: an unrated finding is not
 * evidence of a harmless one (Okta's sample is severity 0 for a suspected threat).
 */
function severityOf(value: unknown): Severity {
  if (value === undefined || value === null) return 'medium';

  const id = integerOrNull(value);
  if (id === null || (id > 6 && id !== 99)) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `severity_id must be 0–6 or 99 (OCSF severity), got ${describe(value)}`,
      'severity_id',
    );
  }
  if (id === 0 || id === 99) return 'medium';
  if (id <= 2) return 'low';
  return id === 3 ? 'medium' : 'high';
}

function firstIp(
  record: Record<string, unknown>,
  evidences: Record<string, unknown>[],
  path: string,
): string | null {
  const own = ipOrNull(fieldAt(record, path));
  if (own !== null) return own;
  for (const evidence of evidences) {
    const ip = ipOrNull(fieldAt(evidence, path));
    if (ip !== null) return ip;
  }
  return null;
}

/** Uids of `resources[]` (Detection Finding) and `resource` (1.1 Vulnerability Finding). */
function resourceUids(record: Record<string, unknown>): string[] {
  const resources = [...listOf(fieldAt(record, 'resources')), fieldAt(record, 'resource')];
  const uids = resources.map((resource) => textOrNull(fieldAt(resource, 'uid')));
  return [...new Set(uids.filter((uid) => uid !== null))];
}

function cves(record: Record<string, unknown>): ObservableInput[] {
  return listOf(fieldAt(record, 'vulnerabilities')).map((vulnerability) => ({
    kind: 'cve',
    value: fieldAt(vulnerability, 'cve.uid'),
    tag: 'vulnerability',
  }));
}

// OCSF observable type_id values (objects/observable.json, from the dictionary types) that
// name one of our observable kinds; the others (ports, geo locations, process names …) do not.
const OBSERVABLE_TYPES = new Map<number, ObservableKind>([
  [1, 'domain'], // Hostname
  [2, 'ip'], // IP Address
  [4, 'principal'], // User Name
  [5, 'email'], // Email Address
  [6, 'url'], // URL String
  [8, 'hash'], // Hash
  [10, 'resource'], // Resource UID
  [12, 'cidr'], // Subnet
  [18, 'cve'], // CVE ID
  [21, 'principal'], // User (producers such as QRadar put the name in `value`)
  [23, 'url'], // Uniform Resource Locator
]);

/** The producer's own `observables[]`, tagged with the attribute each one points to. */
function declaredObservables(record: Record<string, unknown>): ObservableInput[] {
  return listOf(fieldAt(record, 'observables')).flatMap((observable) => {
    const typeId = integerOrNull(fieldAt(observable, 'type_id'));
    const kind = typeId === null ? undefined : OBSERVABLE_TYPES.get(typeId);
    if (kind === undefined) return [];

    const name = textOrNull(fieldAt(observable, 'name'));
    const tag = name !== null && name.length <= 64 ? name : 'observable';
    return [{ kind, value: fieldAt(observable, 'value'), tag }];
  });
}

function text(record: unknown, path: string): string | null {
  return textOrNull(fieldAt(record, path));
}

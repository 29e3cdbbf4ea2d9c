/**
 * Elastic Common Schema alerts: Kibana detection alerts (`.alerts-security.alerts-*`, 8.x
 * `kibana.alert.*` fields, 7.x `signal.*` fields) and any ECS document a sender marks as an
 * alert. Only `event.kind` alert or signal becomes a signal; events, metrics, state and
 * enrichment documents are skipped.
 *
 * Field meanings: ECS field reference (elastic.co/guide/en/ecs/current/ecs-field-reference.html,
 * allowed values of event.kind: ecs-allowed-values-event-kind.html) and Elastic Security's
 * alert schema (elastic.co/guide/en/security/current/alert-schema.html). Elastic writes the
 * same field nested or as a dotted key, so every path is read through fieldAt.
 */
import { fail } from '../domain/errors.ts';
import type { ObservableKind, Severity } from '../domain/types.ts';
import { fieldAt, firstFieldAt, isRecord, listOf } from './field-path.ts';
import { fingerprint } from './fingerprint.ts';
import { jsonDocumentsReader } from './json-documents.ts';
import { collectObservables } from './observables.ts';
import type { ObservableInput } from './observables.ts';
import { describe, ipOrNull, objectOf, outcomeOf, skipped, textOrNull } from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { normalizeEpoch } from './epoch-time.ts';
import { type NormalizedTimestamp, normalizeTimestamp } from './timestamp.ts';

const FORMAT = 'ecs';

/** ECS alert kinds: `alert` in ECS, `signal` in Elastic Security's own alert documents. */
const ALERT_KINDS = ['alert', 'signal'];

const RULE_NAMES = ['kibana.alert.rule.name', 'signal.rule.name', 'rule.name'];
// The rule's stable id first: kibana.alert.rule.uuid changes when a rule is copied to a space.
const RULE_IDS = [
  'kibana.alert.rule.rule_id',
  'signal.rule.rule_id',
  'rule.uuid',
  'rule.id',
  'kibana.alert.rule.uuid',
];
const EVENT_IDS = ['kibana.alert.uuid', 'event.id'];

/** ECS adapter: alert and signal documents become signals; other event kinds are skipped. */
export const ecsAdapter: IntakeAdapter = {
  format: FORMAT,
  reader: jsonDocumentsReader,
  parse: (record) => outcomeOf(() => parseEcs(record)),
};

function parseEcs(input: unknown): ParseOutcome {
  const hit = objectOf(input);
  // An Elasticsearch search hit ({_index, _id, _source}) carries the document in _source.
  const record = isRecord(hit._source) ? hit._source : hit;

  const kind = fieldAt(record, 'event.kind');
  if (kind === undefined || kind === null) {
    return skipped('event.kind is absent; only alert and signal documents become signals');
  }
  if (typeof kind !== 'string') {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `event.kind must be a string, got ${describe(kind)}`,
      'event.kind',
    );
  }
  if (!ALERT_KINDS.includes(kind.trim())) {
    return skipped(`event.kind ${describe(kind)} is not an alert or signal`);
  }

  const time = timestampOf(record);
  const title = ruleName(record);
  const host = text(record, 'host.name') ?? text(record, 'host.hostname');
  const sourceIp = ipOrNull(fieldAt(record, 'source.ip'));
  const destinationIp = ipOrNull(fieldAt(record, 'destination.ip'));
  const principal = text(record, 'user.name');
  const ruleKey = firstText(record, RULE_IDS) ?? title;

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      sourceEventId: firstText(record, EVENT_IDS) ?? textOrNull(hit._id),
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title,
      severity: severityOf(record),
      fingerprint: fingerprint(FORMAT, [ruleKey, host, sourceIp, destinationIp, principal]),
      host,
      sourceIp,
      destinationIp,
      principal,
      exerciseId: null,
      observables: collectObservables(observablesOf(record)),
      raw: input,
    },
  };
}

/**
 * `@timestamp` is when the alert was written. Elasticsearch's default date format also takes
 * epoch milliseconds ("strict_date_optional_time||epoch_millis"), so a number is read as those.
 */
function timestampOf(record: Record<string, unknown>): NormalizedTimestamp {
  const value = fieldAt(record, '@timestamp');
  if (value === undefined || value === null || value === '') {
    fail('BD_INTAKE_FIELD_MISSING', '@timestamp is required', '@timestamp');
  }

  const time =
    typeof value === 'number'
      ? normalizeEpoch(value, '@timestamp', 'milliseconds')
      : normalizeTimestamp(value, '@timestamp');
  if ('error' in time) fail('BD_INTAKE_FIELD_INVALID', time.error, '@timestamp');
  return time;
}

function ruleName(record: Record<string, unknown>): string {
  const found = firstFieldAt(record, RULE_NAMES);
  if (found === null) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'rule.name is required (or kibana.alert.rule.name in a Kibana alert)',
      'rule.name',
    );
  }

  const name = textOrNull(found.value);
  if (name === null) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${found.path} must be text, got ${describe(found.value)}`,
      found.path,
    );
  }
  return name;
}

/**
 * Elastic Security rates alerts low, medium, high or critical, with default risk scores 21,
 * 47, 73 and 99 (Elastic Security docs, "Create a detection rule"); Elastic Defend writes the
 * same 0–100 figure into event.severity. So: the named severity when present (critical ⇒
 * high), else a 0–100 score, ≥ 70 high, ≥ 40 medium, below low. ECS leaves event.severity's
 * scale to the sender, so a sender on another scale (1–3 priorities, syslog 0–7) reads as low
 * here and should send kibana.alert.severity, or use its own format. Nothing at all ⇒ medium:
 * an unrated alert is not evidence of a harmless one.
 */
function severityOf(record: Record<string, unknown>): Severity {
  const named = firstFieldAt(record, ['kibana.alert.severity', 'signal.rule.severity']);
  if (named !== null) {
    const label = typeof named.value === 'string' ? named.value.trim().toLowerCase() : '';
    if (label === 'critical' || label === 'high') return 'high';
    if (label === 'medium' || label === 'low') return label;
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${named.path} must be low, medium, high or critical, got ${describe(named.value)}`,
      named.path,
    );
  }

  const score = firstFieldAt(record, [
    'kibana.alert.risk_score',
    'signal.rule.risk_score',
    'event.risk_score',
    'event.severity',
  ]);
  if (score === null) return 'medium';

  // Elasticsearch keeps numbers sent as strings as strings in _source.
  const numeric = typeof score.value === 'string' && /^\s*\d+(?:\.\d+)?\s*$/.test(score.value);
  const value = numeric ? Number(score.value) : score.value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${score.path} must be a number from 0 to 100, got ${describe(score.value)}`,
      score.path,
    );
  }
  if (value >= 70) return 'high';
  return value >= 40 ? 'medium' : 'low';
}

// ECS fields that name an indicator, with the kind and the role it plays.
const OBSERVABLE_FIELDS: readonly [string, ObservableKind, string][] = [
  ['source.ip', 'ip', 'source'],
  ['destination.ip', 'ip', 'destination'],
  ['client.ip', 'ip', 'client'],
  ['server.ip', 'ip', 'server'],
  ['host.ip', 'ip', 'host'],
  ['related.ip', 'ip', 'related'],
  ['dns.question.name', 'domain', 'dns'],
  ['url.domain', 'domain', 'url'],
  ['destination.domain', 'domain', 'destination'],
  ['url.full', 'url', 'url'],
  ['url.original', 'url', 'url'],
  ['file.hash.md5', 'hash', 'md5'],
  ['file.hash.sha1', 'hash', 'sha1'],
  ['file.hash.sha256', 'hash', 'sha256'],
  ['file.hash.sha512', 'hash', 'sha512'],
  ['process.hash.sha256', 'hash', 'process'],
  ['related.hash', 'hash', 'related'],
  ['user.name', 'principal', 'user'],
  ['related.user', 'principal', 'related'],
  ['user.email', 'email', 'user'],
  ['email.from.address', 'email', 'sender'],
  ['email.to.address', 'email', 'recipient'],
  ['cloud.instance.id', 'resource', 'cloud instance'],
];

function observablesOf(record: Record<string, unknown>): ObservableInput[] {
  const inputs: ObservableInput[] = OBSERVABLE_FIELDS.flatMap(([path, kind, tag]) =>
    listOf(fieldAt(record, path)).map((value) => ({ kind, value, tag })),
  );

  // vulnerability.id names a CVE only sometimes (it also holds vendor advisory ids).
  for (const id of listOf(fieldAt(record, 'vulnerability.id'))) {
    if (typeof id === 'string' && /^CVE-\d{4}-\d{4,}$/i.test(id.trim())) {
      inputs.push({ kind: 'cve', value: id, tag: 'vulnerability' });
    }
  }
  return inputs;
}

function text(record: Record<string, unknown>, path: string): string | null {
  return textOrNull(fieldAt(record, path));
}

function firstText(record: Record<string, unknown>, paths: readonly string[]): string | null {
  for (const path of paths) {
    const value = fieldAt(record, path);
    const found =
      typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : textOrNull(value);
    if (found !== null) return found;
  }
  return null;
}

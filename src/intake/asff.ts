/**
 * AWS Security Hub findings in the AWS Security Finding Format (ASFF), from any product that
 * reports into Security Hub (GuardDuty, Inspector, Macie, partner tools, the hub's controls).
 * One finding per record: the reader splits an EventBridge event (`detail.findings[]`) and a
 * GetFindings response (`{"Findings": […]}`, as `aws securityhub get-findings` prints it).
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { asffNetwork } from './asff-network.ts';
import { asffResources } from './asff-resources.ts';
import { expandingReader, unsplitBatch } from './expanding-reader.ts';
import { fingerprint } from './fingerprint.ts';
import { isObject, objectsIn } from './json-values.ts';
import { collectObservables } from './observables.ts';
import {
  describe,
  objectOf,
  outcomeOf,
  requiredText,
  skipped,
  textOrNull,
  valueAt,
} from './outcome.ts';
import type { IntakeAdapter, ParseOutcome } from './outcome.ts';
import { firstPresentPath, utcTimestampAt } from './vendor-timestamps.ts';

const FORMAT = 'asff';

// EventBridge detail-types that carry `detail.findings[]` ("Security Hub Findings - Imported",
// "Security Hub Findings - Custom Action") start with this; "Security Hub Insight Results"
// carries no findings.
const FINDINGS_EVENT = 'Security Hub Findings';

/**
 * ASFF adapter. Findings that are no longer live are skipped with the reason: RecordState
 * ARCHIVED (the product withdrew it), Workflow.Status RESOLVED or SUPPRESSED (fixed, or judged
 * to need no action, in Security Hub). Such updates report that something ended; they are
 * not new evidence, and they never resolve an investigation here.
 */
export const asffAdapter: IntakeAdapter = {
  format: FORMAT,
  reader: expandingReader(findingsOf),
  parse: (record) => outcomeOf(() => parseRecord(record)),
};

function parseRecord(input: unknown): ParseOutcome {
  const record = objectOf(input);

  const detailType = valueAt(record, 'detail-type');
  if (detailType !== undefined) {
    if (typeof detailType !== 'string' || !detailType.startsWith(FINDINGS_EVENT)) {
      return skipped(`detail-type ${describe(detailType)} does not carry Security Hub findings`);
    }
    return single(record, 'detail.findings', input);
  }
  if (Array.isArray(valueAt(record, 'Findings'))) return single(record, 'Findings', input);

  return parseFinding(record, input);
}

/**
 * A batch handed straight to parse (the reader normally splits it): one finding is read, with
 * rejections naming its path inside the batch; an empty or larger batch gets unsplitBatch's
 * answer.
 */
function single(record: Record<string, unknown>, path: string, raw: unknown): ParseOutcome {
  const findings = valueAt(record, path);
  if (!Array.isArray(findings)) fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);
  if (findings.length !== 1) return unsplitBatch(FORMAT, path, findings.length);

  const prefix = `${path}[0].`;
  const outcome = outcomeOf(() => parseFinding(objectOf(findings[0]), raw));
  if (outcome.kind !== 'rejected') return outcome;
  return {
    ...outcome,
    field: `${prefix}${outcome.field ?? ''}`.replace(/\.$/, ''),
    reason:
      outcome.field !== null && outcome.reason.startsWith(outcome.field)
        ? `${prefix}${outcome.reason}`
        : `${path}[0]: ${outcome.reason}`,
  };
}

function parseFinding(record: Record<string, unknown>, raw: unknown): ParseOutcome {
  const id = requiredText(record, 'Id');
  const ended = endedState(record);
  if (ended !== null) return skipped(`finding ${id} is ${ended}`);

  const time = utcTimestampAt(record, firstPresentPath(record, ['UpdatedAt', 'CreatedAt']));
  const title = requiredText(record, 'Title');
  const severity = severityOf(record);

  const accountId = textOrNull(valueAt(record, 'AwsAccountId'));
  const resources = asffResources(valueAt(record, 'Resources'));
  const { subject, principal } = resources;
  const network = asffNetwork(record);

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // Id stays while the product updates the finding; each update is new evidence.
      sourceEventId: `${id}@${time.utc}`,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title,
      severity,
      fingerprint: fingerprint(FORMAT, [
        textOrNull(valueAt(record, 'ProductArn')),
        textOrNull(valueAt(record, 'GeneratorId')),
        typesKey(valueAt(record, 'Types')),
        accountId,
        textOrNull(subject?.Type),
        textOrNull(subject?.Id),
        principal,
      ]),
      host: resources.host,
      sourceIp: network.sourceIp,
      destinationIp: network.destinationIp,
      principal,
      exerciseId: null,
      observables: collectObservables([
        ...network.observables,
        ...resources.observables,
        { kind: 'resource', value: accountId, tag: 'aws-account' },
        { kind: 'principal', value: principal, tag: 'user' },
        ...objectsIn(valueAt(record, 'Vulnerabilities')).map((vulnerability) => ({
          kind: 'cve' as const,
          value: vulnerability.Id,
          tag: 'vulnerability',
        })),
      ]),
      raw,
    },
  };
}

/** Why a finding is no longer live, or null when it is. */
function endedState(record: Record<string, unknown>): string | null {
  if (valueAt(record, 'RecordState') === 'ARCHIVED') return 'archived (RecordState ARCHIVED)';

  // Workflow.Status replaced the deprecated WorkflowState; the old field counts only alone.
  const status = valueAt(record, 'Workflow.Status') ?? valueAt(record, 'WorkflowState');
  if (status === 'RESOLVED' || status === 'SUPPRESSED')
    return `${status.toLowerCase()} in Security Hub`;
  return null;
}

/**
 * ASFF Severity (docs.aws.amazon.com/securityhub/1.0/APIReference/API_Severity.html): Label is
 * INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL; the deprecated Normalized (0–100) maps onto the
 * labels as Security Hub maps it: 0 INFORMATIONAL, 1–39 LOW, 40–69 MEDIUM, 70–89 HIGH, 90–100
 * CRITICAL. On our three steps informational joins low and critical joins high.
 */
function severityOf(record: Record<string, unknown>): Severity {
  const label = valueAt(record, 'Severity.Label');
  if (label !== undefined && label !== null) {
    const text = typeof label === 'string' ? label.trim().toUpperCase() : '';
    if (text === 'INFORMATIONAL' || text === 'LOW') return 'low';
    if (text === 'MEDIUM') return 'medium';
    if (text === 'HIGH' || text === 'CRITICAL') return 'high';
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `Severity.Label must be INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL, got ${describe(label)}`,
      'Severity.Label',
    );
  }

  const normalized = valueAt(record, 'Severity.Normalized');
  if (normalized === undefined || normalized === null) {
    fail(
      'BD_INTAKE_FIELD_MISSING',
      'Severity.Label (or Severity.Normalized) is required',
      'Severity.Label',
    );
  }
  if (
    typeof normalized !== 'number' ||
    !Number.isInteger(normalized) ||
    normalized < 0 ||
    normalized > 100
  ) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `Severity.Normalized must be an integer from 0 to 100, got ${describe(normalized)}`,
      'Severity.Normalized',
    );
  }
  if (normalized >= 70) return 'high';
  return normalized >= 40 ? 'medium' : 'low';
}

/** Types as one key, order-free: a product may list the same classifications in any order. */
function typesKey(types: unknown): string | null {
  if (!Array.isArray(types)) return null;
  const texts = types.map(textOrNull).filter((type) => type !== null);
  return texts.length > 0 ? JSON.stringify(texts.sort()) : null;
}

/** An EventBridge event or a GetFindings response holds several findings. */
function findingsOf(record: unknown): unknown[] | null {
  if (!isObject(record)) return null;

  const detailType = record['detail-type'];
  const batch =
    typeof detailType === 'string' && detailType.startsWith(FINDINGS_EVENT)
      ? valueAt(record, 'detail.findings')
      : record.Findings;
  return Array.isArray(batch) && batch.length > 0 ? batch : null;
}

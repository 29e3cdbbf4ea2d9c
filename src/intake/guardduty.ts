/**
 * AWS GuardDuty findings: the finding JSON as GuardDuty exports it to S3, as EventBridge
 * delivers it (in `detail` of a "GuardDuty Finding" event), or a GetFindings response
 * (`{"findings": […]}`, split by the reader). Names are the camelCase wire names of the
 * GuardDuty finding format; the PascalCase rendering the AWS CLI prints is not read.
 */
import { fail } from '../domain/errors.ts';
import type { Severity } from '../domain/types.ts';
import { expandingReader, unsplitBatch } from './expanding-reader.ts';
import { fingerprint } from './fingerprint.ts';
import { guarddutyAction } from './guardduty-action.ts';
import { isObject, objectsIn } from './json-values.ts';
import { collectObservables } from './observables.ts';
import type { ObservableInput } from './observables.ts';
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

const FORMAT = 'guardduty';
const EVENT_TYPE = 'GuardDuty Finding';

/** GuardDuty adapter: every active finding is a signal; archived findings are skipped. */
export const guarddutyAdapter: IntakeAdapter = {
  format: FORMAT,
  reader: expandingReader(findingsOf),
  parse: (record) => outcomeOf(() => parseFinding(record)),
};

function parseFinding(input: unknown): ParseOutcome {
  const record = objectOf(input);
  const batch = valueAt(record, 'findings');
  if (Array.isArray(batch)) return unsplitBatch(FORMAT, 'findings', batch.length);

  // EventBridge wraps the finding; every path below is read through the envelope so that a
  // rejection names the field as the sender wrote it (`detail.severity`).
  const detailType = valueAt(record, 'detail-type');
  if (detailType !== undefined && detailType !== EVENT_TYPE) {
    return skipped(`detail-type ${describe(detailType)} is not ${JSON.stringify(EVENT_TYPE)}`);
  }
  const base = detailType === undefined ? '' : 'detail.';
  const at = (path: string): unknown => valueAt(record, base + path);

  const id = requiredText(record, `${base}id`);
  const type = requiredText(record, `${base}type`);
  if (at('service.archived') === true) return skipped(`finding ${id} is archived`);

  const time = utcTimestampAt(
    record,
    firstPresentPath(record, [`${base}updatedAt`, `${base}createdAt`]),
  );
  const severity = severityOf(at('severity'), `${base}severity`);

  const accountId = textOrNull(at('accountId'));
  const resourceType = textOrNull(at('resource.resourceType'));
  const instanceId = textOrNull(at('resource.instanceDetails.instanceId'));
  const userName = textOrNull(at('resource.accessKeyDetails.userName'));
  const principalId = textOrNull(at('resource.accessKeyDetails.principalId'));
  const resourceArns = resourceArnsOf(at);
  const action = guarddutyAction(at('service.action'));

  return {
    kind: 'signal',
    signal: {
      format: FORMAT,
      sourceKind: 'automated_alert',
      // A finding keeps its id while GuardDuty updates it (count, last seen); each update is
      // new evidence, a re-delivery of the same update is not.
      sourceEventId: `${id}@${time.utc}`,
      occurredAt: time.utc,
      originalTimestamp: time.original,
      title: textOrNull(at('title')) ?? type,
      severity,
      // Region is left out: GuardDuty reports global IAM activity from every enabled region.
      fingerprint: fingerprint(FORMAT, [
        type,
        accountId,
        resourceType,
        instanceId,
        principalId ?? userName,
        textOrNull(resourceArns[0]?.value),
      ]),
      host: instanceId,
      sourceIp: action.sourceIp,
      destinationIp: action.destinationIp,
      principal: userName ?? principalId,
      exerciseId: null,
      observables: collectObservables([
        ...action.observables,
        ...interfaceAddresses(at('resource.instanceDetails.networkInterfaces')),
        { kind: 'resource', value: instanceId, tag: 'instance' },
        { kind: 'resource', value: at('resource.accessKeyDetails.accessKeyId'), tag: 'access-key' },
        { kind: 'resource', value: accountId, tag: 'aws-account' },
        ...resourceArns,
        { kind: 'principal', value: userName, tag: 'user' },
        { kind: 'principal', value: principalId, tag: 'principal-id' },
      ]),
      raw: input,
    },
  };
}

/**
 * GuardDuty severity is a number from 1.0 to 10.0. AWS, "Severity levels of GuardDuty
 * findings" (docs.aws.amazon.com/guardduty/latest/ug/guardduty_findings-severity.html):
 * Low 1.0–3.9, Medium 4.0–6.9, High 7.0–8.9, Critical 9.0–10.0 (attack sequences). Our scale
 * ends at high, so Critical joins it. 0 is reserved by AWS and read as low.
 */
function severityOf(value: unknown, path: string): Severity {
  if (value === undefined || value === null)
    fail('BD_INTAKE_FIELD_MISSING', `${path} is required`, path);

  const score =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d{1,2}(?:\.\d+)?\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isFinite(score) || score < 0 || score > 10) {
    fail(
      'BD_INTAKE_FIELD_INVALID',
      `${path} must be a number from 1.0 to 10.0 (GuardDuty's scale), got ${describe(value)}`,
      path,
    );
  }
  if (score >= 7) return 'high';
  return score >= 4 ? 'medium' : 'low';
}

/** ARNs of the resources a finding is about, from the resource kinds that carry one. */
function resourceArnsOf(at: (path: string) => unknown): ObservableInput[] {
  const bucketArns = objectsIn(at('resource.s3BucketDetails')).map((bucket) => ({
    kind: 'resource' as const,
    value: bucket.arn,
    tag: 's3-bucket',
  }));

  const single: [string, string][] = [
    ['resource.eksClusterDetails.arn', 'eks-cluster'],
    ['resource.ecsClusterDetails.arn', 'ecs-cluster'],
    ['resource.lambdaDetails.functionArn', 'lambda-function'],
    ['resource.rdsDbInstanceDetails.dbInstanceArn', 'rds-instance'],
  ];
  const others = single.map(([path, tag]) => ({ kind: 'resource' as const, value: at(path), tag }));

  return [...bucketArns, ...others].filter((input) => textOrNull(input.value) !== null);
}

function interfaceAddresses(interfaces: unknown): ObservableInput[] {
  return objectsIn(interfaces).flatMap((nic) => [
    { kind: 'ip' as const, value: nic.privateIpAddress, tag: 'instance' },
    { kind: 'ip' as const, value: nic.publicIp, tag: 'instance' },
  ]);
}

/** GetFindings answers `{"findings": […]}`; each finding is read as a record of its own. */
function findingsOf(record: unknown): unknown[] | null {
  if (!isObject(record) || !Array.isArray(record.findings)) return null;
  return record.findings.length > 0 ? record.findings : null;
}

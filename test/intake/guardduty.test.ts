import { describe, expect, it } from 'vitest';

import { guarddutyAdapter } from '../../src/intake/guardduty.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import type { RecordItem } from '../../src/intake/records.ts';
import { bodyRecords, fileRecords } from '../../src/intake/registry.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

const RECEIVED_AT = new Date('2024-03-01T00:00:00Z');
const SAMPLE = `${PUBLIC_DATA}/panther-analysis-test-logs/aws_guardduty_findings.ndjson`;

/** An inbound SSH brute-force finding on an EC2 instance; `overrides` replace top-level keys. */
function buildFinding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    accountId: '111122223333',
    region: 'eu-west-1',
    id: '4ac6b2f9e2c1d0a7b3e5f6a7b8c9d0e1',
    arn: 'arn:aws:guardduty:eu-west-1:111122223333:detector/d1/finding/4ac6b2f9e2c1d0a7',
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    resource: {
      resourceType: 'Instance',
      instanceDetails: {
        instanceId: 'i-0a1b2c3d4e5f60718',
        networkInterfaces: [{ privateIpAddress: '10.0.1.15', publicIp: '203.0.113.15' }],
      },
    },
    service: {
      serviceName: 'guardduty',
      action: {
        actionType: 'NETWORK_CONNECTION',
        networkConnectionAction: {
          connectionDirection: 'INBOUND',
          remoteIpDetails: { ipAddressV4: '198.51.100.23' },
          remotePortDetails: { port: 50412 },
          localIpDetails: { ipAddressV4: '10.0.1.15' },
          localPortDetails: { port: 22 },
        },
      },
      archived: false,
      count: 14,
      eventFirstSeen: '2024-02-29T22:10:00.000Z',
      eventLastSeen: '2024-02-29T23:40:00.000Z',
    },
    severity: 2,
    createdAt: '2024-02-29T22:15:31.120Z',
    updatedAt: '2024-02-29T23:45:02.513Z',
    title: '198.51.100.23 is performing SSH brute force attacks against i-0a1b2c3d4e5f60718.',
    ...overrides,
  };
}

function withService(changes: Record<string, unknown>): Record<string, unknown> {
  return { ...(buildFinding().service as Record<string, unknown>), ...changes };
}

function parse(record: unknown): ParseOutcome {
  return guarddutyAdapter.parse(record, RECEIVED_AT);
}

function signalOf(record: unknown): Record<string, unknown> {
  const outcome = parse(record);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal as unknown as Record<string, unknown>;
}

async function collect(items: AsyncIterable<RecordItem> | Iterable<RecordItem>) {
  const all: RecordItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('guardduty adapter', () => {
  it('turns a finding into a normalised signal', () => {
    const record = buildFinding();

    expect(parse(record)).toEqual({
      kind: 'signal',
      signal: {
        format: 'guardduty',
        sourceKind: 'automated_alert',
        sourceEventId: '4ac6b2f9e2c1d0a7b3e5f6a7b8c9d0e1@2024-02-29T23:45:02.513Z',
        occurredAt: '2024-02-29T23:45:02.513Z',
        originalTimestamp: '2024-02-29T23:45:02.513Z',
        title: '198.51.100.23 is performing SSH brute force attacks against i-0a1b2c3d4e5f60718.',
        severity: 'low',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        host: 'i-0a1b2c3d4e5f60718',
        sourceIp: '198.51.100.23',
        destinationIp: '10.0.1.15',
        principal: null,
        exerciseId: null,
        observables: expect.arrayContaining([
          { kind: 'ip', value: '198.51.100.23', tags: ['remote', 'source'] },
          { kind: 'ip', value: '10.0.1.15', tags: ['destination', 'instance'] },
          { kind: 'ip', value: '203.0.113.15', tags: ['instance'] },
          { kind: 'resource', value: 'i-0a1b2c3d4e5f60718', tags: ['instance'] },
        ]) as unknown,
        raw: record,
      },
    });
  });

  it('maps GuardDuty 1.0–3.9 to low, 4.0–6.9 to medium and 7.0–10.0 to high', () => {
    const severities = [1, 3.9, 4, 6.9, 7, 8.9, 9, 10, '5.5'].map(
      (severity) => signalOf(buildFinding({ severity })).severity,
    );

    expect(severities).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'high',
      'high',
      'medium',
    ]);
  });

  it('reads the finding inside an EventBridge "GuardDuty Finding" event', () => {
    const finding = buildFinding();
    const event = { version: '0', 'detail-type': 'GuardDuty Finding', detail: finding };

    expect(signalOf(event)).toEqual({ ...signalOf(finding), raw: event });
  });

  it('names the path inside the EventBridge envelope when it rejects', () => {
    const event = { 'detail-type': 'GuardDuty Finding', detail: buildFinding({ severity: 12 }) };

    expect(parse(event)).toMatchObject({
      kind: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field: 'detail.severity',
    });
  });

  it('skips other EventBridge events and archived findings, saying why', () => {
    const other = { 'detail-type': 'GuardDuty Malware Protection Object Scan Result', detail: {} };
    const archived = buildFinding({ service: withService({ archived: true }) });

    expect(parse(other)).toEqual({
      kind: 'skipped',
      reason:
        'detail-type "GuardDuty Malware Protection Object Scan Result" is not "GuardDuty Finding"',
    });
    expect(parse(archived)).toEqual({
      kind: 'skipped',
      reason: 'finding 4ac6b2f9e2c1d0a7b3e5f6a7b8c9d0e1 is archived',
    });
  });

  it('takes the local address as source of an outbound connection', () => {
    const outbound = withService({
      action: {
        networkConnectionAction: {
          connectionDirection: 'OUTBOUND',
          remoteIpDetails: { ipAddressV4: '192.0.2.200' },
          localIpDetails: { ipAddressV4: '10.0.1.15' },
        },
      },
    });

    expect(signalOf(buildFinding({ service: outbound }))).toMatchObject({
      sourceIp: '10.0.1.15',
      destinationIp: '192.0.2.200',
    });
  });

  it('reads the caller and the IAM principal of an API-call finding', () => {
    const record = buildFinding({
      type: 'UnauthorizedAccess:IAMUser/TorIPCaller',
      resource: {
        resourceType: 'AccessKey',
        accessKeyDetails: {
          accessKeyId: 'ASIAEXAMPLEKEY000001',
          principalId: 'AIDAEXAMPLEPRINCIPAL',
          userName: 'deploy-bot',
          userType: 'IAMUser',
        },
      },
      service: withService({
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: {
            api: 'GetObject',
            remoteIpDetails: { ipAddressV4: '185.220.101.4' },
            affectedResources: { 'AWS::S3::Bucket': 'arn:aws:s3:::payroll-exports' },
          },
        },
      }),
    });

    const signal = signalOf(record);

    expect(signal).toMatchObject({
      sourceIp: '185.220.101.4',
      principal: 'deploy-bot',
      host: null,
    });
    expect(signal.observables).toEqual(
      expect.arrayContaining([
        { kind: 'resource', value: 'arn:aws:s3:::payroll-exports', tags: ['affected'] },
        { kind: 'resource', value: 'ASIAEXAMPLEKEY000001', tags: ['access-key'] },
      ]),
    );
  });

  it('reads an updatedAt without offset as UTC and keeps it as sent', () => {
    const signal = signalOf(buildFinding({ updatedAt: '2025-02-25 20:40:06.721' }));

    expect(signal).toMatchObject({
      occurredAt: '2025-02-25T20:40:06.721Z',
      originalTimestamp: '2025-02-25 20:40:06.721',
    });
  });

  it('falls back to createdAt when updatedAt is absent', () => {
    const signal = signalOf(buildFinding({ updatedAt: undefined }));

    expect(signal.occurredAt).toBe('2024-02-29T22:15:31.120Z');
  });

  describe('rejections', () => {
    it.each([
      ['a missing id', { id: undefined }, 'BD_INTAKE_FIELD_MISSING', 'id'],
      ['a numeric type', { type: 7 }, 'BD_INTAKE_FIELD_INVALID', 'type'],
      [
        'no updatedAt nor createdAt',
        { updatedAt: undefined, createdAt: null },
        'BD_INTAKE_FIELD_MISSING',
        'updatedAt',
      ],
      [
        'an unreadable updatedAt',
        { updatedAt: 'yesterday' },
        'BD_INTAKE_FIELD_INVALID',
        'updatedAt',
      ],
      [
        'an impossible date',
        { updatedAt: '2024-02-30 10:00:00' },
        'BD_INTAKE_FIELD_INVALID',
        'updatedAt',
      ],
      ['a missing severity', { severity: undefined }, 'BD_INTAKE_FIELD_MISSING', 'severity'],
      ['a severity above 10', { severity: 10.5 }, 'BD_INTAKE_FIELD_INVALID', 'severity'],
      ['a worded severity', { severity: 'HIGH' }, 'BD_INTAKE_FIELD_INVALID', 'severity'],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildFinding(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });

    it('refuses a GetFindings page handed straight to parse, naming findings', () => {
      expect(parse({ findings: [buildFinding(), buildFinding()] })).toMatchObject({
        kind: 'rejected',
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'findings',
      });
    });
  });

  describe('fingerprint and event id', () => {
    it('keeps the fingerprint when only times, counts, region and peer port change', () => {
      const later = buildFinding({
        updatedAt: '2024-03-02T08:00:00.000Z',
        region: 'us-east-1',
        service: withService({ count: 90, eventLastSeen: '2024-03-02T07:59:00.000Z' }),
      });

      expect(signalOf(later).fingerprint).toBe(signalOf(buildFinding()).fingerprint);
    });

    it('changes the fingerprint for another instance or another finding type', () => {
      const base = signalOf(buildFinding()).fingerprint;
      const otherType = buildFinding({ type: 'Recon:EC2/PortProbeUnprotectedPort' });
      const resource = buildFinding().resource as Record<string, unknown>;
      const otherInstance = buildFinding({
        resource: { ...resource, instanceDetails: { instanceId: 'i-0ffffffffffffffff' } },
      });

      expect(signalOf(otherType).fingerprint).not.toBe(base);
      expect(signalOf(otherInstance).fingerprint).not.toBe(base);
    });

    it('gives each update of a finding its own event id', () => {
      const update = buildFinding({ updatedAt: '2024-03-01T01:00:00Z' });

      expect(signalOf(update).sourceEventId).not.toBe(signalOf(buildFinding()).sourceEventId);
    });
  });

  describe('reader', () => {
    it('splits a GetFindings page into one record per finding', async () => {
      const page = JSON.stringify({ findings: [buildFinding(), buildFinding({ id: 'other' })] });

      const items = await collect(bodyRecords(guarddutyAdapter, page));

      expect(items.map((item) => ('record' in item ? parse(item.record).kind : item))).toEqual([
        'signal',
        'signal',
      ]);
    });
  });
});

describe.skipIf(!hasPublicData)('guardduty adapter on panther aws_guardduty_findings', () => {
  async function sampleOutcomes(): Promise<ParseOutcome[]> {
    const items = await collect(fileRecords(guarddutyAdapter, SAMPLE));
    return items.map((item) =>
      'record' in item ? parse(item.record) : { kind: 'skipped', reason: item.error },
    );
  }

  it('turns all 8 findings into signals with the severities the test names promise', async () => {
    const outcomes = await sampleOutcomes();
    const severities = outcomes.map((o) => (o.kind === 'signal' ? o.signal.severity : o.kind));

    // INDEX.csv: 2 critical (severity 9), 2 high (8), 2 low (1), 2 medium (5).
    expect(severities).toEqual(['high', 'high', 'high', 'high', 'low', 'low', 'medium', 'medium']);
  });

  it('reads the PutRolePolicy privilege-escalation finding (line 3) exactly', async () => {
    const [, , third] = await sampleOutcomes();

    expect(third).toMatchObject({
      kind: 'signal',
      signal: {
        sourceEventId: 'eeb88ab56556eb7771b266670dddee5a@2020-02-14T18:12:22.316Z',
        occurredAt: '2020-02-14T18:12:22.316Z',
        originalTimestamp: '2020-02-14T18:12:22.316Z',
        title:
          'Principal AssumedRole:IAMRole attempted to add a policy to themselves ' +
          'that is highly permissive.',
        severity: 'high',
        host: null,
        sourceIp: null,
        principal: null,
      },
    });
    expect(third?.kind === 'signal' && third.signal.observables).toEqual(
      expect.arrayContaining([
        { kind: 'domain', value: 'cloudformation.amazonaws.com', tags: ['caller'] },
        { kind: 'resource', value: 'arn:aws:iam::123456789012:role/IAMRole', tags: ['affected'] },
      ]),
    );
  });

  it('reads the attack-sequence createdAt/updatedAt written without offset as UTC', async () => {
    const [first] = await sampleOutcomes();

    expect(first).toMatchObject({
      signal: {
        occurredAt: '2025-02-25T20:40:06.721Z',
        originalTimestamp: '2025-02-25 20:40:06.721',
      },
    });
  });

  it('gives the six copies of one finding one fingerprint', async () => {
    const outcomes = await sampleOutcomes();
    const prints = outcomes.slice(2).map((o) => (o.kind === 'signal' ? o.signal.fingerprint : ''));

    expect(new Set(prints).size).toBe(1);
  });
});

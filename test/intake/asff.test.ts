import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { asffAdapter } from '../../src/intake/asff.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import type { RecordItem } from '../../src/intake/records.ts';
import { bodyRecords, fileRecords } from '../../src/intake/registry.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

const RECEIVED_AT = new Date('2024-06-01T00:00:00Z');
const PANTHER = `${PUBLIC_DATA}/panther-analysis-test-logs/aws_securityhub_asff_findings.ndjson`;
const OCSF = `${PUBLIC_DATA}/ocsf-examples`;

/** A third-party network finding on an EC2 instance; `overrides` replace top-level keys. */
function buildFinding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    SchemaVersion: '2018-10-08',
    Id: 'ids-finding-7731',
    ProductArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
    GeneratorId: 'ids-rule-2019284',
    AwsAccountId: '111122223333',
    Types: ['TTPs/Command and Control', 'Effects/Data Exfiltration'],
    CreatedAt: '2024-05-30T10:00:00.000Z',
    UpdatedAt: '2024-05-30T10:05:00.250+02:00',
    Severity: { Label: 'HIGH', Normalized: 70 },
    Title: 'Beacon to known C2 server',
    Description: 'An instance contacted a known command-and-control address.',
    Network: {
      Direction: 'OUT',
      SourceIpV4: '10.0.2.8',
      DestinationIpV4: '192.0.2.66',
      DestinationDomain: 'C2.Example.NET',
    },
    Resources: [
      {
        Type: 'AwsEc2Instance',
        Id: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0123456789abcdef0',
        ResourceRole: 'Target',
      },
      {
        Type: 'AwsIamAccessKey',
        Id: 'AKIAEXAMPLEKEY0000001',
        ResourceRole: 'Actor',
        Details: { AwsIamAccessKey: { PrincipalName: 'svc-backup', PrincipalId: 'AIDAEXAMPLE' } },
      },
    ],
    ThreatIntelIndicators: [
      { Type: 'IPV4_ADDRESS', Value: '192.0.2.66' },
      { Type: 'HASH_SHA256', Value: 'A'.repeat(64) },
      { Type: 'PROCESS', Value: 'beacon.exe' },
    ],
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
    ...overrides,
  };
}

function parse(record: unknown): ParseOutcome {
  return asffAdapter.parse(record, RECEIVED_AT);
}

function signalOf(record: unknown): Record<string, unknown> {
  const outcome = parse(record);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal as unknown as Record<string, unknown>;
}

function envelope(findings: unknown[]): Record<string, unknown> {
  return {
    version: '0',
    'detail-type': 'Security Hub Findings - Imported',
    source: 'aws.securityhub',
    detail: { findings },
  };
}

async function collect(items: AsyncIterable<RecordItem> | Iterable<RecordItem>) {
  const all: RecordItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('asff adapter', () => {
  it('turns a finding into a normalised signal', () => {
    const record = buildFinding();

    expect(parse(record)).toEqual({
      kind: 'signal',
      signal: {
        format: 'asff',
        sourceKind: 'automated_alert',
        sourceEventId: 'ids-finding-7731@2024-05-30T08:05:00.250Z',
        occurredAt: '2024-05-30T08:05:00.250Z',
        originalTimestamp: '2024-05-30T10:05:00.250+02:00',
        title: 'Beacon to known C2 server',
        severity: 'high',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        host: 'i-0123456789abcdef0',
        sourceIp: '10.0.2.8',
        destinationIp: '192.0.2.66',
        principal: 'svc-backup',
        exerciseId: null,
        observables: expect.arrayContaining([
          { kind: 'ip', value: '192.0.2.66', tags: ['destination', 'threat-intel'] },
          { kind: 'hash', value: 'a'.repeat(64), tags: ['sha256', 'threat-intel'] },
          { kind: 'principal', value: 'svc-backup', tags: ['user'] },
          { kind: 'resource', value: 'AKIAEXAMPLEKEY0000001', tags: ['actor'] },
        ]) as unknown,
        raw: record,
      },
    });
  });

  it('maps Severity.Label onto low, medium and high', () => {
    const labels = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL', 'critical'];

    const severities = labels.map(
      (Label) => signalOf(buildFinding({ Severity: { Label } })).severity,
    );

    expect(severities).toEqual(['low', 'low', 'medium', 'high', 'high', 'high']);
  });

  it('maps a legacy Severity.Normalized as Security Hub does (0, 1–39, 40–69, 70–100)', () => {
    const scores = [0, 1, 39, 40, 69, 70, 89, 90, 100];

    const severities = scores.map(
      (Normalized) => signalOf(buildFinding({ Severity: { Normalized } })).severity,
    );

    expect(severities).toEqual([
      'low',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'high',
      'high',
    ]);
  });

  it.each([
    ['RecordState ARCHIVED', { RecordState: 'ARCHIVED' }, 'archived (RecordState ARCHIVED)'],
    ['Workflow RESOLVED', { Workflow: { Status: 'RESOLVED' } }, 'resolved in Security Hub'],
    ['Workflow SUPPRESSED', { Workflow: { Status: 'SUPPRESSED' } }, 'suppressed in Security Hub'],
    [
      'a legacy WorkflowState RESOLVED',
      { Workflow: undefined, WorkflowState: 'RESOLVED' },
      'resolved in Security Hub',
    ],
  ])('skips a finding with %s, saying why', (_label, overrides, why) => {
    expect(parse(buildFinding(overrides))).toEqual({
      kind: 'skipped',
      reason: `finding ids-finding-7731 is ${why}`,
    });
  });

  it('keeps a NOTIFIED finding as a signal', () => {
    expect(parse(buildFinding({ Workflow: { Status: 'NOTIFIED' } })).kind).toBe('signal');
  });

  it('takes the remote party of an inbound connection as the source', () => {
    const record = buildFinding({
      Network: undefined,
      Action: {
        ActionType: 'NETWORK_CONNECTION',
        NetworkConnectionAction: {
          ConnectionDirection: 'INBOUND',
          RemoteIpDetails: { IpAddressV4: '203.0.113.9' },
        },
      },
    });

    expect(signalOf(record)).toMatchObject({ sourceIp: '203.0.113.9', destinationIp: null });
  });

  it('reads a principal from an AwsIamUser resource', () => {
    const record = buildFinding({
      Resources: [
        {
          Type: 'AwsIamUser',
          Id: 'arn:aws:iam::111122223333:user/alice',
          Details: { AwsIamUser: { UserName: 'alice' } },
        },
      ],
    });

    expect(signalOf(record)).toMatchObject({ principal: 'alice', host: null });
  });

  it('lists the CVE ids of Vulnerabilities as observables', () => {
    const record = buildFinding({ Vulnerabilities: [{ Id: 'CVE-2024-3094' }] });

    expect(signalOf(record).observables).toContainEqual({
      kind: 'cve',
      value: 'CVE-2024-3094',
      tags: ['vulnerability'],
    });
  });

  describe('EventBridge and GetFindings batches handed straight to parse', () => {
    it('reads a batch of one finding', () => {
      const event = envelope([buildFinding()]);

      expect(signalOf(event)).toEqual({ ...signalOf(buildFinding()), raw: event });
    });

    it('names the path inside the batch when its finding is rejected', () => {
      const event = envelope([buildFinding({ Id: undefined })]);

      expect(parse(event)).toEqual({
        kind: 'rejected',
        code: 'BD_INTAKE_FIELD_MISSING',
        field: 'detail.findings[0].Id',
        reason: 'detail.findings[0].Id is required',
      });
    });

    it('refuses a batch of several findings, pointing at the reader', () => {
      expect(parse({ Findings: [buildFinding(), buildFinding()] })).toMatchObject({
        kind: 'rejected',
        code: 'BD_INTAKE_FIELD_INVALID',
        field: 'Findings',
      });
    });

    it('skips an empty batch and events that carry no findings', () => {
      const insight = { 'detail-type': 'Security Hub Insight Results', detail: {} };

      expect(parse(envelope([]))).toMatchObject({ kind: 'skipped' });
      expect(parse(insight)).toMatchObject({ kind: 'skipped' });
    });
  });

  describe('rejections', () => {
    it.each([
      ['a missing Id', { Id: undefined }, 'BD_INTAKE_FIELD_MISSING', 'Id'],
      ['a missing Title', { Title: '  ' }, 'BD_INTAKE_FIELD_MISSING', 'Title'],
      [
        'no UpdatedAt nor CreatedAt',
        { UpdatedAt: undefined, CreatedAt: undefined },
        'BD_INTAKE_FIELD_MISSING',
        'UpdatedAt',
      ],
      [
        'an unreadable UpdatedAt',
        { UpdatedAt: '30/05/2024' },
        'BD_INTAKE_FIELD_INVALID',
        'UpdatedAt',
      ],
      ['no severity at all', { Severity: {} }, 'BD_INTAKE_FIELD_MISSING', 'Severity.Label'],
      [
        'an unknown label',
        { Severity: { Label: 'SEVERE' } },
        'BD_INTAKE_FIELD_INVALID',
        'Severity.Label',
      ],
      [
        'a Normalized above 100',
        { Severity: { Normalized: 101 } },
        'BD_INTAKE_FIELD_INVALID',
        'Severity.Normalized',
      ],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildFinding(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });
  });

  describe('fingerprint', () => {
    it('is the same across updates, severity changes and the order of Types', () => {
      const update = buildFinding({
        UpdatedAt: '2024-06-02T00:00:00Z',
        Severity: { Label: 'CRITICAL' },
        Types: ['Effects/Data Exfiltration', 'TTPs/Command and Control'],
      });

      expect(signalOf(update).fingerprint).toBe(signalOf(buildFinding()).fingerprint);
    });

    it('differs for another target resource', () => {
      const resources = buildFinding().Resources as Record<string, unknown>[];
      const other = buildFinding({
        Resources: [{ ...resources[0], Id: 'arn:aws:ec2:eu-west-1:111122223333:instance/i-0fff' }],
      });

      expect(signalOf(other).fingerprint).not.toBe(signalOf(buildFinding()).fingerprint);
    });
  });

  describe('reader', () => {
    let dir = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'bd-asff-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('splits an EventBridge event into one record per finding, on the event line', async () => {
      const lines = [
        JSON.stringify(envelope([buildFinding(), buildFinding({ Id: 'second' })])),
        JSON.stringify(buildFinding({ Id: 'third' })),
      ];
      await writeFile(join(dir, 'events.ndjson'), lines.join('\n'));

      const items = await collect(fileRecords(asffAdapter, join(dir, 'events.ndjson')));

      expect(items.map((item) => [item.line, 'record' in item && parse(item.record).kind])).toEqual(
        [
          [1, 'signal'],
          [1, 'signal'],
          [2, 'signal'],
        ],
      );
    });

    it('reads a pretty-printed GetFindings answer as its findings', async () => {
      const answer = JSON.stringify({ Findings: [buildFinding(), buildFinding()] }, null, 2);
      await writeFile(join(dir, 'get-findings.json'), answer);

      const items = await collect(fileRecords(asffAdapter, join(dir, 'get-findings.json')));

      expect(
        items.filter((item) => 'record' in item && parse(item.record).kind === 'signal'),
      ).toHaveLength(2);
    });

    it('splits a batch sent as an HTTP body', async () => {
      const items = await collect(
        bodyRecords(asffAdapter, JSON.stringify(envelope([buildFinding(), buildFinding()]))),
      );

      expect(items).toHaveLength(2);
    });
  });
});

describe.skipIf(!hasPublicData)('asff adapter on real Security Hub findings', () => {
  async function outcomesOf(path: string): Promise<ParseOutcome[]> {
    const items = await collect(fileRecords(asffAdapter, path));
    return items.map((item) =>
      'record' in item ? parse(item.record) : { kind: 'skipped', reason: item.error },
    );
  }

  it('turns the 10 panther decoy findings into high signals', async () => {
    const outcomes = await outcomesOf(PANTHER);

    expect(outcomes.map((o) => (o.kind === 'signal' ? o.signal.severity : o.kind))).toEqual(
      Array.from({ length: 10 }, () => 'high'),
    );
  });

  it('reads the DynamoDB decoy finding (line 1) exactly', async () => {
    const [first] = await outcomesOf(PANTHER);

    expect(first).toMatchObject({
      kind: 'signal',
      signal: {
        sourceEventId: '1abc2de3-69ea-4e15-91c6-27eb4a07bd21@2024-05-24T22:53:24.000Z',
        occurredAt: '2024-05-24T22:53:24.000Z',
        originalTimestamp: '2024-05-24 22:53:24.000000000',
        severity: 'high',
        sourceIp: '11.111.11.111',
        principal: 'ABC9ONWNS3155VIEJC8U:john.doe',
        host: null,
      },
    });
  });

  it('reads the pretty-printed GuardDuty finding from ocsf-examples with its caller', async () => {
    const [finding] = await outcomesOf(`${OCSF}/sechub-guardduty.raw.json`);

    expect(finding).toMatchObject({
      kind: 'signal',
      signal: {
        title:
          'AWS CloudTrail trail arn:aws:cloudtrail:us-east-2:111111111111:trail/delete-me ' +
          'was disabled.',
        occurredAt: '2023-09-19T15:05:22.487Z',
        severity: 'low',
        sourceIp: '52.94.133.131',
        principal: 'Admin',
      },
    });
  });

  it('reads the Inspector finding as medium with its CVE', async () => {
    const [finding] = await outcomesOf(`${OCSF}/sechub-inspector.raw.json`);

    expect(finding).toMatchObject({ kind: 'signal', signal: { severity: 'medium' } });
    expect(finding?.kind === 'signal' && finding.signal.observables).toContainEqual({
      kind: 'cve',
      value: 'CVE-2023-1255',
      tags: ['vulnerability'],
    });
  });

  it('reads the PCI control finding with its UpdatedAt', async () => {
    const [finding] = await outcomesOf(`${OCSF}/sechub-pci.raw.json`);

    expect(finding).toMatchObject({
      kind: 'signal',
      signal: {
        title: 'PCI.Config.1 AWS Config should be enabled',
        occurredAt: '2023-07-21T18:11:53.060Z',
      },
    });
  });
});

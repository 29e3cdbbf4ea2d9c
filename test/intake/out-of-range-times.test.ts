/**
 * Times in a year outside 1970–2200 were refused at storage naming `timestamp`, whatever field
 * they came from. Each adapter reading its time through the shared timestamp code must name
 * the field of the record that held the bad value. Runs through ingestRecords on a real store.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';

import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert } from '../support/factories.ts';

const CEF = 'CEF:0|Northwind Networks|Edge Firewall|7.4.2|100042|C2 beacon blocked|8|';
const EPOCH_MS_2223 = 8_000_000_000_000;

function cefLine(time: string, prefix = ''): string {
  return `${prefix}${CEF}${time} src=203.0.113.9 dst=10.0.0.5 externalId=nw-1`;
}

function guardDutyFinding(times: Record<string, string>): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    accountId: '111122223333',
    id: '4ac6b2f9e2c1d0a7b3e5f6a7b8c9d0e1',
    type: 'UnauthorizedAccess:EC2/SSHBruteForce',
    service: { serviceName: 'guardduty', archived: false },
    severity: 5,
    title: 'SSH brute force against i-0a1b2c3d4e5f60718',
    ...times,
  };
}

function ocsfFinding(time: Record<string, unknown>): Record<string, unknown> {
  return {
    class_uid: 2004,
    activity_id: 1,
    severity_id: 4,
    metadata: { uid: 'evt-0001', product: { name: 'Example EDR' }, version: '1.1.0' },
    finding_info: { uid: 'finding-77', title: 'Credential dumping via LSASS access' },
    ...time,
  };
}

function falconDetection(time: Record<string, unknown>): Record<string, unknown> {
  return {
    DetectId: 'ldt:6f1e2d3c4b5a69788796a5b4c3d2e1f0:38655257584',
    DetectName: 'Suspicious Activity',
    Severity: 4,
    ComputerName: 'FIN-LT-044',
    ...time,
  };
}

const CASES: [string, string, unknown, string][] = [
  ['cef', 'rt in year 0000', cefLine('rt=Mar 10 0000 06:30:00 UTC'), 'extension.rt'],
  ['cef', 'rt as epoch ms in 2223', cefLine(`rt=${EPOCH_MS_2223}`), 'extension.rt'],
  ['cef', 'end before 1970, no rt', cefLine('end=1969-07-20T20:17:00Z'), 'extension.end'],
  [
    'cef',
    'a zone-less rt of 1969 behind an RFC 3164 stamp',
    cefLine('rt=Mar 10 1969 06:30:00', '<134>Mar 10 06:30:00 fw01 '),
    'extension.rt',
  ],
  [
    'suricata',
    'timestamp in year 1',
    buildEveAlert({ ts: '0001-01-01T00:00:00+0000' }),
    'timestamp',
  ],
  [
    'guardduty',
    'updatedAt in year 0000',
    guardDutyFinding({ updatedAt: '0000-01-01T00:00:00.000Z' }),
    'updatedAt',
  ],
  [
    'guardduty',
    'a zone-less createdAt in 2201',
    guardDutyFinding({ createdAt: '2201-01-01 00:00:00.000000000' }),
    'createdAt',
  ],
  ['ocsf', 'time as epoch ms in 2223', ocsfFinding({ time: EPOCH_MS_2223 }), 'time'],
  ['ocsf', 'time_dt before 1970', ocsfFinding({ time_dt: '1969-07-20T20:17:00Z' }), 'time_dt'],
  [
    'asff',
    'UpdatedAt in 2999',
    {
      SchemaVersion: '2018-10-08',
      Id: 'ids-finding-7731',
      ProductArn: 'arn:aws:securityhub:eu-west-1:111122223333:product/111122223333/default',
      GeneratorId: 'ids-rule-2019284',
      AwsAccountId: '111122223333',
      Types: ['TTPs/Command and Control'],
      CreatedAt: '2024-05-30T10:00:00.000Z',
      UpdatedAt: '2999-05-30T10:05:00.250+02:00',
      Severity: { Label: 'HIGH' },
      Title: 'Beacon to known C2 server',
      Description: 'An instance contacted a known command-and-control address.',
      Resources: [{ Type: 'AwsEc2Instance', Id: 'i-0123456789abcdef0' }],
      RecordState: 'ACTIVE',
    },
    'UpdatedAt',
  ],
  [
    'msgraph',
    'lastUpdateDateTime in year 1',
    {
      id: 'da638551227677560813_-961444813',
      title: "Suspicious 'Mimikatz' hacktool was detected",
      severity: 'high',
      status: 'new',
      createdDateTime: '2024-06-20T09:12:03.1234567Z',
      lastUpdateDateTime: '0001-01-01T00:00:00Z',
    },
    'lastUpdateDateTime',
  ],
  [
    'crowdstrike',
    'UTCTimestamp as epoch ms in 2223',
    falconDetection({ UTCTimestamp: EPOCH_MS_2223 }),
    'UTCTimestamp',
  ],
  [
    'crowdstrike',
    'eventCreationTime of a streamed event in 2223',
    {
      metadata: { eventType: 'DetectionSummaryEvent', eventCreationTime: EPOCH_MS_2223 },
      event: falconDetection({}),
    },
    'metadata.eventCreationTime',
  ],
  [
    'ecs',
    '@timestamp in 1900',
    {
      '@timestamp': '1900-01-01T00:00:00Z',
      event: { kind: 'signal' },
      kibana: { alert: { severity: 'high', rule: { name: 'Connection to Known C2 Server' } } },
      host: { name: 'web-01' },
    },
    '@timestamp',
  ],
  [
    'zeek',
    'ts as epoch seconds in 2223',
    { ts: 8_000_000_000, uid: 'CHhAvVGS1DHFjwGM9', note: 'SSH::Password_Guessing', msg: 'x' },
    'ts',
  ],
  [
    'generic',
    'time in year 0000',
    { time: '0000-05-02T10:15:00+02:00', title: 'Bulk export', sourceKind: 'internal_report' },
    'time',
  ],
];

describeEachBackend('times outside 1970–2200', (backend) => {
  let store: Store;

  beforeAll(async () => {
    store = await backend.open();
  });
  afterAll(() => store.close());

  it.each(CASES)('%s: names the field of %s', async (format, _what, record, field) => {
    const summary = await ingestRecords(store.db, adapterFor(format), [{ line: 1, record }], {
      actor: cliActor('admin'),
    });

    expect(summary.results[0]).toMatchObject({
      status: 'rejected',
      code: 'BD_INTAKE_FIELD_INVALID',
      field,
      reason: expect.stringMatching(/year -?\d+|outside|beyond/) as unknown,
    });
  });
});

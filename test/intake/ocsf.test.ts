import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import type { NormalizedSignal } from '../../src/domain/types.ts';
import { ocsfAdapter } from '../../src/intake/ocsf.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import type { RecordItem } from '../../src/intake/records.ts';
import { fileRecords } from '../../src/intake/registry.ts';
import { observable } from '../support/observable-matchers.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

const RECEIVED_AT = new Date('2026-01-01T00:00:00Z');
const OCSF_DIR = `${PUBLIC_DATA}/ocsf-examples`;

/** A Detection Finding (class 2004) shaped like OCSF 1.1 output; overrides are top-level. */
function buildFinding(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    class_uid: 2004,
    class_name: 'Detection Finding',
    activity_id: 1,
    time: 1710052200123,
    severity_id: 4,
    metadata: { uid: 'evt-0001', product: { name: 'Example EDR' }, version: '1.1.0' },
    finding_info: {
      uid: 'finding-77',
      title: 'Credential dumping via LSASS access',
      analytic: { uid: 'rule-123', name: 'LSASS access' },
    },
    device: { hostname: 'ws-17.corp.example' },
    actor: { user: { name: 'alice' } },
    src_endpoint: { ip: '10.0.0.17' },
    resources: [{ uid: 'i-0abc123' }],
    observables: [
      { name: 'file.hashes[].value', type_id: 8, value: 'a'.repeat(64) },
      { name: 'dst_endpoint.hostname', type_id: 1, value: 'exfil.example.net' },
      { name: 'dst_endpoint.port', type_id: 11, value: 443 },
    ],
    ...overrides,
  };
}

function parse(record: unknown): ParseOutcome {
  return ocsfAdapter.parse(record, RECEIVED_AT);
}

function signalOf(record: unknown): NormalizedSignal {
  const outcome = parse(record);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal;
}

describe('ocsf adapter', () => {
  it('turns a Detection Finding into a signal', () => {
    const record = buildFinding();

    expect(signalOf(record)).toMatchObject({
      format: 'ocsf',
      sourceEventId: 'evt-0001',
      occurredAt: '2024-03-10T06:30:00.123Z',
      originalTimestamp: '1710052200123',
      title: 'Credential dumping via LSASS access',
      severity: 'high',
      host: 'ws-17.corp.example',
      sourceIp: '10.0.0.17',
      principal: 'alice',
      raw: record,
    });
  });

  it('takes typed observables, resources and the actor, and ignores ports', () => {
    const observables = signalOf(buildFinding()).observables;

    expect(observables).toEqual([
      observable('ip', '10.0.0.17', 'source'),
      observable('principal', 'alice', 'actor'),
      observable('resource', 'i-0abc123', 'resource'),
      observable('hash', 'a'.repeat(64), 'file.hashes[].value'),
      observable('domain', 'exfil.example.net', 'dst_endpoint.hostname'),
    ]);
  });

  it.each([
    [0, 'medium'],
    [1, 'low'],
    [2, 'low'],
    [3, 'medium'],
    [4, 'high'],
    [5, 'high'],
    [6, 'high'],
    [99, 'medium'],
    [undefined, 'medium'],
  ])('maps severity_id %s to %s', (severityId, severity) => {
    expect(signalOf(buildFinding({ severity_id: severityId })).severity).toBe(severity);
  });

  it.each([2001, 2002, 2003])('accepts finding class %i', (classUid) => {
    expect(parse(buildFinding({ class_uid: classUid })).kind).toBe('signal');
  });

  it('skips other classes and names class_uid', () => {
    expect(parse(buildFinding({ class_uid: 6003, class_name: 'API Activity' }))).toEqual({
      kind: 'skipped',
      reason:
        'class_uid 6003 (API Activity) is not a finding; only classes 2001–2004 become signals',
    });
  });

  it('skips a compliance check that passed and keeps one that failed', () => {
    const compliance = { class_uid: 2003 };

    expect(parse(buildFinding({ ...compliance, compliance: { status_id: 1 } })).kind).toBe(
      'skipped',
    );
    expect(parse(buildFinding({ ...compliance, compliance: { status: 'FAILED' } })).kind).toBe(
      'signal',
    );
  });

  it('reads epoch seconds from producers that write them, not as 1970', () => {
    expect(signalOf(buildFinding({ time: 1710052200 })).occurredAt).toBe(
      '2024-03-10T06:30:00.000Z',
    );
  });

  it('falls back to time_dt when time is absent', () => {
    const record = buildFinding({ time: undefined, time_dt: '2024-03-10T01:30:00-05:00' });

    expect(signalOf(record).occurredAt).toBe('2024-03-10T06:30:00.000Z');
  });

  it('pairs the finding uid with the time when there is no metadata.uid', () => {
    const record = buildFinding({ metadata: { product: { name: 'Example EDR' } } });

    expect(signalOf(record).sourceEventId).toBe('finding-77:1710052200123');
  });

  it('reads OCSF 1.0 findings that use `finding` instead of `finding_info`', () => {
    const record = buildFinding({ finding_info: undefined, finding: { title: ' Old \n' } });

    expect(signalOf(record).title).toBe('Old');
  });

  describe('fingerprint', () => {
    it('ignores event and finding ids, time and severity', () => {
      const again = buildFinding({
        time: 1710099999000,
        severity_id: 5,
        metadata: { uid: 'evt-0002', product: { name: 'Example EDR' } },
        finding_info: {
          uid: 'finding-78',
          title: 'Credential dumping via LSASS access',
          analytic: { uid: 'rule-123' },
        },
      });

      expect(signalOf(again).fingerprint).toBe(signalOf(buildFinding()).fingerprint);
    });

    it('differs for another resource', () => {
      expect(signalOf(buildFinding({ resources: [{ uid: 'i-0def456' }] })).fingerprint).not.toBe(
        signalOf(buildFinding()).fingerprint,
      );
    });
  });

  describe('rejections', () => {
    it.each([
      ['a missing class_uid', { class_uid: undefined }, 'BD_INTAKE_FIELD_MISSING', 'class_uid'],
      [
        'a class_uid that is text',
        { class_uid: 'finding' },
        'BD_INTAKE_FIELD_INVALID',
        'class_uid',
      ],
      ['a missing time', { time: undefined }, 'BD_INTAKE_FIELD_MISSING', 'time'],
      ['a time that is not a number', { time: 'now' }, 'BD_INTAKE_FIELD_INVALID', 'time'],
      ['a time beyond 9999', { time: 1e17 }, 'BD_INTAKE_FIELD_INVALID', 'time'],
      [
        'a time_dt without offset',
        { time: undefined, time_dt: '2024-10-04T09:49:02.698985' },
        'BD_INTAKE_FIELD_INVALID',
        'time_dt',
      ],
      [
        'a missing title',
        { finding_info: { uid: 'x' } },
        'BD_INTAKE_FIELD_MISSING',
        'finding_info.title',
      ],
      [
        'a blank title',
        { finding_info: { title: '  ' } },
        'BD_INTAKE_FIELD_INVALID',
        'finding_info.title',
      ],
      ['a severity_id of 7', { severity_id: 7 }, 'BD_INTAKE_FIELD_INVALID', 'severity_id'],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildFinding(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });
  });
});

describe.skipIf(!hasPublicData)('ocsf adapter on ocsf-examples', () => {
  async function read(file: string): Promise<(ParseOutcome | RecordItem)[]> {
    const all: (ParseOutcome | RecordItem)[] = [];
    for await (const item of fileRecords(ocsfAdapter, `${OCSF_DIR}/${file}`)) {
      all.push('error' in item ? item : parse(item.record));
    }
    return all;
  }

  it('reads the GuardDuty Detection Finding exactly', async () => {
    const [outcome] = await read('sechub-guardduty.detection_finding.ocsf.json');

    expect(outcome).toMatchObject({
      kind: 'signal',
      signal: {
        sourceEventId:
          'arn:aws:guardduty:us-east-2:111111111111:detector/1ac1bfceda6679698215d5d0EXAMPLE/' +
          'finding/a6c556fcbc9bea427a19f8b787099a0b:1695135922487',
        // Its time_dt is 2023-09-19T11:05:22.487-04:00.
        occurredAt: '2023-09-19T15:05:22.487Z',
        title:
          'AWS CloudTrail trail arn:aws:cloudtrail:us-east-2:111111111111:trail/delete-me was ' +
          'disabled.',
        severity: 'low',
        sourceIp: '52.94.133.131',
        observables: expect.arrayContaining([
          observable('resource', 'AWS::IAM::AccessKey:ASIATMJPC7EXAMPLE', 'resources[].uid'),
        ]) as unknown,
      },
    });
  });

  it("reads Okta's seconds-valued time as the instant its own time_dt states", async () => {
    const file = 'okta-threat-detected.detection_finding.ocsf.json';
    const raw = JSON.parse(readFileSync(`${OCSF_DIR}/${file}`, 'utf8')) as { time_dt: string };

    const [outcome] = await read(file);

    expect(outcome).toMatchObject({
      kind: 'signal',
      signal: { occurredAt: raw.time_dt, sourceEventId: 'dc9fd3c0-598c-11ef-8478-2b7584bf8d5a' },
    });
  });

  it('takes the CVE of the Inspector Vulnerability Finding', async () => {
    const [outcome] = await read('sechub-inspector.vulnerability_finding.ocsf.json');

    expect(outcome).toMatchObject({
      kind: 'signal',
      signal: {
        severity: 'medium',
        observables: expect.arrayContaining([
          observable('cve', 'CVE-2023-1255', 'vulnerability'),
        ]) as unknown,
      },
    });
  });

  it('reads the four Security Findings of the SecurityScorecard array', async () => {
    const outcomes = await read('ssc-malware-infection-detected.ocsf.json');

    expect(outcomes.map((outcome) => ('kind' in outcome ? outcome.kind : 'error'))).toEqual([
      'signal',
      'signal',
      'signal',
      'signal',
    ]);
  });

  it.each([
    ['aws-vpcflowlog.network_activity.ocsf.json', /^class_uid 4001 \(Network Activity\)/],
    ['aws-waf.ocsf.json', /^class_uid 4002 \(HTTP Activity\)/],
    ['prowler.detection_finding.ocsf.json', /^status_code is "PASS"/],
  ])('skips %s with a reason', async (file, reason) => {
    expect(await read(file)).toEqual([{ kind: 'skipped', reason: expect.stringMatching(reason) }]);
  });

  it('reports the malformed CloudTrail mapping as one bad record', async () => {
    const outcomes = await read('aws-cloudtrail-generic.api_activity.ocsf.json');

    expect(outcomes).toEqual([{ line: 1, error: expect.stringContaining('JSON') as unknown }]);
  });

  it('reads the Falco and QRadar findings written in OCSF 1.0', async () => {
    const [falco] = await read('falco.ocsf.json');
    const [qradar] = await read('qradar-offense.ocsf.json');

    expect(falco).toMatchObject({
      signal: { title: 'Linux Kernel Module Injection Detected', severity: 'medium' },
    });
    expect(qradar).toMatchObject({
      signal: { title: 'BLEEDING-EDGE DOS -ISC- ICMP blind TCP reset DoS guessing attempt' },
    });
  });
});

import { describe, expect, it } from 'vitest';

import { crowdstrikeAdapter } from '../../src/intake/crowdstrike.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { readRecords } from '../../src/intake/records.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

const RECEIVED_AT = new Date('2024-08-01T00:00:00Z');
const SAMPLE = `${PUBLIC_DATA}/panther-analysis-test-logs/crowdstrike_detection_summary.ndjson`;

/** The detection part of a streaming-API DetectionSummaryEvent. */
function buildDetection(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ProcessStartTime: 1722470000,
    ProcessId: 38684386611,
    ComputerName: 'FIN-LT-044',
    UserName: 'm.garcia',
    DetectId: 'ldt:6f1e2d3c4b5a69788796a5b4c3d2e1f0:38655257584',
    DetectName: 'Suspicious Activity',
    DetectDescription: 'A process dumped credentials from LSASS memory.',
    Severity: 4,
    SeverityName: 'High',
    FileName: 'procdump64.exe',
    FilePath: '\\Device\\HarddiskVolume3\\Users\\m.garcia\\Downloads',
    CommandLine: 'procdump64.exe -ma lsass.exe out.dmp',
    SHA256String: 'D'.repeat(64),
    MD5String: 'e'.repeat(32),
    SHA1String: '0000000000000000000000000000000000000000',
    MachineDomain: 'CORP',
    SensorId: '6f1e2d3c4b5a69788796a5b4c3d2e1f0',
    Tactic: 'Credential Access',
    Technique: 'OS Credential Dumping',
    LocalIP: '10.40.2.17',
    FalconHostLink: 'https://falcon.crowdstrike.com/activity/detections/detail/6f1e/38655257584',
    ...overrides,
  };
}

function buildEvent(
  detection: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    metadata: {
      customerIDString: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      offset: 148210,
      eventType: 'DetectionSummaryEvent',
      // 2024-07-31T23:55:23.456Z: 277 s before 1722470400 s, which is 2024-08-01T00:00:00Z.
      eventCreationTime: 1722470123456,
      version: '1.0',
      ...metadata,
    },
    event: buildDetection(detection),
  };
}

function parse(record: unknown): ParseOutcome {
  return crowdstrikeAdapter.parse(record, RECEIVED_AT);
}

function signalOf(record: unknown): Record<string, unknown> {
  const outcome = parse(record);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal as unknown as Record<string, unknown>;
}

describe('crowdstrike adapter', () => {
  it('turns a streaming DetectionSummaryEvent into a normalised signal', () => {
    const record = buildEvent();

    expect(parse(record)).toEqual({
      kind: 'signal',
      signal: {
        format: 'crowdstrike',
        sourceKind: 'automated_alert',
        sourceEventId: 'ldt:6f1e2d3c4b5a69788796a5b4c3d2e1f0:38655257584@2024-07-31T23:55:23.456Z',
        occurredAt: '2024-07-31T23:55:23.456Z',
        originalTimestamp: '1722470123456',
        title: 'Suspicious Activity (Credential Access: OS Credential Dumping)',
        severity: 'high',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        host: 'FIN-LT-044',
        sourceIp: '10.40.2.17',
        destinationIp: null,
        principal: 'm.garcia',
        exerciseId: null,
        observables: [
          { kind: 'ip', value: '10.40.2.17', tags: ['host', 'source'] },
          { kind: 'principal', value: 'm.garcia', tags: ['user'] },
          { kind: 'hash', value: 'd'.repeat(64), tags: ['file', 'sha256'] },
          { kind: 'hash', value: 'e'.repeat(32), tags: ['file', 'md5'] },
        ],
        raw: record,
      },
    });
  });

  it('reads SeverityName first and the 1–5 number when the name is absent', () => {
    const named = ['Informational', 'Low', 'Medium', 'High', 'Critical'].map(
      (SeverityName) => signalOf(buildEvent({ SeverityName, Severity: 5 })).severity,
    );
    const numbered = [1, 2, 3, 4, 5, '3'].map(
      (Severity) => signalOf(buildEvent({ SeverityName: undefined, Severity })).severity,
    );

    expect(named).toEqual(['low', 'low', 'medium', 'high', 'high']);
    expect(numbered).toEqual(['low', 'low', 'medium', 'high', 'high', 'medium']);
  });

  it('skips other event types of the stream, naming them', () => {
    const audit = buildEvent({}, { eventType: 'AuthActivityAuditEvent' });

    expect(parse(audit)).toEqual({
      kind: 'skipped',
      reason: 'event type "AuthActivityAuditEvent" is not a detection summary',
    });
  });

  it('makes a remote origin the source and the endpoint the destination', () => {
    const logon = buildEvent({ OriginSourceIpAddress: '203.0.113.80' });

    expect(signalOf(logon)).toMatchObject({
      sourceIp: '203.0.113.80',
      destinationIp: '10.40.2.17',
    });
  });

  it('leaves out the all-zero hash Falcon writes when it has none', () => {
    const hashes = (signalOf(buildEvent()).observables as { kind: string; value: string }[])
      .filter((o) => o.kind === 'hash')
      .map((o) => o.value);

    expect(hashes).not.toContain('0'.repeat(40));
  });

  it('leaves "N/A" tactics out of the title', () => {
    const signal = signalOf(buildEvent({ Tactic: 'N/A', Technique: 'N/A' }));

    expect(signal.title).toBe('Suspicious Activity');
  });

  it('reads a flat SIEM-connector record with CompositeId and a UTC date-time', () => {
    const flat = {
      ...buildDetection({ DetectId: undefined, DetectName: undefined }),
      CompositeId: 'cid:ind:aid:123-45-678',
      Name: 'NGAV',
      ExternalApiType: 'Event_EppDetectionSummaryEvent',
      UTCTimestamp: '2021-09-18 20:38:52Z',
    };

    expect(signalOf(flat)).toMatchObject({
      sourceEventId: 'cid:ind:aid:123-45-678@2021-09-18T20:38:52.000Z',
      originalTimestamp: '2021-09-18 20:38:52Z',
    });
  });

  describe('rejections', () => {
    it.each([
      [
        'a missing detection id',
        buildEvent({ DetectId: undefined }),
        'BD_INTAKE_FIELD_MISSING',
        'event.CompositeId',
      ],
      [
        'a missing name',
        buildEvent({ DetectName: '' }),
        'BD_INTAKE_FIELD_MISSING',
        'event.DetectName',
      ],
      [
        'a numeric DetectName',
        buildEvent({ DetectName: 9 }),
        'BD_INTAKE_FIELD_INVALID',
        'event.DetectName',
      ],
      [
        'a missing eventCreationTime',
        buildEvent({}, { eventCreationTime: undefined }),
        'BD_INTAKE_FIELD_MISSING',
        'metadata.eventCreationTime',
      ],
      [
        'a worded eventCreationTime',
        buildEvent({}, { eventCreationTime: 'now' }),
        'BD_INTAKE_FIELD_INVALID',
        'metadata.eventCreationTime',
      ],
      [
        'an unknown SeverityName',
        buildEvent({ SeverityName: 'Severe' }),
        'BD_INTAKE_FIELD_INVALID',
        'event.SeverityName',
      ],
      [
        'a Severity outside 1–5',
        buildEvent({ SeverityName: undefined, Severity: 7 }),
        'BD_INTAKE_FIELD_INVALID',
        'event.Severity',
      ],
      [
        'no severity at all',
        buildEvent({ SeverityName: undefined, Severity: undefined }),
        'BD_INTAKE_FIELD_MISSING',
        'event.Severity',
      ],
    ])('rejects %s with its field path', (_label, record, code, field) => {
      expect(parse(record)).toMatchObject({ kind: 'rejected', code, field });
    });
  });

  describe('fingerprint', () => {
    it('is the same for the same behaviour on the same sensor at another time', () => {
      const again = buildEvent(
        { DetectId: 'ldt:6f1e:99', ProcessId: 1, Severity: 5, SeverityName: 'Critical' },
        { offset: 150000, eventCreationTime: 1722570000000 },
      );

      expect(signalOf(again).fingerprint).toBe(signalOf(buildEvent()).fingerprint);
    });

    it('differs on another sensor', () => {
      const other = buildEvent({ SensorId: '00aa', ComputerName: 'FIN-LT-045' });

      expect(signalOf(other).fingerprint).not.toBe(signalOf(buildEvent()).fingerprint);
    });
  });
});

describe.skipIf(!hasPublicData)(
  'crowdstrike adapter on panther crowdstrike_detection_summary',
  () => {
    async function sampleOutcomes(): Promise<ParseOutcome[]> {
      const outcomes: ParseOutcome[] = [];
      for await (const item of readRecords(SAMPLE)) {
        outcomes.push(
          'record' in item ? parse(item.record) : { kind: 'skipped', reason: item.error },
        );
      }
      return outcomes;
    }

    it('reads the flat detection (line 1) exactly', async () => {
      const [flat] = await sampleOutcomes();

      expect(flat).toMatchObject({
        kind: 'signal',
        signal: {
          occurredAt: '2021-09-18T20:38:52.000Z',
          originalTimestamp: '2021-09-18 20:38:52Z',
          title: 'NGAV (Malware: PUP)',
          severity: 'low',
          host: 'macbook',
          principal: 'bobert',
          sourceIp: '1.1.1.1',
        },
      });
    });

    it('reads the FDR-wrapped detection (line 2) with its epoch-millisecond time', async () => {
      const [, fdr] = await sampleOutcomes();

      expect(fdr).toMatchObject({
        kind: 'signal',
        signal: {
          occurredAt: '2021-03-24T18:19:49.000Z',
          originalTimestamp: '1616609989000',
          title: 'Suspicious Activity',
          host: 'hostname.lan',
          principal: 'username',
          sourceIp: '1.2.3.4',
        },
      });
    });

    it('skips the non-detection FDR event (line 3)', async () => {
      const [, , other] = await sampleOutcomes();

      expect(other).toEqual({
        kind: 'skipped',
        reason: 'event type "something else" is not a detection summary',
      });
    });
  },
);

import { describe, expect, it } from 'vitest';

import { msgraphAdapter } from '../../src/intake/msgraph.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import type { RecordItem } from '../../src/intake/records.ts';
import { bodyRecords, fileRecords } from '../../src/intake/registry.ts';
import { PUBLIC_DATA, hasPublicData } from '../support/public-data.ts';

const RECEIVED_AT = new Date('2024-07-01T00:00:00Z');
const SAMPLE = `${PUBLIC_DATA}/panther-analysis-test-logs/msgraph_security_alert_v2.ndjson`;

/** A Defender for Endpoint alert with device, user, address, file and URL evidence. */
function buildAlert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'da638551227677560813_-961444813',
    providerAlertId: 'da638551227677560813_-961444813',
    tenantId: 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'antivirus',
    detectorId: 'b0e4a0f4-5a3e-4a55-a3d8-2fa8f8fcb8a1',
    title: "Suspicious 'Mimikatz' hacktool was detected",
    category: 'CredentialAccess',
    severity: 'high',
    status: 'new',
    createdDateTime: '2024-06-20T09:12:03.1234567Z',
    firstActivityDateTime: '2024-06-20T09:10:44.5000000Z',
    lastUpdateDateTime: '2024-06-20T09:14:56.2290000Z',
    evidence: [
      {
        '@odata.type': '#microsoft.graph.security.deviceEvidence',
        roles: ['compromised'],
        deviceDnsName: 'WS-0142.corp.example.com',
        ipInterfaces: ['10.20.3.14', 'fe80::1c2d:3e4f:5a6b:7c8d'],
      },
      {
        '@odata.type': '#microsoft.graph.security.userEvidence',
        userAccount: {
          accountName: 'jdoe',
          domainName: 'CORP',
          userPrincipalName: 'jdoe@corp.example.com',
        },
      },
      {
        '@odata.type': '#microsoft.graph.security.ipEvidence',
        roles: ['commandAndControl'],
        ipAddress: '198.51.100.77',
      },
      {
        '@odata.type': '#microsoft.graph.security.fileEvidence',
        fileDetails: { fileName: 'mimi.exe', sha256: 'B'.repeat(64), sha1: 'c'.repeat(40) },
      },
      { '@odata.type': '#microsoft.graph.security.urlEvidence', url: 'https://dl.example.org/m' },
    ],
    ...overrides,
  };
}

function parse(record: unknown): ParseOutcome {
  return msgraphAdapter.parse(record, RECEIVED_AT);
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

describe('msgraph adapter', () => {
  it('turns an alert into a normalised signal', () => {
    const record = buildAlert();

    expect(parse(record)).toEqual({
      kind: 'signal',
      signal: {
        format: 'msgraph',
        sourceKind: 'automated_alert',
        sourceEventId: 'da638551227677560813_-961444813@2024-06-20T09:14:56.229Z',
        occurredAt: '2024-06-20T09:14:56.229Z',
        originalTimestamp: '2024-06-20T09:14:56.2290000Z',
        title: "Suspicious 'Mimikatz' hacktool was detected",
        severity: 'high',
        fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
        host: 'WS-0142.corp.example.com',
        sourceIp: null,
        destinationIp: '198.51.100.77',
        principal: 'jdoe@corp.example.com',
        exerciseId: null,
        observables: expect.arrayContaining([
          { kind: 'ip', value: '198.51.100.77', tags: ['destination', 'evidence'] },
          { kind: 'ip', value: '10.20.3.14', tags: ['device'] },
          { kind: 'hash', value: 'b'.repeat(64), tags: ['file', 'sha256'] },
          { kind: 'hash', value: 'c'.repeat(40), tags: ['file', 'sha1'] },
        ]) as unknown,
        raw: record,
      },
    });
  });

  it('maps informational and low to low, medium and unknown to medium, high to high', () => {
    const levels = ['informational', 'low', 'medium', 'unknown', 'unknownFutureValue', 'high'];

    const severities = levels.map((severity) => signalOf(buildAlert({ severity })).severity);

    expect(severities).toEqual(['low', 'low', 'medium', 'medium', 'medium', 'high']);
  });

  it('keeps a resolved alert as a signal: the detection still fired', () => {
    const resolved = buildAlert({ status: 'resolved', classification: 'truePositive' });

    expect(parse(resolved)).toMatchObject({ kind: 'signal', signal: { severity: 'high' } });
  });

  it('takes an address without a destination role as the source', () => {
    const signIn = buildAlert({
      evidence: [
        { '@odata.type': '#microsoft.graph.security.ipEvidence', ipAddress: '185.220.101.9' },
      ],
    });

    expect(signalOf(signIn)).toMatchObject({ sourceIp: '185.220.101.9', destinationIp: null });
  });

  it('reads evidence types from Panther’s renamed at_sign_odata_type key', () => {
    const renamed = buildAlert({
      evidence: [
        {
          at_sign_odata_type: '#microsoft.graph.security.userEvidence',
          userAccount: { accountName: 'homer' },
        },
      ],
    });

    expect(signalOf(renamed).principal).toBe('homer');
  });

  it('falls back to createdDateTime when lastUpdateDateTime is absent', () => {
    const signal = signalOf(buildAlert({ lastUpdateDateTime: undefined }));

    expect(signal.occurredAt).toBe('2024-06-20T09:12:03.123Z');
  });

  describe('rejections', () => {
    it.each([
      ['a missing id', { id: undefined }, 'BD_INTAKE_FIELD_MISSING', 'id'],
      ['a numeric title', { title: 42 }, 'BD_INTAKE_FIELD_INVALID', 'title'],
      [
        'no lastUpdateDateTime nor createdDateTime',
        { lastUpdateDateTime: null, createdDateTime: undefined },
        'BD_INTAKE_FIELD_MISSING',
        'lastUpdateDateTime',
      ],
      [
        'an unreadable lastUpdateDateTime',
        { lastUpdateDateTime: 'Thursday' },
        'BD_INTAKE_FIELD_INVALID',
        'lastUpdateDateTime',
      ],
      ['a missing severity', { severity: undefined }, 'BD_INTAKE_FIELD_MISSING', 'severity'],
      ['an unknown severity word', { severity: 'severe' }, 'BD_INTAKE_FIELD_INVALID', 'severity'],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildAlert(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });
  });

  describe('fingerprint', () => {
    it('is the same when only times, status and severity change', () => {
      const update = buildAlert({
        lastUpdateDateTime: '2024-06-21T00:00:00Z',
        status: 'inProgress',
        severity: 'medium',
      });

      expect(signalOf(update).fingerprint).toBe(signalOf(buildAlert()).fingerprint);
    });

    it('differs for another device', () => {
      const evidence = (buildAlert().evidence as Record<string, unknown>[]).map((item) =>
        item.deviceDnsName ? { ...item, deviceDnsName: 'WS-0999.corp.example.com' } : item,
      );

      expect(signalOf(buildAlert({ evidence })).fingerprint).not.toBe(
        signalOf(buildAlert()).fingerprint,
      );
    });
  });

  it('reads each alert of a list response ({"value": […]}) as its own record', async () => {
    const page = JSON.stringify({ '@odata.context': 'x', value: [buildAlert(), buildAlert()] });

    const items = await collect(bodyRecords(msgraphAdapter, page));

    expect(items.map((item) => 'record' in item && parse(item.record).kind)).toEqual([
      'signal',
      'signal',
    ]);
  });
});

describe.skipIf(!hasPublicData)('msgraph adapter on panther msgraph_security_alert_v2', () => {
  async function sampleOutcomes(): Promise<ParseOutcome[]> {
    const items = await collect(fileRecords(msgraphAdapter, SAMPLE));
    return items.map((item) =>
      'record' in item ? parse(item.record) : { kind: 'skipped', reason: item.error },
    );
  }

  it('turns all 4 alerts, the resolved one included, into signals', async () => {
    const outcomes = await sampleOutcomes();

    expect(outcomes.map((o) => (o.kind === 'signal' ? o.signal.severity : o.kind))).toEqual([
      'medium',
      'high',
      'high',
      'low',
    ]);
  });

  it('reads the anonymous-IP sign-in alert (line 1) exactly', async () => {
    const [first] = await sampleOutcomes();

    expect(first).toMatchObject({
      kind: 'signal',
      signal: {
        sourceEventId: 'abcd12345efghijk6789@2026-04-01T14:34:56.229Z',
        occurredAt: '2026-04-01T14:34:56.229Z',
        title: 'Anonymous IP address',
        sourceIp: '185.220.103.6',
        principal: 'homer.simpson@corporation.onmicrosoft.com',
        host: null,
      },
    });
  });
});

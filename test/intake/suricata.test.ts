import { describe, expect, it } from 'vitest';

import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { suricataAdapter } from '../../src/intake/suricata.ts';

const RECEIVED_AT = new Date('2024-03-10T07:00:00Z');

/** An EVE alert shaped like Suricata 8 output; `overrides` replace top-level fields. */
function buildEveAlert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: '2024-03-10T01:30:00.123456-0500',
    flow_id: 1539072613142662,
    in_iface: 'eth0',
    event_type: 'alert',
    src_ip: '203.0.113.9',
    src_port: 51234,
    dest_ip: '10.0.0.5',
    dest_port: 443,
    proto: 'TCP',
    alert: {
      action: 'allowed',
      gid: 1,
      signature_id: 2010935,
      rev: 3,
      signature: 'ET SCAN Suspicious inbound to MSSQL port 1433',
      category: 'Potentially Bad Traffic',
      severity: 2,
    },
    ...overrides,
  };
}

function buildAlertSection(overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...(buildEveAlert().alert as Record<string, unknown>), ...overrides };
}

function parse(record: unknown): ParseOutcome {
  return suricataAdapter.parse(record, RECEIVED_AT);
}

function fingerprintOf(record: unknown): string {
  const outcome = parse(record);
  return outcome.kind === 'signal' ? outcome.signal.fingerprint : `not a signal: ${outcome.kind}`;
}

describe('suricata adapter', () => {
  it('turns an alert event into a normalised signal', () => {
    const record = buildEveAlert();

    expect(parse(record)).toEqual({
      kind: 'signal',
      signal: expect.objectContaining({
        format: 'suricata',
        sourceKind: 'automated_alert',
        sourceEventId: '1539072613142662:2024-03-10T01:30:00.123456-0500:2010935',
        occurredAt: '2024-03-10T06:30:00.123Z',
        originalTimestamp: '2024-03-10T01:30:00.123456-0500',
        title: 'ET SCAN Suspicious inbound to MSSQL port 1433',
        severity: 'medium',
        host: null,
        sourceIp: '203.0.113.9',
        destinationIp: '10.0.0.5',
        principal: null,
        exerciseId: null,
        raw: record,
      }) as unknown,
    });
  });

  it('maps Suricata priority 1 to high, 2 to medium, 3 and above to low', () => {
    const severityFor = (severity: number): unknown => {
      const outcome = parse(buildEveAlert({ alert: buildAlertSection({ severity }) }));
      return outcome.kind === 'signal' ? outcome.signal.severity : outcome;
    };

    expect([1, 2, 3, 4].map(severityFor)).toEqual(['high', 'medium', 'low', 'low']);
  });

  it('skips non-alert events and names their event_type', () => {
    expect(parse({ event_type: 'http', timestamp: 'whatever' })).toEqual({
      kind: 'skipped',
      reason: 'event_type "http" is not an alert',
    });
  });

  it('takes the sensor name from host and takes a content id without a flow_id', () => {
    const outcome = parse(buildEveAlert({ host: 'sensor-fra-1', flow_id: undefined }));

    expect(outcome).toMatchObject({
      kind: 'signal',
      signal: {
        host: 'sensor-fra-1',
        sourceEventId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      },
    });
  });

  describe('rejections', () => {
    it.each([
      ['a missing timestamp', { timestamp: undefined }, 'BD_INTAKE_FIELD_MISSING', 'timestamp'],
      [
        'a timestamp without offset',
        { timestamp: '2024-03-10T01:30:00' },
        'BD_INTAKE_FIELD_INVALID',
        'timestamp',
      ],
      [
        'an unparseable timestamp',
        { timestamp: 'Mar 10 01:30:00' },
        'BD_INTAKE_FIELD_INVALID',
        'timestamp',
      ],
      ['a missing event_type', { event_type: undefined }, 'BD_INTAKE_FIELD_MISSING', 'event_type'],
      [
        'a missing alert object',
        { alert: undefined },
        'BD_INTAKE_FIELD_MISSING',
        'alert.signature',
      ],
      [
        'a missing alert.signature',
        { alert: buildAlertSection({ signature: undefined }) },
        'BD_INTAKE_FIELD_MISSING',
        'alert.signature',
      ],
      [
        'a missing alert.signature_id',
        { alert: buildAlertSection({ signature_id: undefined }) },
        'BD_INTAKE_FIELD_MISSING',
        'alert.signature_id',
      ],
      [
        'a non-integer alert.signature_id',
        { alert: buildAlertSection({ signature_id: 'ET-1' }) },
        'BD_INTAKE_FIELD_INVALID',
        'alert.signature_id',
      ],
      [
        'an alert.severity of 0',
        { alert: buildAlertSection({ severity: 0 }) },
        'BD_INTAKE_FIELD_INVALID',
        'alert.severity',
      ],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildEveAlert(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });

    it('rejects a record that is not a JSON object, with no field', () => {
      expect(parse(['alert'])).toMatchObject({
        kind: 'rejected',
        code: 'BD_INTAKE_FIELD_INVALID',
        field: null,
        reason: 'record must be a JSON object, got an array',
      });
    });
  });

  describe('fingerprint', () => {
    it('is the same when only the ports, timestamp and flow change', () => {
      const first = buildEveAlert();
      const again = buildEveAlert({
        src_port: 60001,
        dest_port: 8443,
        timestamp: '2024-03-11T09:00:00.000001+0000',
        flow_id: 42,
      });

      expect(fingerprintOf(again)).toBe(fingerprintOf(first));
    });

    it('differs when the destination address differs', () => {
      expect(fingerprintOf(buildEveAlert({ dest_ip: '10.0.0.6' }))).not.toBe(
        fingerprintOf(buildEveAlert()),
      );
    });

    it('differs when the signature differs', () => {
      const other = buildEveAlert({ alert: buildAlertSection({ signature_id: 2010936 }) });

      expect(fingerprintOf(other)).not.toBe(fingerprintOf(buildEveAlert()));
    });

    it('does not depend on how an IPv6 address is spelled', () => {
      const lower = buildEveAlert({ src_ip: '2001:db8::1' });
      const upper = buildEveAlert({ src_ip: '2001:DB8:0:0:0:0:0:1' });

      expect(fingerprintOf(upper)).toBe(fingerprintOf(lower));
    });

    it('does not depend on the arrival time', () => {
      const record = buildEveAlert();
      const later = suricataAdapter.parse(record, new Date('2030-01-01T00:00:00Z'));

      expect(later).toMatchObject({ signal: { fingerprint: fingerprintOf(record) } });
    });
  });
});

describe('Suricata EVE inside another envelope', () => {
  const received = new Date('2024-03-10T07:00:00Z');

  it('reads the EVE record an AWS Network Firewall log nests under event', () => {
    const eve = { ...buildEveAlert(), host: undefined };
    const envelope = {
      firewall_name: 'prod-egress-fw',
      availability_zone: 'eu-central-1a',
      event_timestamp: '1710052200',
      event: eve,
    };
    const outcome = suricataAdapter.parse(envelope, received);
    const alone = suricataAdapter.parse(buildEveAlert(), received);

    expect(outcome).toMatchObject({
      kind: 'signal',
      signal: { host: 'prod-egress-fw', raw: envelope },
    });
    expect(outcome.kind === 'signal' && alone.kind === 'signal').toBe(true);
    if (outcome.kind === 'signal' && alone.kind === 'signal') {
      expect(outcome.signal.fingerprint).toBe(alone.signal.fingerprint);
      expect(outcome.signal.occurredAt).toBe(alone.signal.occurredAt);
    }
  });

  it('reads EVE JSON a shipper put in message, and names the path of a bad nested field', () => {
    const shipped = {
      '@timestamp': '2024-03-10T06:30:01Z',
      message: JSON.stringify(buildEveAlert()),
    };
    expect(suricataAdapter.parse(shipped, received)).toMatchObject({ kind: 'signal' });

    const broken = { firewall_name: 'fw', event: { ...buildEveAlert(), timestamp: 'yesterday' } };
    expect(suricataAdapter.parse(broken, received)).toMatchObject({
      kind: 'rejected',
      field: 'event.timestamp',
    });
  });
});

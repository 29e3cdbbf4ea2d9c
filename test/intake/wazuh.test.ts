import { describe, expect, it } from 'vitest';

import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { wazuhAdapter } from '../../src/intake/wazuh.ts';

const RECEIVED_AT = new Date('2024-01-01T10:05:00Z');

/** A Wazuh sshd alert as alerts.json holds it; `overrides` replace top-level fields. */
function buildWazuhAlert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    timestamp: '2024-01-01T10:00:00.000+0000',
    rule: { level: 10, description: 'sshd: brute force trying to get access', id: '5712' },
    agent: { id: '003', name: 'web-01' },
    manager: { name: 'wazuh-manager' },
    id: '1704103200.123456',
    data: { srcip: '198.51.100.7', srcport: '50122', srcuser: 'admin' },
    location: '/var/log/auth.log',
    ...overrides,
  };
}

function buildRule(overrides: Record<string, unknown>): Record<string, unknown> {
  return { ...(buildWazuhAlert().rule as Record<string, unknown>), ...overrides };
}

function parse(record: unknown): ParseOutcome {
  return wazuhAdapter.parse(record, RECEIVED_AT);
}

function fingerprintOf(record: unknown): string {
  const outcome = parse(record);
  return outcome.kind === 'signal' ? outcome.signal.fingerprint : `not a signal: ${outcome.kind}`;
}

describe('wazuh adapter', () => {
  it('turns an alert into a normalised signal', () => {
    const record = buildWazuhAlert();

    expect(parse(record)).toEqual({
      kind: 'signal',
      signal: expect.objectContaining({
        format: 'wazuh',
        sourceKind: 'automated_alert',
        sourceEventId: '1704103200.123456',
        occurredAt: '2024-01-01T10:00:00.000Z',
        originalTimestamp: '2024-01-01T10:00:00.000+0000',
        title: 'sshd: brute force trying to get access',
        severity: 'medium',
        host: 'web-01',
        sourceIp: '198.51.100.7',
        destinationIp: null,
        principal: 'admin',
        exerciseId: null,
        raw: record,
      }) as unknown,
    });
  });

  it('maps level 12+ to high, 7–11 to medium and below 7 to low', () => {
    const severityFor = (level: unknown): unknown => {
      const outcome = parse(buildWazuhAlert({ rule: buildRule({ level }) }));
      return outcome.kind === 'signal' ? outcome.signal.severity : outcome;
    };

    expect([15, 12, 11, 7, 6, 0].map(severityFor)).toEqual([
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
    ]);
  });

  it('reads a level the indexer turned into a string', () => {
    const outcome = parse(buildWazuhAlert({ rule: buildRule({ level: '13' }) }));

    expect(outcome).toMatchObject({ kind: 'signal', signal: { severity: 'high' } });
  });

  it('prefers the target account (dstuser) over the acting one (srcuser)', () => {
    const record = buildWazuhAlert({ data: { srcuser: 'alice', dstuser: 'root' } });

    expect(parse(record)).toMatchObject({ signal: { principal: 'root' } });
  });

  it('leaves sourceIp null when data.srcip is a placeholder, not an address', () => {
    const record = buildWazuhAlert({ data: { srcip: '<puiblic-ip>' } });

    expect(parse(record)).toMatchObject({ kind: 'signal', signal: { sourceIp: null } });
  });

  describe('rejections', () => {
    it.each([
      ['a missing timestamp', { timestamp: undefined }, 'BD_INTAKE_FIELD_MISSING', 'timestamp'],
      [
        'a timestamp without offset',
        { timestamp: '2024-01-01T10:00:00.000' },
        'BD_INTAKE_FIELD_INVALID',
        'timestamp',
      ],
      ['a missing rule', { rule: undefined }, 'BD_INTAKE_FIELD_MISSING', 'rule.id'],
      [
        'a missing rule.id',
        { rule: buildRule({ id: undefined }) },
        'BD_INTAKE_FIELD_MISSING',
        'rule.id',
      ],
      ['an object rule.id', { rule: buildRule({ id: {} }) }, 'BD_INTAKE_FIELD_INVALID', 'rule.id'],
      [
        'a missing rule.description',
        { rule: buildRule({ description: undefined }) },
        'BD_INTAKE_FIELD_MISSING',
        'rule.description',
      ],
      [
        'a non-numeric rule.level',
        { rule: buildRule({ level: 'high' }) },
        'BD_INTAKE_FIELD_INVALID',
        'rule.level',
      ],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildWazuhAlert(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });
  });

  describe('fingerprint', () => {
    it('is the same when only the timestamp, alert id and source port change', () => {
      const again = buildWazuhAlert({
        timestamp: '2024-01-02T08:00:00.000+0100',
        id: '1704178800.999',
        data: { srcip: '198.51.100.7', srcport: '61000', srcuser: 'admin' },
      });

      expect(fingerprintOf(again)).toBe(fingerprintOf(buildWazuhAlert()));
    });

    it('is the same whether rule.id arrives as text or as a number', () => {
      const numeric = buildWazuhAlert({ rule: buildRule({ id: 5712 }) });

      expect(fingerprintOf(numeric)).toBe(fingerprintOf(buildWazuhAlert()));
    });

    it('differs for another agent', () => {
      const other = buildWazuhAlert({ agent: { id: '004', name: 'web-02' } });

      expect(fingerprintOf(other)).not.toBe(fingerprintOf(buildWazuhAlert()));
    });

    it('differs for another user', () => {
      const other = buildWazuhAlert({ data: { srcip: '198.51.100.7', srcuser: 'backup' } });

      expect(fingerprintOf(other)).not.toBe(fingerprintOf(buildWazuhAlert()));
    });
  });
});

/**
 * No ECS alert export is among the public samples; the fixtures are written from the ECS
 * field reference (elastic.co/guide/en/ecs/current/ecs-field-reference.html) and Elastic
 * Security's alert schema (elastic.co/guide/en/security/current/alert-schema.html).
 */
import { describe, expect, it } from 'vitest';

import type { NormalizedSignal } from '../../src/domain/types.ts';
import { ecsAdapter } from '../../src/intake/ecs.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { bodyRecords } from '../../src/intake/registry.ts';
import { observable } from '../support/observable-matchers.ts';

const RECEIVED_AT = new Date('2024-03-10T07:00:00Z');

/** A Kibana 8 detection alert as stored in .alerts-security.alerts-default (nested form). */
function buildKibanaAlert(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@timestamp': '2024-03-10T06:30:00.123Z',
    event: { kind: 'signal', category: ['network'], action: 'connection_attempted' },
    kibana: {
      alert: {
        uuid: '5e1f4e3b9f0c4d1a8a1b2c3d4e5f6a7b',
        severity: 'high',
        risk_score: 73,
        rule: {
          name: 'Connection to Known C2 Server',
          rule_id: '0f6a5e2c-3d3b-4c5e-9a7a-1b2c3d4e5f60',
          uuid: 'a1b2c3d4-0000-4000-8000-000000000001',
        },
        original_time: '2024-03-10T06:29:58.000Z',
      },
    },
    host: { name: 'web-01', ip: ['10.0.0.5', 'fe80::1'] },
    source: { ip: '10.0.0.5', port: 51234 },
    destination: { ip: '203.0.113.9', port: 443, domain: 'c2.example.net' },
    user: { name: 'svc-web', email: 'svc-web@example.org' },
    url: { full: 'https://c2.example.net/beacon' },
    dns: { question: { name: 'c2.example.net' } },
    file: { hash: { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' } },
    ...overrides,
  };
}

/** The same alert as Elastic's exports often write it: one flat dotted key per field. */
function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const nested = typeof child === 'object' && child !== null && !Array.isArray(child);
    Object.assign(
      flat,
      nested ? flatten(child as Record<string, unknown>, path) : { [path]: child },
    );
  }
  return flat;
}

function parse(record: unknown): ParseOutcome {
  return ecsAdapter.parse(record, RECEIVED_AT);
}

function signalOf(record: unknown): NormalizedSignal {
  const outcome = parse(record);
  if (outcome.kind !== 'signal')
    throw new Error(`expected a signal, got ${JSON.stringify(outcome)}`);
  return outcome.signal;
}

describe('ecs adapter', () => {
  it('turns a Kibana detection alert into a signal', () => {
    const record = buildKibanaAlert();

    expect(signalOf(record)).toMatchObject({
      format: 'ecs',
      sourceEventId: '5e1f4e3b9f0c4d1a8a1b2c3d4e5f6a7b',
      occurredAt: '2024-03-10T06:30:00.123Z',
      originalTimestamp: '2024-03-10T06:30:00.123Z',
      title: 'Connection to Known C2 Server',
      severity: 'high',
      host: 'web-01',
      sourceIp: '10.0.0.5',
      destinationIp: '203.0.113.9',
      principal: 'svc-web',
      raw: record,
    });
  });

  it('collects addresses, domains, URL, hash, user and e-mail as observables', () => {
    const observables = signalOf(buildKibanaAlert()).observables;

    expect(observables).toEqual(
      expect.arrayContaining([
        observable('ip', '10.0.0.5', 'host', 'source'),
        observable('ip', 'fe80::1', 'host'),
        observable('domain', 'c2.example.net', 'destination', 'dns'),
        observable('url', 'https://c2.example.net/beacon', 'url'),
        observable(
          'hash',
          'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
          'sha256',
        ),
        observable('principal', 'svc-web', 'user'),
        observable('email', 'svc-web@example.org', 'user'),
      ]),
    );
  });

  it('reads flat dotted keys exactly as the nested form', () => {
    const nested = signalOf(buildKibanaAlert());
    const flat = signalOf(flatten(buildKibanaAlert()));

    expect({ ...flat, raw: null }).toEqual({ ...nested, raw: null });
  });

  it('reads a mix of dotted and nested keys', () => {
    const mixed = {
      '@timestamp': '2024-03-10T06:30:00Z',
      'event.kind': 'alert',
      'kibana.alert': { rule: { name: 'Mixed' }, severity: 'low' },
      host: { name: 'db-02' },
    };

    expect(signalOf(mixed)).toMatchObject({ title: 'Mixed', severity: 'low', host: 'db-02' });
  });

  it('reads a 7.x signal document (signal.rule.*)', () => {
    const legacy = {
      '@timestamp': '2021-06-01T10:00:00.000Z',
      event: { kind: 'signal' },
      signal: { rule: { name: 'Old rule', rule_id: 'r-1', severity: 'critical', risk_score: 99 } },
    };

    expect(signalOf(legacy)).toMatchObject({ title: 'Old rule', severity: 'high' });
  });

  it('reads a plain ECS alert with rule.name and event.id', () => {
    const alert = {
      '@timestamp': '2024-03-10T01:30:00-05:00',
      event: { kind: 'alert', id: 'evt-42', severity: 47 },
      rule: { name: 'ET SCAN Nmap', id: '2009582' },
      source: { ip: '2001:DB8:0:0:0:0:0:1' },
    };

    expect(signalOf(alert)).toMatchObject({
      sourceEventId: 'evt-42',
      occurredAt: '2024-03-10T06:30:00.000Z',
      severity: 'medium',
      sourceIp: '2001:db8::1',
    });
  });

  it('unwraps an Elasticsearch search hit and takes _id when the alert has no id', () => {
    const source = { ...buildKibanaAlert(), kibana: { alert: { rule: { name: 'Hit' } } } };

    expect(signalOf({ _index: '.alerts', _id: 'hit-1', _source: source })).toMatchObject({
      title: 'Hit',
      sourceEventId: 'hit-1',
    });
  });

  it('reads @timestamp given as epoch milliseconds', () => {
    expect(signalOf(buildKibanaAlert({ '@timestamp': 1710052200123 })).occurredAt).toBe(
      '2024-03-10T06:30:00.123Z',
    );
  });

  it.each([
    [{ 'kibana.alert.severity': 'critical' }, 'high'],
    [{ 'kibana.alert.severity': 'Medium' }, 'medium'],
    [{ 'kibana.alert.risk_score': 73 }, 'high'],
    [{ 'kibana.alert.risk_score': '47' }, 'medium'],
    [{ 'event.severity': 21 }, 'low'],
    [{}, 'medium'],
  ])('maps %j to %s', (severity, expected) => {
    const record = {
      '@timestamp': '2024-03-10T06:30:00Z',
      'event.kind': 'alert',
      'rule.name': 'r',
    };

    expect(signalOf({ ...record, ...severity }).severity).toBe(expected);
  });

  it.each(['event', 'metric', 'state', 'enrichment'])('skips event.kind %s', (kind) => {
    expect(parse(buildKibanaAlert({ event: { kind } }))).toEqual({
      kind: 'skipped',
      reason: `event.kind "${kind}" is not an alert or signal`,
    });
  });

  it('skips a document without event.kind', () => {
    expect(parse(buildKibanaAlert({ event: {} }))).toMatchObject({ kind: 'skipped' });
  });

  describe('fingerprint', () => {
    it('ignores the alert id, the time and the ports', () => {
      const again = buildKibanaAlert({
        '@timestamp': '2024-03-11T00:00:00Z',
        source: { ip: '10.0.0.5', port: 60001 },
      });
      (again.kibana as { alert: Record<string, unknown> }).alert.uuid = 'another';

      expect(signalOf(again).fingerprint).toBe(signalOf(buildKibanaAlert()).fingerprint);
    });

    it('differs for another host', () => {
      expect(signalOf(buildKibanaAlert({ host: { name: 'web-02' } })).fingerprint).not.toBe(
        signalOf(buildKibanaAlert()).fingerprint,
      );
    });
  });

  describe('rejections', () => {
    it.each([
      [
        'a missing @timestamp',
        { '@timestamp': undefined },
        'BD_INTAKE_FIELD_MISSING',
        '@timestamp',
      ],
      [
        'a @timestamp without offset',
        { '@timestamp': '2024-03-10T06:30:00' },
        'BD_INTAKE_FIELD_INVALID',
        '@timestamp',
      ],
      ['a missing rule name', { kibana: {} }, 'BD_INTAKE_FIELD_MISSING', 'rule.name'],
      [
        'a rule name that is not text',
        { kibana: { alert: { rule: { name: 7 } } } },
        'BD_INTAKE_FIELD_INVALID',
        'kibana.alert.rule.name',
      ],
      [
        'an unknown severity label',
        { kibana: { alert: { rule: { name: 'r' }, severity: 'urgent' } } },
        'BD_INTAKE_FIELD_INVALID',
        'kibana.alert.severity',
      ],
      [
        'a negative risk score',
        { kibana: { alert: { rule: { name: 'r' }, risk_score: -1 } } },
        'BD_INTAKE_FIELD_INVALID',
        'kibana.alert.risk_score',
      ],
      [
        'an event.kind that is not text',
        { event: { kind: 1 } },
        'BD_INTAKE_FIELD_INVALID',
        'event.kind',
      ],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildKibanaAlert(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });
  });
});

describe('ecs reader', () => {
  it('takes a pretty-printed array of alerts, as an export writes it', () => {
    const body = JSON.stringify([buildKibanaAlert(), flatten(buildKibanaAlert())], null, 2);

    const lines = [...bodyRecords(ecsAdapter, body)].map((item) => item.line);

    expect(lines).toEqual([2, expect.any(Number)]);
  });
});

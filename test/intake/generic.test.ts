import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

import { GENERIC_MAX_TEXT, genericAdapter } from '../../src/intake/generic.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';

const RECEIVED_AT = new Date('2024-05-02T09:00:00Z');

/** A generic record with every optional field set; `overrides` replace fields. */
function buildGenericRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2024-05-02T10:15:00+02:00',
    title: 'Bulk export of customer table by service account',
    sourceKind: 'internal_report',
    severity: 'high',
    id: 'ticket-4711',
    host: 'db-eu-3',
    sourceIp: '10.20.0.14',
    destinationIp: '10.20.1.2',
    principal: 'svc-reporting',
    ...overrides,
  };
}

function parse(record: unknown): ParseOutcome {
  return genericAdapter.parse(record, RECEIVED_AT);
}

function fingerprintOf(record: unknown): string {
  const outcome = parse(record);
  return outcome.kind === 'signal' ? outcome.signal.fingerprint : `not a signal: ${outcome.kind}`;
}

describe('generic adapter', () => {
  it('turns a complete record into a signal', () => {
    const record = buildGenericRecord();

    expect(parse(record)).toEqual({
      kind: 'signal',
      signal: expect.objectContaining({
        format: 'generic',
        sourceKind: 'internal_report',
        sourceEventId: 'ticket-4711',
        occurredAt: '2024-05-02T08:15:00.000Z',
        originalTimestamp: '2024-05-02T10:15:00+02:00',
        title: 'Bulk export of customer table by service account',
        severity: 'high',
        host: 'db-eu-3',
        sourceIp: '10.20.0.14',
        destinationIp: '10.20.1.2',
        principal: 'svc-reporting',
        exerciseId: null,
        raw: record,
      }) as unknown,
    });
  });

  it('needs only time and title, defaulting to an automated alert of medium severity', () => {
    const outcome = parse({ time: '2024-05-02T08:15:00Z', title: 'Canary token opened' });

    expect(outcome).toMatchObject({
      kind: 'signal',
      signal: {
        sourceKind: 'automated_alert',
        severity: 'medium',
        // No `id`: the record's own hash is its id (content-event-id.ts).
        sourceEventId: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
        host: null,
      },
    });
  });

  it('accepts a numeric sender id as its decimal text', () => {
    expect(parse(buildGenericRecord({ id: 981 }))).toMatchObject({
      signal: { sourceEventId: '981' },
    });
  });

  it('carries the exercise id of a red-team signal', () => {
    const record = buildGenericRecord({ sourceKind: 'red_team', exerciseId: 'RT-2024-07' });

    expect(parse(record)).toMatchObject({
      signal: { sourceKind: 'red_team', exerciseId: 'RT-2024-07' },
    });
  });

  describe('rejections', () => {
    it.each([
      ['a missing time', { time: undefined }, 'BD_INTAKE_FIELD_MISSING', 'time'],
      ['a time without offset', { time: '2024-05-02T10:15:00' }, 'BD_INTAKE_FIELD_INVALID', 'time'],
      ['a missing title', { title: undefined }, 'BD_INTAKE_FIELD_MISSING', 'title'],
      ['a blank title', { title: '   ' }, 'BD_INTAKE_FIELD_MISSING', 'title'],
      ['a numeric title', { title: 42 }, 'BD_INTAKE_FIELD_INVALID', 'title'],
      ['an unknown sourceKind', { sourceKind: 'siem' }, 'BD_INTAKE_FIELD_INVALID', 'sourceKind'],
      ['an unknown severity', { severity: 'critical' }, 'BD_INTAKE_FIELD_INVALID', 'severity'],
      [
        'a sourceIp that is not an address',
        { sourceIp: '10.20.0' },
        'BD_INTAKE_FIELD_INVALID',
        'sourceIp',
      ],
      ['a host that is not text', { host: ['db-eu-3'] }, 'BD_INTAKE_FIELD_INVALID', 'host'],
      [
        'a red_team signal without exerciseId',
        { sourceKind: 'red_team' },
        'BD_INTAKE_FIELD_MISSING',
        'exerciseId',
      ],
      [
        'an exerciseId on a signal that is not red_team',
        { exerciseId: 'RT-2024-07' },
        'BD_INTAKE_FIELD_INVALID',
        'exerciseId',
      ],
      [
        'empty fingerprintKeys',
        { fingerprintKeys: [] },
        'BD_INTAKE_FIELD_INVALID',
        'fingerprintKeys',
      ],
      [
        'a fingerprint key that is not text',
        { fingerprintKeys: ['db-eu-3', 7] },
        'BD_INTAKE_FIELD_INVALID',
        'fingerprintKeys[1]',
      ],
    ])('rejects %s with its field path', (_label, overrides, code, field) => {
      expect(parse(buildGenericRecord(overrides))).toMatchObject({ kind: 'rejected', code, field });
    });

    it('rejects a title longer than the limit and says what the limit is', () => {
      const outcome = parse(buildGenericRecord({ title: 'x'.repeat(GENERIC_MAX_TEXT + 1) }));

      expect(outcome).toMatchObject({
        kind: 'rejected',
        field: 'title',
        reason: `title is ${GENERIC_MAX_TEXT + 1} characters long; at most 500 are accepted`,
      });
    });

    it('lists the accepted source kinds when one is unknown', () => {
      const outcome = parse(buildGenericRecord({ sourceKind: 'siem' }));

      expect(outcome).toMatchObject({ reason: expect.stringContaining('red_team') as unknown });
    });
  });

  describe('fingerprint', () => {
    it('ignores time, id, severity and destination when no keys are given', () => {
      const again = buildGenericRecord({
        time: '2024-06-01T00:00:00Z',
        id: 'ticket-9000',
        severity: 'low',
        destinationIp: '10.99.0.1',
      });

      expect(fingerprintOf(again)).toBe(fingerprintOf(buildGenericRecord()));
    });

    it('changes with title, host, sourceIp or principal when no keys are given', () => {
      const base = fingerprintOf(buildGenericRecord());
      const variants = [
        { title: 'Another title' },
        { host: 'db-eu-4' },
        { sourceIp: '10.20.0.15' },
        { principal: 'svc-backup' },
      ].map((overrides) => fingerprintOf(buildGenericRecord(overrides)));

      expect(new Set([base, ...variants]).size).toBe(5);
    });

    it('uses the sender fingerprintKeys instead of the default fields', () => {
      const keyed = (overrides: Record<string, unknown>): string =>
        fingerprintOf(
          buildGenericRecord({ fingerprintKeys: ['job-17', 'bucket-a'], ...overrides }),
        );

      expect(keyed({ title: 'Different wording', host: 'other' })).toBe(keyed({}));
    });

    it('never merges a red-team signal with a real one of the same title', () => {
      const real = buildGenericRecord({ sourceKind: 'automated_alert' });
      const exercise = buildGenericRecord({ sourceKind: 'red_team', exerciseId: 'RT-1' });

      expect(fingerprintOf(exercise)).not.toBe(fingerprintOf(real));
    });
  });
});

describe('docs/intake-generic.md', () => {
  it('shows examples that the adapter accepts as described', () => {
    const doc = readFileSync(new URL('../../docs/intake-generic.md', import.meta.url), 'utf8');
    const examples = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map(
      ([, json]) => JSON.parse(json ?? '') as unknown,
    );

    expect(examples.map((example) => parse(example).kind)).toEqual(['signal', 'signal']);
    expect(parse(examples[0])).toMatchObject({
      signal: { occurredAt: '2024-05-02T08:15:00.000Z', severity: 'high' },
    });
  });
});

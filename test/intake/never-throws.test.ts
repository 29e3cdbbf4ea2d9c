import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ERROR_CODES } from '../../src/domain/errors.ts';
import type { ParseOutcome } from '../../src/intake/outcome.ts';
import { parseRecordsFromBody } from '../../src/intake/records.ts';
import { INTAKE_FORMATS, adapterFor } from '../../src/intake/registry.ts';
import {
  nearlyValidAsff,
  nearlyValidCrowdstrike,
  nearlyValidGuardduty,
  nearlyValidMsgraph,
} from '../support/finding-arbitraries.ts';
import { fastAdapter } from '../../src/intake/fast.ts';
import { jsonDocumentsFromBody } from '../../src/intake/json-documents.ts';
import { zeekRecordsFromBody } from '../../src/intake/zeek-log-reader.ts';
import {
  nearlyValidEcs,
  nearlyValidFastLine,
  nearlyValidOcsf,
  nearlyValidZeek,
} from '../support/intake-arbitraries.ts';

const OUTCOME_KINDS = ['signal', 'skipped', 'rejected'];

// Times of receipt: mostly this era, where year-less stamps (fast logs) can be placed, and
// sometimes any date at all, invalid ones included. Uniform fc.date() spans ±270,000 years, so
// a year-less line almost never lands in a usable year and a run of 500 could see no signal.
const receivedAt = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.date({
      min: new Date('1990-01-01T00:00:00Z'),
      max: new Date('2100-01-01T00:00:00Z'),
      noInvalidDate: true,
    }),
  },
  { weight: 1, arbitrary: fc.date() },
);

// Records that look nearly right reach deeper checks than fully random values do.
const nearlyValid = fc.record(
  {
    event_type: fc.oneof(fc.constant('alert'), fc.anything()),
    timestamp: fc.oneof(fc.constant('2024-01-01T00:00:00.5+0100'), fc.string(), fc.anything()),
    time: fc.oneof(fc.constant('2024-01-01T00:00:00Z'), fc.anything()),
    title: fc.oneof(fc.string(), fc.anything()),
    alert: fc.record(
      { signature: fc.anything(), signature_id: fc.anything(), severity: fc.anything() },
      { requiredKeys: [] },
    ),
    rule: fc.record(
      { id: fc.anything(), level: fc.anything(), description: fc.anything() },
      { requiredKeys: [] },
    ),
    data: fc.anything(),
    agent: fc.anything(),
    sourceKind: fc.oneof(fc.constantFrom('red_team', 'customer_report'), fc.anything()),
    exerciseId: fc.anything(),
    fingerprintKeys: fc.oneof(fc.array(fc.string()), fc.anything()),
    src_ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.anything()),
    flow_id: fc.anything(),
    id: fc.anything(),
  },
  { requiredKeys: [] },
);

describe.each(INTAKE_FORMATS)('%s adapter under random input', (format) => {
  const adapter = adapterFor(format);

  it('returns an outcome for any JSON value and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything(), nearlyValid), fc.date(), (record, at) => {
        expect(OUTCOME_KINDS).toContain(adapter.parse(record, at).kind);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseRecordsFromBody under random input', () => {
  it('yields items for any text and never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'grapheme' })), (body) => {
        for (const item of parseRecordsFromBody(body)) expect(item.line).toBeGreaterThan(0);
      }),
    );
  });
});

// Cloud and EDR findings nest their fields deeply; generic random JSON never reaches past the
// id check, so these formats also get records that are nearly right at every level. An ASFF
// finding has the most fields to get right: about 1.5 % of generated ones make a signal, so at
// 500 runs about one run in 1,700 would see none (measured over 1,000 seeds); it gets 1,500.
describe.each([
  ['guardduty', nearlyValidGuardduty, 500],
  ['asff', nearlyValidAsff, 1500],
  ['msgraph', nearlyValidMsgraph, 500],
  ['crowdstrike', nearlyValidCrowdstrike, 500],
] as const)('%s adapter under nearly valid findings', (format, findings, numRuns) => {
  const adapter = adapterFor(format);

  it('answers every finding with a signal, a skip, or a coded 4xx naming the field', () => {
    const seen = new Set<ParseOutcome['kind']>();

    fc.assert(
      fc.property(findings, receivedAt, (record, at) => {
        const outcome = adapter.parse(record, at);
        seen.add(outcome.kind);
        if (outcome.kind === 'rejected') {
          expect(ERROR_CODES[outcome.code]).toBeGreaterThanOrEqual(400);
          expect(ERROR_CODES[outcome.code]).toBeLessThan(500);
          expect(outcome.field).toMatch(/\S/);
        }
        if (outcome.kind === 'signal') {
          expect(outcome.signal.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
          expect(outcome.signal.fingerprint).toMatch(/^[0-9a-f]{64}$/);
        }
      }),
      { numRuns },
    );

    // The generator must reach the deep checks, not stop at the first one.
    expect([...seen].sort()).toEqual(['rejected', 'signal', 'skipped']);
  });
});

// Zeek, ECS, OCSF and fast-log records that are nearly right at every level. The registered
// fast adapter has no zone and refuses every line at once, so a zoned one is exercised here.
describe.each([
  ['zeek', adapterFor('zeek'), nearlyValidZeek],
  ['ecs', adapterFor('ecs'), nearlyValidEcs],
  ['ocsf', adapterFor('ocsf'), nearlyValidOcsf],
  ['fast (zone Europe/Berlin)', fastAdapter('Europe/Berlin'), nearlyValidFastLine],
] as const)('%s adapter under nearly valid records', (_format, adapter, records) => {
  it('answers every record with a signal, a skip, or a coded 4xx naming the field', () => {
    const seen = new Set<ParseOutcome['kind']>();

    fc.assert(
      fc.property(records, receivedAt, (record, at) => {
        const outcome = adapter.parse(record, at);
        seen.add(outcome.kind);
        if (outcome.kind === 'rejected') {
          expect(ERROR_CODES[outcome.code]).toBeGreaterThanOrEqual(400);
          expect(ERROR_CODES[outcome.code]).toBeLessThan(500);
          expect(outcome.field).toMatch(/\S/);
        }
        if (outcome.kind === 'signal') {
          expect(outcome.signal.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
          expect(outcome.signal.fingerprint).toMatch(/^[0-9a-f]{64}$/);
        }
      }),
      { numRuns: 500 },
    );

    // The generator must reach the deep checks, not stop at the first one.
    expect(seen.has('signal') && seen.has('rejected')).toBe(true);
  });
});

describe.each([
  ['json documents', jsonDocumentsFromBody],
  ['zeek log', zeekRecordsFromBody],
] as const)('%s reader under random text', (_reader, read) => {
  it('yields items for any text and never throws', () => {
    const text = fc.oneof(
      fc.string(),
      fc.json(),
      fc.array(fc.json()).map((all) => all.join('\n')),
    );

    fc.assert(
      fc.property(text, (body) => {
        for (const item of read(body)) expect(item.line).toBeGreaterThan(0);
      }),
    );
  });
});

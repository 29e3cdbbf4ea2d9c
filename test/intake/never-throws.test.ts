import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseRecordsFromBody } from '../../src/intake/records.ts';
import { INTAKE_FORMATS, adapterFor } from '../../src/intake/registry.ts';

const OUTCOME_KINDS = ['signal', 'skipped', 'rejected'];

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

/**
 * The signal row intake stores is the adapter's signal, column for column, whichever way the
 * rows go in (COPY with columns encoded before the batch's transaction on a server, INSERT on
 * PGlite), including text that COPY has to escape.
 */
import { asc } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { cliActor } from '../../src/auth/actor.ts';
import { ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import type { Store } from '../../src/store/db.ts';
import { signals } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { buildEveAlert } from '../support/factories.ts';

// Tab, newline, carriage return and backslash are what COPY text escapes.
const AWKWARD = 'a\tb\\c\nd\re "q" é 😀';

function records() {
  const plain = buildEveAlert({ sid: 1 });
  const awkward = {
    ...buildEveAlert({ sid: 2, src: '198.51.100.7' }),
    host: `sensor\\${AWKWARD}`,
    note: { text: AWKWARD, list: [AWKWARD, null, 1.5] },
  };
  const signature = { ...buildEveAlert({ sid: 3 }), flow_id: 99 };
  signature.alert = { ...signature.alert, signature: `ET POLICY \\${'"x"'} back\\slash` };
  return [plain, awkward, signature].map((record, i) => ({ line: i + 1, record }));
}

describeEachBackend('signal rows as stored', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  it('hold the parsed signal, escaped text and the raw record unchanged', async () => {
    const adapter = adapterFor('suricata');
    const input = records();
    const summary = await ingestRecords(store.db, adapter, input, {
      actor: cliActor('admin'),
      reporter: `rep\\orter\t${AWKWARD}`,
      keepAllResults: true,
    });
    expect(summary.accepted).toBe(3);

    const rows = await store.db.select().from(signals).orderBy(asc(signals.id));
    expect(rows).toHaveLength(3);
    for (const [i, { record }] of input.entries()) {
      const outcome = adapter.parse(record, new Date());
      if (outcome.kind !== 'signal') throw new Error('fixture did not parse');
      const s = outcome.signal;
      const row = rows.find((r) => r.sourceEventId === s.sourceEventId);
      const result = summary.results[i];

      expect(row).toMatchObject({
        investigationId: result && 'investigationId' in result ? result.investigationId : null,
        duplicate: false,
        format: 'suricata',
        source: 'suricata',
        sourceKind: s.sourceKind,
        fingerprint: s.fingerprint,
        originalTimestamp: s.originalTimestamp,
        // Titles keep to one line (a tab would become a space), so this one has none.
        title: s.title,
        severity: s.severity,
        host: s.host,
        sourceIp: s.sourceIp,
        destinationIp: s.destinationIp,
        principal: null,
        tenantId: null,
        reporter: `rep\\orter\t${AWKWARD}`,
        exerciseId: null,
        suppressedBy: null,
        observables: s.observables,
        raw: record,
      });
      expect(new Date(String(row?.occurredAt)).toISOString()).toBe(s.occurredAt);
    }
  });
});

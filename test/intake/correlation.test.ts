/**
 * Issue 4 §4–5 end to end through the real intake: idempotency on (source, event id),
 * de-duplication by fingerprint, grouping by entity with a distinguishing field, exercises
 * kept apart, suppression rules, and batches that see each other's work.
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';

import { verifyAuditLog } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import type { CorrelationConfig } from '../../src/intake/correlation-config.ts';
import { type IngestOptions, ingestRecords } from '../../src/intake/ingest.ts';
import { adapterFor } from '../../src/intake/registry.ts';
import { revokeSuppressionRule } from '../../src/investigations/suppressions.ts';
import type { Store } from '../../src/store/db.ts';
import { newId } from '../../src/store/ids.ts';
import { auditLog, investigations, signals, suppressionRules } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';

type Alert = Record<string, unknown>;

function alert(over: Alert = {}): Alert {
  return {
    time: '2026-11-30T08:00:00Z',
    title: 'Impossible travel',
    host: 'web-01',
    principal: 'alice@example.com',
    sourceIp: '198.51.100.7',
    ...over,
  };
}

describeEachBackend('correlation and suppression', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  const ingest = (records: Alert[], opts: Partial<IngestOptions> = {}) =>
    ingestRecords(
      store.db,
      adapterFor('generic'),
      records.map((record, i) => ({ line: i + 1, record })),
      { actor: cliActor('admin', 'tester'), keepAllResults: true, ...opts },
    );
  const count = async (table: typeof signals | typeof investigations) =>
    (await store.db.select().from(table)).length;

  it('stores an event sent twice once, in one batch and across batches', async () => {
    const first = await ingest([alert({ id: 'e-1' }), alert({ id: 'e-1' })]);
    const again = await ingest([alert({ id: 'e-1' })]);

    expect(first).toMatchObject({ accepted: 1, repeats: 1, duplicates: 0 });
    expect(again).toMatchObject({ accepted: 0, repeats: 1 });
    expect(again.results[0]).toMatchObject({
      status: 'repeat',
      investigationId: (first.results[0] as { investigationId: string }).investigationId,
    });
    expect(await count(signals)).toBe(1);
  });

  it('keeps the same event id from two different sources apart', async () => {
    await ingest([alert({ id: 'e-1' })], { source: 'sensor-a' });
    const other = await ingest([alert({ id: 'e-1' })], { source: 'sensor-b' });

    expect(other).toMatchObject({ duplicates: 1, repeats: 0 });
    expect(await count(signals)).toBe(2);
  });

  it('counts the same thing in the window as a duplicate, and opens anew outside', async () => {
    const summary = await ingest([
      alert({ id: 'a' }),
      alert({ id: 'b', time: '2026-11-30T20:00:00Z' }),
      alert({ id: 'c', time: '2026-12-03T08:00:00Z' }),
    ]);

    expect(summary.results.map((r) => r.status)).toEqual(['accepted', 'duplicate', 'accepted']);
    const rows = await store.db.select().from(investigations).orderBy(investigations.number);
    expect(rows.map((r) => [r.signalCount, r.duplicateCount])).toEqual([
      [2, 1],
      [1, 0],
    ]);
  });

  it('groups signals about one host, unless the distinguishing field differs', async () => {
    const byHost: CorrelationConfig = { default: { groupBy: ['host'] } };
    const grouped = await ingest(
      [alert({ title: 'Impossible travel' }), alert({ title: 'Mass download', principal: 'bob' })],
      { correlation: byHost },
    );
    expect(grouped.results).toMatchObject([
      { status: 'accepted', opened: true },
      { status: 'accepted', opened: false },
    ]);
    expect(await count(investigations)).toBe(1);

    const apart: CorrelationConfig = {
      default: { groupBy: ['host'] },
      sources: { generic: { distinguishBy: 'title' } },
    };
    const separate = await ingest(
      [
        alert({ title: 'Port scan', host: 'db-02' }),
        alert({ title: 'Brute force', host: 'DB-02', principal: 'carol' }),
      ],
      { correlation: apart },
    );
    expect(separate.results).toMatchObject([
      { status: 'accepted', opened: true },
      { status: 'accepted', opened: true },
    ]);
    expect(await count(investigations)).toBe(3);
  });

  it('uses configured fingerprint keys instead of the adapter choice', async () => {
    const byTitle: CorrelationConfig = { sources: { generic: { fingerprintKeys: ['title'] } } };
    const summary = await ingest(
      [alert({ host: 'a', sourceIp: '192.0.2.1' }), alert({ host: 'b', sourceIp: '192.0.2.2' })],
      { correlation: byTitle },
    );

    expect(summary.results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
  });

  it('never merges a red-team exercise into real activity on the same host', async () => {
    const config: CorrelationConfig = { default: { groupBy: ['host', 'principal'] } };
    await ingest([alert()], { correlation: config });
    const exercise = await ingest(
      [alert({ sourceKind: 'red_team', exerciseId: 'RT-7', title: 'Impossible travel' })],
      { correlation: config },
    );

    expect(exercise.results[0]).toMatchObject({ status: 'accepted', opened: true });
    const rows = await store.db.select().from(investigations);
    expect(rows.map((r) => r.exerciseId).sort()).toEqual(['RT-7', null].sort());
  });

  it('keeps real activity out of exercises, and exercises out of each other', async () => {
    // The exercise key used to be `exercise:<id>|<distinguishing value>`: a real alert tagged
    // `exercise:RT-1|T` carried the same key, and exercise `a|b` tagged `c` that of `a` tagged
    // `b|c`. A real alert in an exercise's investigation would never send its notices.
    const config: CorrelationConfig = { default: { groupBy: ['host'], distinguishBy: 'raw.tag' } };
    const long = 'T'.repeat(600);
    const red = (exerciseId: string, tag: string) =>
      alert({ sourceKind: 'red_team', exerciseId, tag });
    const real = (tag: string) => alert({ tag });
    const summary = await ingest(
      [
        red('RT-1', 'T'),
        real('exercise:RT-1|T'),
        real('exercise:["RT-1","T"]'),
        red('RT-1', long),
        real(`exercise:RT-1|${long}`),
        real(`exercise:["RT-1","${long}"]`),
        red('a|b', 'c'),
        red('a', 'b|c'),
        // Titles of their own: each has a fingerprint of its own, so only the host key could join.
      ].map((record, i) => ({ ...record, title: `alert ${i}` })),
      { correlation: config },
    );

    expect(summary).toMatchObject({ rejected: 0, duplicates: 0 });
    const ids = summary.results.map((r) => (r as { investigationId: string }).investigationId);
    expect(new Set(ids).size).toBe(8);
    const rows = await store.db.select().from(investigations);
    expect(rows.filter((r) => r.exerciseId === null)).toHaveLength(4);
  });

  it('still groups the signals of one exercise, and real ones tagged like it apart', async () => {
    const config: CorrelationConfig = { default: { groupBy: ['host'], distinguishBy: 'raw.tag' } };
    const red = (tag: string, title: string) =>
      alert({ sourceKind: 'red_team', exerciseId: 'RT-2', tag, title });
    const long = 'x'.repeat(600);
    // Real alerts tagged like that exercise's key: digested, they still group with each other.
    const real = (title: string) => alert({ tag: 'exercise:["RT-2","T"]', title });
    const summary = await ingest(
      [
        red('T', 'one'),
        red('T', 'two'),
        red(long, 'three'),
        red(long, 'four'),
        real('five'),
        real('six'),
      ],
      { correlation: config },
    );

    const ids = summary.results.map((r) => (r as { investigationId: string }).investigationId);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[3]).toBe(ids[2]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[5]).toBe(ids[4]);
    expect(ids[4]).not.toBe(ids[0]);
  });

  it('does not add to a closed investigation, and a new signal never changes a stage', async () => {
    const config: CorrelationConfig = { default: { groupBy: ['host'] } };
    const first = await ingest([alert()], { correlation: config });
    const id = (first.results[0] as { investigationId: string }).investigationId;

    await store.db.update(investigations).set({ stage: 'assess' }).where(eq(investigations.id, id));
    const related = await ingest([alert({ title: 'Resolved: impossible travel' })], {
      correlation: config,
    });
    expect(related.results[0]).toMatchObject({ investigationId: id });
    const [row] = await store.db.select().from(investigations).where(eq(investigations.id, id));
    expect(row?.stage).toBe('assess');

    await store.db.update(investigations).set({ stage: 'close' }).where(eq(investigations.id, id));
    const after = await ingest([alert({ id: 'later' })], { correlation: config });
    expect(after.results[0]).toMatchObject({ status: 'accepted', opened: true });
  });

  it('stores and counts suppressed signals, opening nothing; expired rules are void', async () => {
    const now = new Date().toISOString();
    const rule = (expiresAt: string, match: unknown) => ({
      id: newId(),
      match,
      owner: 'soc-lead',
      reason: 'scanner we run ourselves',
      expiresAt,
      createdBy: 'tester',
      createdAt: now,
    });
    const live = rule('2999-01-01T00:00:00Z', { sourceIp: '198.51.100.0/24', title: 'port *' });
    await store.db
      .insert(suppressionRules)
      .values([live, rule('2000-01-01T00:00:00Z', { title: 'Impossible *' })]);

    const summary = await ingest([
      alert({ title: 'Port scan' }),
      alert({ title: 'Port sweep', sourceIp: '203.0.113.1' }),
      alert({ title: 'Impossible travel' }),
    ]);

    expect(summary).toMatchObject({ suppressed: 1, accepted: 2 });
    expect(summary.results[0]).toMatchObject({ status: 'suppressed', ruleId: live.id });
    const muted = await store.db.select().from(signals).where(eq(signals.suppressedBy, live.id));
    expect(muted).toHaveLength(1);
    expect(muted[0]?.investigationId).toBeNull();
    expect(await count(investigations)).toBe(2);
  });

  it('triages a suppressed event sent again after its rule was revoked, on its row', async () => {
    const rule = {
      id: newId(),
      match: { title: 'Port *' },
      owner: 'soc-lead',
      reason: 'scanner we run ourselves',
      expiresAt: '2999-01-01T00:00:00Z',
      createdBy: 'tester',
      createdAt: new Date().toISOString(),
    };
    await store.db.insert(suppressionRules).values(rule);
    const scan = alert({ id: 'scan-1', title: 'Port scan' });

    const hidden = await ingest([scan]);
    const stillHidden = await ingest([scan]);
    await revokeSuppressionRule(store.db, cliActor('incident_manager', 'lead'), rule.id);
    const lifted = await ingest([scan, scan]);
    const after = await ingest([scan]);

    expect(hidden).toMatchObject({ suppressed: 1 });
    expect(stillHidden).toMatchObject({ repeats: 1, accepted: 0 });
    expect(lifted).toMatchObject({ accepted: 1, repeats: 1, suppressed: 0 });
    expect(after).toMatchObject({ repeats: 1, accepted: 0 });

    const rows = await store.db.select().from(signals);
    const [investigation] = await store.db.select().from(investigations);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ suppressedBy: null, investigationId: investigation?.id });
    expect(after.results[0]).toMatchObject({ investigationId: investigation?.id });

    const entries = await store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'signal.unsuppressed'));
    expect(entries.map((e) => e.entityId)).toEqual([rows[0]?.id]);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true });
  });

  it('sees in one batch what an earlier signal of the same batch opened', async () => {
    const records = Array.from({ length: 7 }, (_, i) => alert({ id: `n-${i}` }));
    const summary = await ingest(records, { batchSize: 3 });

    expect(summary).toMatchObject({ accepted: 1, duplicates: 6 });
    const [row] = await store.db.select().from(investigations);
    expect(row).toMatchObject({ signalCount: 7, duplicateCount: 6 });
  });

  it('widens a stored key as the thing goes on, so a later batch still finds it', async () => {
    // Each batch on its own: the third finds the investigation only through the stored key,
    // which the second must have carried forward from 08:00 to 04:00 the next day.
    const first = await ingest([alert({ id: 'a' })]);
    const second = await ingest([alert({ id: 'b', time: '2026-12-01T04:00:00Z' })]);
    const third = await ingest([alert({ id: 'c', time: '2026-12-02T02:00:00Z' })]);

    const opened = (first.results[0] as { investigationId: string }).investigationId;
    expect(second.results[0]).toMatchObject({ status: 'duplicate', investigationId: opened });
    expect(third.results[0]).toMatchObject({ status: 'duplicate', investigationId: opened });
    expect(await count(investigations)).toBe(1);
  });

  it('widens a stored key back in time too, for alerts that arrive late', async () => {
    const first = await ingest([alert({ id: 'a', time: '2026-12-01T04:00:00Z' })]);
    const second = await ingest([alert({ id: 'b' })]);
    const third = await ingest([alert({ id: 'c', time: '2026-11-29T10:00:00Z' })]);

    const opened = (first.results[0] as { investigationId: string }).investigationId;
    expect(second.results[0]).toMatchObject({ status: 'duplicate', investigationId: opened });
    expect(third.results[0]).toMatchObject({ status: 'duplicate', investigationId: opened });
    expect(await count(investigations)).toBe(1);
  });

  it('retries a failed batch in halves: the lines before the bad one are stored once', async () => {
    // A signal whose afterStore fails fails its whole transaction, as a row the database
    // refuses would. 1–6 succeed in halves of the batch; the failure of 7 alone propagates.
    const generic = adapterFor('generic');
    const failing = {
      ...generic,
      afterStore: (_tx: unknown, _stored: unknown, signal: { sourceEventId: string | null }) =>
        signal.sourceEventId === 'b-7'
          ? Promise.reject(new Error('refused by the database'))
          : Promise.resolve(),
    };
    const records = Array.from({ length: 10 }, (_, i) => alert({ id: `b-${i + 1}` }));
    const run = ingestRecords(
      store.db,
      failing,
      records.map((record, i) => ({ line: i + 1, record })),
      { actor: cliActor('admin', 'tester'), batchSize: 10 },
    );

    await expect(run).rejects.toThrow('refused by the database');
    const rows = await store.db.select().from(signals);
    expect(rows.map((r) => r.sourceEventId).sort()).toEqual(
      ['b-1', 'b-2', 'b-3', 'b-4', 'b-5', 'b-6'].sort(),
    );
    // Halves, not single lines: 1–5 went in one transaction, then 6 on its own.
    const batches = await store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'signals.received'))
      .orderBy(auditLog.seq);
    const stored = batches.map((b) => (JSON.parse(String(b.data)) as { stored: number }).stored);
    expect(stored).toEqual([5, 1]);
    const [investigation] = await store.db.select().from(investigations);
    expect(investigation).toMatchObject({ signalCount: 6, duplicateCount: 5 });
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true });
  });

  it('fails the import when a batch fails while the next is still being read', async () => {
    const failing = {
      ...adapterFor('generic'),
      afterStore: (_tx: unknown, _stored: unknown, signal: { sourceEventId: string | null }) =>
        signal.sourceEventId === 's-1'
          ? Promise.reject(new Error('the database went away'))
          : Promise.resolve(),
    };
    // A slow source: the first batch fails for good while the loop waits for the third line.
    async function* slowly() {
      for (let i = 1; i <= 4; i++) {
        if (i > 2) await new Promise((resolve) => setTimeout(resolve, 300));
        yield { line: i, record: alert({ id: `s-${i}` }) };
      }
    }
    const run = ingestRecords(store.db, failing, slowly(), {
      actor: cliActor('admin', 'tester'),
      batchSize: 2,
    });

    await expect(run).rejects.toThrow('the database went away');
    expect(await count(signals)).toBe(0);
  });

  it('audits every opened investigation and every stored batch with a digest', async () => {
    await ingest([alert({ id: '1' }), alert({ id: '2', title: 'Other' }), alert({ id: '3' })]);

    const actions = (await store.db.select().from(auditLog)).map((e) => e.action);
    expect(actions.filter((a) => a === 'investigation.opened')).toHaveLength(2);
    const [batch] = await store.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'signals.received'));
    expect(JSON.parse(String(batch?.data))).toMatchObject({ stored: 3, duplicates: 1 });
    const stored = await store.db.execute(sql`SELECT count(*)::int AS n FROM signals`);
    expect((stored as { rows: { n: number }[] }).rows[0]?.n).toBe(3);
  });
});

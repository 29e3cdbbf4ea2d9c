import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  appendAudit,
  appendAuditBatch,
  auditEntriesFor,
  verifyAuditLog,
} from '../../src/audit/log.ts';
import type { Store } from '../../src/store/db.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation } from '../support/factories.ts';

describeEachBackend('audit log', (backend) => {
  let store: Store;

  beforeEach(async () => {
    store = await backend.open();
    for (let i = 0; i < 5; i++) {
      await store.db.transaction((tx) =>
        appendAudit(tx, {
          actor: 'tester',
          action: 'thing.done',
          entityType: 'thing',
          entityId: `t${i}`,
          data: { i, nested: { z: 1, a: [1, 'ü'] } },
        }),
      );
    }
  });
  afterEach(() => store.close());

  it('verifies an untouched chain', async () => {
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 5 });
  });

  it('names the edited entry after an update of its data', async () => {
    await store.db.execute(sql`UPDATE audit_log SET data = '{"i":99}' WHERE seq = 3`);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('names the entry after a deleted one', async () => {
    await store.db.execute(sql`DELETE FROM audit_log WHERE seq = 2`);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('names the first missing entry after the tail of the log was deleted', async () => {
    await store.db.execute(sql`DELETE FROM audit_log WHERE seq >= 4`);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 4 });
  });

  const batchOf = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      actor: 'worker',
      action: 'notice.delivered',
      entityType: 'thing',
      entityId: `b${i}`,
      data: { i, name: 'Ærø 東京 🚀' },
    }));

  it('chains a batch after the entries before it, in order, and verifies', async () => {
    await store.db.transaction((tx) => appendAuditBatch(tx, batchOf(3)));
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 8 });
    expect((await auditEntriesFor(store.db, 'b2')).map((e) => e.seq)).toEqual([8]);
  });

  it('names an edited entry inside a batch', async () => {
    await store.db.transaction((tx) => appendAuditBatch(tx, batchOf(4)));
    await store.db.execute(sql`UPDATE audit_log SET actor = 'someone else' WHERE seq = 8`);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 8 });
  });

  it('moves the head record to the last entry of a batch', async () => {
    await store.db.transaction((tx) => appendAuditBatch(tx, batchOf(4)));
    await store.db.execute(sql`DELETE FROM audit_log WHERE seq = 9`);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 9 });
  });

  it('fails when the whole log and its head are gone but audited records remain', async () => {
    await openInvestigation(store.db);
    await store.db.execute(sql`DELETE FROM audit_log`);
    await store.db.execute(sql`DELETE FROM settings WHERE key = 'audit_head'`);

    expect(await verifyAuditLog(store.db)).toMatchObject({
      ok: false,
      brokenAt: 1,
      reason: expect.stringContaining('investigations'),
    });
  });

  it('verifies an empty log on a database with nothing audited yet', async () => {
    await store.db.execute(sql`DELETE FROM audit_log`);
    await store.db.execute(sql`DELETE FROM settings WHERE key = 'audit_head'`);

    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 0 });
  });

  it('detects two rows swapped in place', async () => {
    await store.db.execute(sql`
      UPDATE audit_log a SET actor = b.actor, action = b.action, entity_id = b.entity_id,
        data = b.data, at = b.at, prev_hash = b.prev_hash, hash = b.hash
      FROM (SELECT * FROM audit_log WHERE seq IN (2, 4)) b
      WHERE a.seq IN (2, 4) AND b.seq <> a.seq`);
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: false, brokenAt: 2 });
  });
});

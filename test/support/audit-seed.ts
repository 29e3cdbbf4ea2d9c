/**
 * Audit entries for the audit tests, and the tamperings an attacker with database access
 * could make (each names the SQL it runs, so a test shows what was done to the log).
 */
import { sql } from 'drizzle-orm';
import { appendAudit } from '../../src/audit/log.ts';
import type { Db } from '../../src/store/db.ts';

/** Appends `count` entries, one transaction each, stamped an hour apart from `start`. */
export async function seedAudit(
  db: Db,
  count: number,
  start = new Date('2026-03-01T00:00:00Z'),
): Promise<void> {
  for (let i = 0; i < count; i++) {
    await db.transaction((tx) =>
      appendAudit(tx, {
        actor: 'cli:alice (incident_manager)',
        action: 'thing.done',
        entityType: 'thing',
        entityId: `t${i + 1}`,
        data: { i, note: 'Ærø 東京' },
        at: new Date(start.getTime() + i * 3_600_000),
      }),
    );
  }
}

/** Deletes every entry from `seq` on and rewrites the head record to name the one before. */
export async function truncateWithHead(db: Db, seq: number): Promise<void> {
  await db.execute(sql`DELETE FROM audit_log WHERE seq >= ${seq}`);
  await db.execute(sql`
    UPDATE settings SET value = (
      SELECT json_build_object('seq', seq, 'hash', hash)::text FROM audit_log WHERE seq = ${seq - 1}
    ) WHERE key = 'audit_head'`);
}

/** Swaps the contents of two entries, leaving each seq where it was. */
export async function swapEntries(db: Db, a: number, b: number): Promise<void> {
  await db.execute(sql`
    UPDATE audit_log x SET actor = y.actor, action = y.action, entity_id = y.entity_id,
      data = y.data, at = y.at, prev_hash = y.prev_hash, hash = y.hash
    FROM (SELECT * FROM audit_log WHERE seq IN (${a}, ${b})) y
    WHERE x.seq IN (${a}, ${b}) AND y.seq <> x.seq`);
}

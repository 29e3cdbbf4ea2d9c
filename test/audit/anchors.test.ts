import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { startAnchorTimer } from '../../src/audit/anchor-timer.ts';
import { takeAnchor, verifyAuditLogWithAnchors } from '../../src/audit/anchoring.ts';
import { readAnchorFile } from '../../src/audit/anchors.ts';
import { entryHash } from '../../src/audit/chain.ts';
import { verifyAuditLog } from '../../src/audit/log.ts';
import type { Store } from '../../src/store/db.ts';
import { seedAudit, swapEntries, truncateWithHead } from '../support/audit-seed.ts';
import { describeEachBackend } from '../support/backends.ts';

const NOW = new Date('2026-04-01T12:00:00Z');

describeEachBackend('audit chain anchors', (backend) => {
  let store: Store;
  let dir: string;
  let file: string;

  beforeEach(async () => {
    store = await backend.open();
    dir = await mkdtemp(join(tmpdir(), 'bd-anchors-'));
    file = join(dir, 'anchors', 'audit-anchors.ndjson');
    await seedAudit(store.db, 5);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const verify = async () =>
    verifyAuditLogWithAnchors(store.db, (await readAnchorFile(file)) ?? []);

  it('detects the tail deleted together with its head record, through the anchor file', async () => {
    await takeAnchor(store.db, file, NOW);
    await truncateWithHead(store.db, 4);

    // The database alone no longer shows it: chain and head record agree.
    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true, entries: 3 });
    expect(await verify()).toMatchObject({
      ok: false,
      brokenAt: 4,
      reason: `entries 4..5 missing from the end: anchor at ${NOW.toISOString()} names entry 5`,
    });
  });

  it('detects an edited entry, with anchors in place', async () => {
    await takeAnchor(store.db, file, NOW);
    await store.db.execute(sql`UPDATE audit_log SET actor = 'mallory' WHERE seq = 3`);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('detects an entry deleted in the middle, with anchors in place', async () => {
    await takeAnchor(store.db, file, NOW);
    await store.db.execute(sql`DELETE FROM audit_log WHERE seq = 3`);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 4 });
  });

  it('detects two entries swapped, with anchors in place', async () => {
    await takeAnchor(store.db, file, NOW);
    await swapEntries(store.db, 2, 4);
    expect(await verify()).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('detects a log rewritten and re-hashed up to an anchored entry', async () => {
    await takeAnchor(store.db, file, NOW);
    await rehashFrom(store, 2, 'mallory');

    expect(await verifyAuditLog(store.db)).toMatchObject({ ok: true });
    expect(await verify()).toMatchObject({
      ok: false,
      brokenAt: 5,
      reason: expect.stringContaining('entry 5 differs from the anchor'),
    });
  });

  it('appends the head as one NDJSON line per anchor, and nothing when it has not moved', async () => {
    expect(await takeAnchor(store.db, file, NOW)).toMatchObject({ status: 'written' });
    expect(await takeAnchor(store.db, file, NOW)).toMatchObject({ status: 'unchanged' });
    await seedAudit(store.db, 2);
    await takeAnchor(store.db, file, new Date('2026-04-01T12:15:00Z'));

    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; seq: number });
    expect(lines.map((l) => [l.kind, l.seq])).toEqual([
      ['anchor', 5],
      ['anchor', 7],
    ]);
  });

  it('refuses to anchor a chain broken since the last anchor, and writes nothing', async () => {
    await takeAnchor(store.db, file, NOW);
    await seedAudit(store.db, 2);
    await store.db.execute(sql`UPDATE audit_log SET data = '{}' WHERE seq = 6`);

    expect(await takeAnchor(store.db, file, NOW)).toMatchObject({
      status: 'refused',
      verdict: { brokenAt: 6 },
    });
    expect(await readAnchorFile(file)).toHaveLength(1);
  });

  it('anchors from a running server at start and again on the way out', async () => {
    const stop = startAnchorTimer(store.db, {
      file,
      everyMs: 3_600_000,
      log: pino({ level: 'silent' }),
    });
    await vi.waitFor(async () => expect(await readAnchorFile(file)).toHaveLength(1));
    await seedAudit(store.db, 1);
    await stop();

    expect((await readAnchorFile(file))?.map((a) => a.seq)).toEqual([5, 6]);
  });
});

/** What an attacker with the database can do: rewrite entries and recompute every hash. */
async function rehashFrom(store: Store, seq: number, actor: string): Promise<void> {
  const result: unknown = await store.db.execute(sql`SELECT * FROM audit_log ORDER BY seq`);
  const { rows: all } = result as { rows: Record<string, unknown>[] };
  let prev = String(all.find((r) => Number(r.seq) === seq - 1)?.hash);

  for (const r of all.filter((row) => Number(row.seq) >= seq)) {
    const entry = {
      seq: Number(r.seq),
      at: String(r.at),
      actor,
      action: String(r.action),
      entityType: String(r.entity_type),
      entityId: String(r.entity_id),
      data: String(r.data),
      prevHash: prev,
    };
    prev = entryHash(entry);
    await store.db.execute(
      sql`UPDATE audit_log SET actor = ${actor}, prev_hash = ${entry.prevHash}, hash = ${prev}
          WHERE seq = ${entry.seq}`,
    );
  }
  const head = JSON.stringify({ seq: Number(all.at(-1)?.seq), hash: prev });
  await store.db.execute(sql`UPDATE settings SET value = ${head} WHERE key = 'audit_head'`);
}

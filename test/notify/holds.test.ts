/**
 * Holds on notices (DESIGN.md §1.6) through the service layer and the real outbox worker
 * (EML transport into a temporary folder): only a legal and an executive approval by two
 * different people keep a notice back, clocks keep running, and every step is audited.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditEntriesFor, verifyAuditLog } from '../../src/audit/log.ts';
import { cliActor } from '../../src/auth/actor.ts';
import { listClocks } from '../../src/investigations/clocks.ts';
import { declareCrsi, moveStage } from '../../src/investigations/workflow.ts';
import { approveNotice } from '../../src/notify/approve.ts';
import {
  approveHold,
  flagHoldsDueForReview,
  listHolds,
  parseHoldRequest,
  personOf,
  releaseHold,
  requestHold,
} from '../../src/notify/holds.ts';
import { createTransport, type Transport } from '../../src/notify/transport.ts';
import { deliverDue } from '../../src/notify/worker.ts';
import { scopeInvestigation } from '../../src/scoping/run.ts';
import type { Db, Store } from '../../src/store/db.ts';
import { clocks, notices, outbox, staffAlerts } from '../../src/store/schema.ts';
import { describeEachBackend } from '../support/backends.ts';
import { openInvestigation, seedTenants, snapshot } from '../support/factories.ts';

const DAY = 86_400_000;
const ATTACKER = 'arn:aws:sts::111111111111:assumed-role/stolen/i-0abc';
const responder = cliActor('responder', 'rita');
const manager = cliActor('incident_manager', 'ines');
const lea = cliActor('legal', 'lea');
const eve = cliActor('executive_incident_manager', 'eve');

function validRequest(now = new Date()) {
  return {
    ground: 'risk_to_other_customers',
    reason: 'the adversary still holds a session; notifying now would tip them off',
    reviewAt: new Date(now.getTime() + 7 * DAY).toISOString(),
  };
}

/** The shared snapshot plus the two tables holds write to. */
async function fullSnapshot(db: Db) {
  const extra: Record<string, string> = {};
  for (const t of ['holds', 'staff_alerts']) {
    const res: unknown = await db.execute(
      sql.raw(
        `SELECT count(*)::text || ':' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d FROM ${t} x`,
      ),
    );
    extra[t] = (res as { rows: { d: string }[] }).rows[0]?.d ?? '';
  }
  return { ...(await snapshot(db)), ...extra };
}

describe('parseHoldRequest', () => {
  const now = new Date('2026-03-28T12:00:00Z');

  it('accepts a review date exactly 30 days ahead, given with an offset', () => {
    const reviewAt = '2026-04-27T14:00:00+02:00';
    expect(parseHoldRequest({ ...validRequest(now), reviewAt }, now).reviewAt).toBe(
      '2026-04-27T12:00:00.000Z',
    );
  });

  it('refuses a review date one millisecond past 30 days', () => {
    const reviewAt = '2026-04-27T12:00:00.001Z';
    expect(() => parseHoldRequest({ ...validRequest(now), reviewAt }, now)).toThrow(
      expect.objectContaining({ code: 'BD_HOLD_INVALID', field: 'reviewAt' }),
    );
  });

  it('refuses a review date that is not in the future', () => {
    const reviewAt = now.toISOString();
    expect(() => parseHoldRequest({ ...validRequest(now), reviewAt }, now)).toThrow(
      expect.objectContaining({ code: 'BD_HOLD_INVALID', field: 'reviewAt' }),
    );
  });

  it('refuses a review date without a UTC offset', () => {
    const reviewAt = '2026-04-01T12:00:00';
    expect(() => parseHoldRequest({ ...validRequest(now), reviewAt }, now)).toThrow(
      expect.objectContaining({ code: 'BD_HOLD_INVALID', field: 'reviewAt' }),
    );
  });

  it('refuses a reason of only white space', () => {
    expect(() => parseHoldRequest({ ...validRequest(now), reason: '  \n ' }, now)).toThrow(
      expect.objectContaining({ code: 'BD_HOLD_INVALID', field: 'reason' }),
    );
  });

  it('refuses a reason of only zero-width spaces (review 19, item 8)', () => {
    expect(() => parseHoldRequest({ ...validRequest(now), reason: '\u200b\u200b' }, now)).toThrow(
      expect.objectContaining({ code: 'BD_HOLD_INVALID', field: 'reason' }),
    );
  });

  it('refuses a reason of only invisible characters of other kinds', () => {
    // Ideographic space, braille blank, BOM, zero-width joiner, word joiner, Hangul filler.
    const reason = '\u3000\u2800\ufeff\u200d\u2060\u3164\u00a0';
    expect(() => parseHoldRequest({ ...validRequest(now), reason }, now)).toThrow(
      expect.objectContaining({ code: 'BD_HOLD_INVALID', field: 'reason' }),
    );
  });

  it('keeps a reason that has visible text between invisible characters', () => {
    const reason = '\u200bintruder still inside\u200b';
    expect(parseHoldRequest({ ...validRequest(now), reason }, now).reason).toContain('intruder');
  });

  it('refuses a reason over 4000 characters', () => {
    expect(() => parseHoldRequest({ ...validRequest(now), reason: 'x'.repeat(4001) }, now)).toThrow(
      expect.objectContaining({ code: 'BD_HOLD_INVALID', field: 'reason' }),
    );
  });
});

describe('personOf', () => {
  it('compares names trimmed, case-folded and NFC-normalised', () => {
    const lea = personOf('cli:lea');
    const aliases = [' lea', 'LEA\u00a0', 'Lea', '\u200blea'].map((n) => personOf(`cli:${n}`));
    expect(aliases).toEqual([lea, lea, lea, lea]);
    expect(personOf('cli:LE\u0301A')).toBe(personOf('token:l\u00e9a'));
    expect(personOf('cli:STRASSE')).toBe(personOf('cli:stra\u00dfe'));
  });

  it('still tells two different people apart', () => {
    expect(personOf('cli:lea')).not.toBe(personOf('cli:leah'));
  });
});

describeEachBackend('notice holds', (backend) => {
  let store: Store;
  let db: Db;
  let dir: string;
  let transport: Transport;
  let investigationId: string;
  /** acme's notice to its breach contacts: the one these tests hold. */
  let held: string;

  beforeEach(async () => {
    store = await backend.open();
    db = store.db;
    dir = await mkdtemp(join(tmpdir(), 'bd-holds-'));
    transport = createTransport({ smtpUrl: null, outboxDir: join(dir, 'outbox') });
    await seedTenants(db, ['acme', 'globex']);
    investigationId = await openInvestigation(db);
    await declareWithDrafts();
    const [n] = await db
      .select()
      .from(notices)
      .where(and(eq(notices.tenantId, 'acme'), eq(notices.audience, 'tenant')));
    held = n?.id ?? '';
  });
  afterEach(async () => {
    await transport.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function declareWithDrafts() {
    await moveStage(db, responder, investigationId, { to: 'assess', reason: 'paged' });
    await moveStage(db, responder, investigationId, { to: 'diagnose', reason: 'data at risk' });
    const file = join(dir, 'ct.json');
    const read = (bucket: string) => ({
      eventVersion: '1.08',
      eventTime: '2026-11-30T08:00:00Z',
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      sourceIPAddress: '203.0.113.50',
      userIdentity: { type: 'AssumedRole', arn: ATTACKER },
      recipientAccountId: '111111111111',
      requestParameters: { bucketName: bucket, key: 'export.csv' },
    });
    await writeFile(file, JSON.stringify({ Records: [read('acme-data'), read('globex-data')] }));
    await scopeInvestigation(db, responder, investigationId, {
      paths: [file],
      format: 'cloudtrail',
      indicators: { principals: [ATTACKER], sourceIps: [], from: null, to: null },
    });
    await declareCrsi(db, manager, investigationId, {
      grounds: ['unauthorized_access'],
      evidence: 'CloudTrail shows GetObject by the stolen role on both buckets',
      awareAt: '2026-11-30T10:00:00Z',
    });
  }

  async function approveAllNotices() {
    const drafts = await db.select().from(notices).where(eq(notices.status, 'draft'));
    for (const n of drafts) await approveNotice(db, manager, n.id);
  }

  async function statusesOf(noticeId: string) {
    const rows = await db.select().from(outbox).where(eq(outbox.noticeId, noticeId));
    return rows.map((r) => r.status);
  }

  async function effectiveHold() {
    const hold = await requestHold(db, manager, held, validRequest());
    await approveHold(db, lea, hold.id);
    return approveHold(db, eve, hold.id);
  }

  it('takes effect once legal and an executive, two different people, have approved', async () => {
    const hold = await requestHold(db, manager, held, validRequest());
    const partly = await approveHold(db, lea, hold.id);
    const full = await approveHold(db, eve, hold.id);

    expect([hold.state, partly.state, full.state]).toEqual([
      'requested',
      'partially_approved',
      'effective',
    ]);
  });

  it('does not hold on one approval: the worker still delivers the notice', async () => {
    await approveAllNotices();
    const hold = await requestHold(db, manager, held, validRequest());
    await approveHold(db, lea, hold.id);

    await deliverDue(db, transport);

    expect(await statusesOf(held)).toEqual(['sent']);
  });

  it('refuses the same person approving in both roles, and the notice is still delivered', async () => {
    await approveAllNotices();
    const hold = await requestHold(db, manager, held, validRequest());
    await approveHold(db, lea, hold.id);
    const before = await fullSnapshot(db);

    await expect(
      approveHold(db, cliActor('executive_incident_manager', 'LEA'), hold.id),
    ).rejects.toMatchObject({ code: 'BD_HOLD_FORBIDDEN' });
    expect(await fullSnapshot(db)).toEqual(before);
    await deliverDue(db, transport);
    expect(await statusesOf(held)).toEqual(['sent']);
  });

  it('refuses the same person approving again under a padded name (review 19, item 8)', async () => {
    await approveAllNotices();
    const hold = await requestHold(db, manager, held, validRequest());
    await approveHold(db, lea, hold.id);
    const before = await fullSnapshot(db);

    await expect(
      approveHold(db, cliActor('executive_incident_manager', ' lea'), hold.id),
    ).rejects.toMatchObject({ code: 'BD_HOLD_FORBIDDEN' });
    expect(await fullSnapshot(db)).toEqual(before);
  });

  it('refuses a request without a reason and stores nothing', async () => {
    const before = await fullSnapshot(db);
    const noReason = { ...validRequest(), reason: undefined };

    await expect(requestHold(db, manager, held, noReason)).rejects.toMatchObject({
      code: 'BD_HOLD_INVALID',
      field: 'reason',
    });
    expect(await fullSnapshot(db)).toEqual(before);
  });

  it('refuses a ground other than the two allowed and stores nothing', async () => {
    const before = await fullSnapshot(db);

    await expect(
      requestHold(db, manager, held, { ...validRequest(), ground: 'press_embargo' }),
    ).rejects.toMatchObject({ code: 'BD_HOLD_INVALID', field: 'ground' });
    expect(await fullSnapshot(db)).toEqual(before);
  });

  it('refuses a request from a responder and stores nothing', async () => {
    const before = await fullSnapshot(db);

    await expect(requestHold(db, responder, held, validRequest())).rejects.toMatchObject({
      code: 'BD_HOLD_FORBIDDEN',
    });
    expect(await fullSnapshot(db)).toEqual(before);
  });

  it('refuses an approval by an incident manager, who is neither legal nor executive', async () => {
    const hold = await requestHold(db, manager, held, validRequest());
    const before = await fullSnapshot(db);

    await expect(approveHold(db, manager, hold.id)).rejects.toMatchObject({
      code: 'BD_HOLD_FORBIDDEN',
    });
    expect(await fullSnapshot(db)).toEqual(before);
  });

  it('refuses a second approval in a role that already approved', async () => {
    const hold = await requestHold(db, manager, held, validRequest());
    await approveHold(db, lea, hold.id);

    await expect(approveHold(db, cliActor('legal', 'larry'), hold.id)).rejects.toMatchObject({
      code: 'BD_HOLD_STATE',
    });
  });

  it('refuses a hold on a notice already delivered to every recipient', async () => {
    await approveAllNotices();
    await deliverDue(db, transport);

    await expect(requestHold(db, manager, held, validRequest())).rejects.toMatchObject({
      code: 'BD_HOLD_STATE',
    });
  });

  it('keeps an effectively held notice in the outbox while other notices go out', async () => {
    await approveAllNotices();
    await effectiveHold();

    const tally = await deliverDue(db, transport);

    expect(await statusesOf(held)).toEqual(['queued']);
    expect(tally.sent).toBe(3);
    expect(await readdir(join(dir, 'outbox'))).toHaveLength(3);
  });

  it('holds the messages of a draft that is approved after the hold took effect', async () => {
    await effectiveHold();
    await approveAllNotices();

    await deliverDue(db, transport);

    expect(await statusesOf(held)).toEqual(['queued']);
  });

  it('never changes a clock by requesting, approving or releasing a hold', async () => {
    const before = await db.select().from(clocks);
    const hold = await effectiveHold();
    await releaseHold(db, manager, hold.id, { reason: 'adversary evicted' });

    expect(await db.select().from(clocks)).toEqual(before);
  });

  it("leaves the held tenant's clock running, unmet, while its notice is held", async () => {
    await approveAllNotices();
    await effectiveHold();
    await deliverDue(db, transport);

    const acme = (await listClocks(db, investigationId)).find((c) => c.tenantId === 'acme');
    expect(acme).toMatchObject({ due: '2026-12-01T10:00:00.000Z', metAt: null });
  });

  it('delivers the held notice once the hold is released', async () => {
    await approveAllNotices();
    const hold = await effectiveHold();
    await deliverDue(db, transport);

    const released = await releaseHold(db, lea, hold.id, { reason: 'adversary evicted' });
    await deliverDue(db, transport);

    expect(released.state).toBe('released');
    expect(await statusesOf(held)).toEqual(['sent']);
  });

  it('refuses a release without a reason and changes nothing', async () => {
    const hold = await effectiveHold();
    const before = await fullSnapshot(db);

    await expect(releaseHold(db, manager, hold.id, { reason: '' })).rejects.toMatchObject({
      code: 'BD_HOLD_INVALID',
      field: 'reason',
    });
    expect(await fullSnapshot(db)).toEqual(before);
  });

  it('audits request, each approval, effect and release, and the chain verifies', async () => {
    const hold = await effectiveHold();
    await releaseHold(db, manager, hold.id, { reason: 'adversary evicted' });

    const actions = (await auditEntriesFor(db, investigationId))
      .map((e) => e.action)
      .filter((a) => a.startsWith('hold.'));
    expect(actions).toEqual([
      'hold.requested',
      'hold.approved',
      'hold.approved',
      'hold.effective',
      'hold.released',
    ]);
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });
  });

  it('flags a hold past its review date once, with one staff alert', async () => {
    const hold = await effectiveHold();
    const later = new Date(Date.now() + 8 * DAY);

    const first = await flagHoldsDueForReview(db, later);
    const second = await flagHoldsDueForReview(db, later);

    expect([first, second]).toEqual([[hold.id], []]);
    const alerts = await db.select().from(staffAlerts);
    expect(alerts.map((a) => [a.kind, a.dedupKey])).toEqual([
      ['hold_review', `hold-review:${hold.id}`],
    ]);
    expect((await listHolds(db, investigationId, later))[0]?.reviewDue).toBe(true);
  });

  it('does not flag a hold before its review date', async () => {
    await effectiveHold();

    expect(await flagHoldsDueForReview(db)).toEqual([]);
    expect((await listHolds(db, investigationId))[0]?.reviewDue).toBe(false);
  });
});

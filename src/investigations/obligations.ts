/**
 * Deciding and meeting obligations: "required" or "not required" (a recorded decision with
 * approver and rationale), a filing recorded as made (late filings under GDPR Art. 33(1) must
 * carry their reasons), and corrections of the moments clocks run from.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { type FilingRule, getRegime, REGIME_IDS } from '../domain/regimes/index.ts';
import { parseOrFail } from '../domain/validate.ts';
import type { Db, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { clocks, investigations } from '../store/schema.ts';
import { ensureClocks, filingUpdates, latestFiledAt } from './clocks.ts';
import { lockInvestigation } from './workflow.ts';

const instant = z.iso.datetime({ offset: true });

const decisionSchema = z.object({
  decision: z.enum(['required', 'not_required']),
  rationale: z.string().trim().min(10, 'give the reason in a sentence').max(4000),
  option: z.string().max(100).optional(),
});

async function loadClock(db: Db, clockId: string) {
  const [row] = await db.select().from(clocks).where(eq(clocks.id, clockId));
  if (!row) fail('BD_NOT_FOUND', `obligation ${clockId} not found`, 'obligationId');
  return row;
}

/** Records that an obligation is, or is not, owed, with who decided and why. */
export async function decideObligation(db: Db, actor: Actor, clockId: string, input: unknown) {
  assertCan(actor, 'obligation.decide');
  const body = parseOrFail(decisionSchema, input, 'BD_REQUEST_INVALID');
  const row = await loadClock(db, clockId);
  if (row.status === 'met') {
    fail('BD_STAGE_PRECONDITION', 'the obligation is already met by a filing', 'status');
  }

  const decision = { ...body, decidedBy: actorLabel(actor), decidedAt: new Date().toISOString() };
  await db.transaction(async (tx) => {
    await tx.update(clocks).set({ status: body.decision, decision }).where(eq(clocks.id, clockId));
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'obligation.decided',
      entityType: 'investigation',
      entityId: row.investigationId,
      data: { clockId, ...decision },
    });
  });
  return { ...row, status: body.decision, decision };
}

const filingSchema = z.object({
  filedAt: instant,
  reference: z.string().trim().min(1).max(500),
  delayReasons: z.string().trim().min(1).max(4000).optional(),
});

/**
 * Records a filing made outside Breachdesk (e.g. to the supervisory authority). The first
 * filing meets the obligation and is recorded once. A filing whose rule is `updatable` (DORA's
 * intermediate report) also takes updated reports after it: each is kept beside the first,
 * audited, and moves the clocks chained on it (DORA's final report runs from the latest).
 */
export async function recordFiling(db: Db, actor: Actor, clockId: string, input: unknown) {
  assertCan(actor, 'obligation.file');
  const body = parseOrFail(filingSchema, input, 'BD_REQUEST_INVALID');
  const filedAt = new Date(body.filedAt).toISOString();
  if (filedAt > new Date().toISOString()) {
    fail('BD_REQUEST_INVALID', 'filedAt lies in the future', 'filedAt');
  }

  const { investigationId } = await loadClock(db, clockId);
  return db.transaction(async (tx) => {
    // The investigation lock orders this with moment corrections, which recompute its clocks.
    await lockInvestigation(tx, investigationId);
    const [row] = await tx.select().from(clocks).where(eq(clocks.id, clockId)).for('update');
    if (!row) fail('BD_NOT_FOUND', `obligation ${clockId} not found`, 'obligationId');
    const rule = getRegime(row.regime).filings.find((f) => f.filing === row.filing);

    const result =
      row.status === 'met'
        ? await recordUpdate(tx, actor, row, body, filedAt, rule)
        : await recordFirst(tx, actor, row, body, filedAt, rule);
    await ensureClocks(tx, investigationId, actor);
    return result;
  });
}

type ClockRow = typeof clocks.$inferSelect;
type FilingBody = z.infer<typeof filingSchema>;

async function recordFirst(
  tx: Tx,
  actor: Actor,
  row: ClockRow,
  body: FilingBody,
  filedAt: string,
  rule: FilingRule | undefined,
) {
  await assertChainedOnFiled(tx, row, rule);
  const startsAt = iso(row.startsAt);
  if (startsAt !== null && filedAt < startsAt) {
    fail('BD_REQUEST_INVALID', `filedAt lies before the clock started (${startsAt})`, 'filedAt');
  }

  // Once seen late a duty stays late (§1.8), even if a corrected moment moved its due since.
  const due = iso(row.due);
  const late = (due !== null && filedAt > due) || row.lateSince !== null;
  // GDPR Art. 33(1): a notification after 72 hours is accompanied by the reasons for the delay.
  if (late && rule?.lateNeedsReasons && !body.delayReasons) {
    fail(
      'BD_REQUEST_INVALID',
      `filed after ${due}: give delayReasons (${rule.source})`,
      'delayReasons',
    );
  }

  await tx
    .update(clocks)
    .set({
      status: 'met',
      metAt: filedAt,
      lateSince: late ? (iso(row.lateSince) ?? due) : null,
      decision: { filing: body, recordedBy: actorLabel(actor) },
    })
    .where(eq(clocks.id, row.id));
  await appendAudit(tx, {
    actor: actorLabel(actor),
    action: 'obligation.filed',
    entityType: 'investigation',
    entityId: row.investigationId,
    data: { clockId: row.id, ...body, late },
  });
  return { clockId: row.id, status: 'met', metAt: filedAt, filedAt, report: 1, late };
}

// An updated report has no deadline of its own: the first report already met (or missed) it,
// so neither met_at nor late_since moves.
async function recordUpdate(
  tx: Tx,
  actor: Actor,
  row: ClockRow,
  body: FilingBody,
  filedAt: string,
  rule: FilingRule | undefined,
) {
  const metAt = iso(row.metAt);
  if (!rule?.updatable) {
    fail('BD_STAGE_PRECONDITION', `already met at ${metAt}; a filing is recorded once`, 'status');
  }

  const latest = latestFiledAt({ metAt, decision: row.decision });
  if (latest !== null && filedAt <= latest) {
    fail(
      'BD_REQUEST_INVALID',
      `an updated ${row.filing} report follows the latest one, filed at ${latest}`,
      'filedAt',
    );
  }
  await assertNothingChainedFiled(tx, row);

  const updates = [
    ...filingUpdates(row.decision),
    { ...body, filedAt, recordedBy: actorLabel(actor), recordedAt: new Date().toISOString() },
  ];
  const decision = { ...(row.decision as Record<string, unknown> | null), updates };
  await tx.update(clocks).set({ decision }).where(eq(clocks.id, row.id));

  const report = updates.length + 1;
  await appendAudit(tx, {
    actor: actorLabel(actor),
    action: 'obligation.filed',
    entityType: 'investigation',
    entityId: row.investigationId,
    data: { clockId: row.id, ...body, report, late: false },
  });
  return { clockId: row.id, status: 'met', metAt, filedAt, report, late: false };
}

// A filing chained on another (NIS2's final report on the notification) runs from that
// filing's actual submission; until it is recorded, the start is only projected from its due
// time, and checking a filing against that projection would refuse real, earlier filings.
async function assertChainedOnFiled(tx: Tx, row: ClockRow, rule: FilingRule | undefined) {
  const anchors = (rule?.limits ?? []).flatMap((l) =>
    typeof l.anchor === 'string' ? [] : [l.anchor.filing],
  );
  if (anchors.length === 0) return;

  const filed = await tx
    .select({ filing: clocks.filing })
    .from(clocks)
    .where(
      and(
        eq(clocks.investigationId, row.investigationId),
        eq(clocks.regime, row.regime),
        eq(clocks.tenantKey, row.tenantKey),
        eq(clocks.status, 'met'),
        inArray(clocks.filing, anchors),
      ),
    );
  const missing = anchors.filter((a) => !filed.some((f) => f.filing === a));
  if (missing.length > 0) {
    fail(
      'BD_STAGE_PRECONDITION',
      `the ${row.filing} runs from the ${missing.join(' and ')} filing, not recorded yet; ` +
        `record the ${missing.join(' and ')} filing first`,
      'filedAt',
    );
  }
}

// DORA's final report closes the series: an intermediate report after it updates nothing.
async function assertNothingChainedFiled(tx: Tx, row: ClockRow): Promise<void> {
  const chained = getRegime(row.regime)
    .filings.filter((f) =>
      f.limits.some((l) => typeof l.anchor !== 'string' && l.anchor.filing === row.filing),
    )
    .map((f) => f.filing);
  if (chained.length === 0) return;

  const [filed] = await tx
    .select({ filing: clocks.filing, metAt: clocks.metAt })
    .from(clocks)
    .where(
      and(
        eq(clocks.investigationId, row.investigationId),
        eq(clocks.regime, row.regime),
        eq(clocks.tenantKey, row.tenantKey),
        eq(clocks.status, 'met'),
        inArray(clocks.filing, chained),
      ),
    )
    .limit(1);
  if (filed) {
    fail(
      'BD_STAGE_PRECONDITION',
      `the ${filed.filing} report was filed at ${iso(filed.metAt)}; no ${row.filing} ` +
        'report can follow it',
      'status',
    );
  }
}

const momentsSchema = z
  .object({
    awareAt: instant.optional(),
    classifiedAt: instant.optional(),
    determinedAt: instant.optional(),
    reason: z.string().trim().min(10, 'say why the moment is corrected').max(4000),
  })
  .refine((m) => m.awareAt ?? m.classifiedAt ?? m.determinedAt, 'give at least one moment');

/**
 * Corrects or records the moments clocks run from (awareness; classification as major for
 * DORA; determination for SEC, NYDFS and the US bank rule). Due instants are recomputed; a
 * filing that was already late stays recorded as late.
 */
export async function correctMoments(
  db: Db,
  actor: Actor,
  investigationId: string,
  input: unknown,
) {
  assertCan(actor, 'moments.write');
  const body = parseOrFail(momentsSchema, input, 'BD_REQUEST_INVALID');
  const now = new Date().toISOString();
  for (const [field, value] of Object.entries(body)) {
    if (field !== 'reason' && value && new Date(value).toISOString() > now) {
      fail('BD_REQUEST_INVALID', `${field} lies in the future`, field);
    }
  }

  return db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, investigationId);
    const set = {
      ...(body.awareAt ? { awareAt: new Date(body.awareAt).toISOString() } : {}),
      ...(body.classifiedAt ? { classifiedAt: new Date(body.classifiedAt).toISOString() } : {}),
      ...(body.determinedAt ? { determinedAt: new Date(body.determinedAt).toISOString() } : {}),
    };
    await tx
      .update(investigations)
      .set({ ...set, updatedAt: now })
      .where(eq(investigations.id, investigationId));
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.moments_corrected',
      entityType: 'investigation',
      entityId: investigationId,
      data: {
        ...set,
        reason: body.reason,
        previous: {
          awareAt: iso(inv.awareAt),
          classifiedAt: iso(inv.classifiedAt),
          determinedAt: iso(inv.determinedAt),
        },
      },
    });

    await ensureClocks(tx, investigationId, actor);
    return set;
  });
}

const regimeRef = z.object({
  regime: z.enum(REGIME_IDS),
  tenantId: z.string().max(100).nullable().default(null),
});
const overridesSchema = z
  .object({
    add: z.array(regimeRef).max(50).default([]),
    remove: z.array(regimeRef).max(50).default([]),
    reason: z.string().trim().min(10, 'say why the regimes differ from the rules').max(4000),
  })
  .refine((o) => o.add.length + o.remove.length > 0, 'add or remove at least one regime');

/**
 * Overrides which regimes apply to one investigation (DESIGN.md §1.8: applicability follows
 * from role, jurisdictions and sector, and can be overridden with a reason). The obligations
 * follow at once; a removed regime's open obligations are decided "not required" with that
 * reason.
 */
export async function overrideRegimes(
  db: Db,
  actor: Actor,
  investigationId: string,
  input: unknown,
) {
  assertCan(actor, 'regimes.override');
  const body = parseOrFail(overridesSchema, input, 'BD_REQUEST_INVALID');

  return db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, investigationId);
    await tx
      .update(investigations)
      .set({ regimeOverrides: body, updatedAt: new Date().toISOString() })
      .where(eq(investigations.id, investigationId));
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.regimes_overridden',
      entityType: 'investigation',
      entityId: investigationId,
      data: { ...body, previous: inv.regimeOverrides },
    });

    await ensureClocks(tx, investigationId, actor);
    return body;
  });
}

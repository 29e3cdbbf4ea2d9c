/**
 * The investigation's life: stage moves, ratings, classification, the CRSI declaration and
 * the post-mortem. Each decision is checked by a pure domain rule, then written with its
 * audit entry in one transaction.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { type ClassificationDecision, validateClassification } from '../domain/classification.ts';
import { validateDeclaration } from '../domain/declaration.ts';
import { fail } from '../domain/errors.ts';
import { rate } from '../domain/rating.ts';
import { parseRuleRequest, type RuleRequest } from '../domain/suppression-rule.ts';
import { assertTransition } from '../domain/stages.ts';
import { controlMessage, noControls } from '../domain/text-rules.ts';
import { type Classification, type Stage, STAGES } from '../domain/types.ts';
import { parseOrFail } from '../domain/validate.ts';
import { lineBreakOrControlIn } from '../domain/visible-text.ts';
import { syncDrafts } from '../notify/drafts.ts';
import { type Db, iso, type Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { investigations, notices, ratings, transitions } from '../store/schema.ts';
import { emailSchema } from '../tenants/import.ts';
import { decideOpenNotRequired, ensureClocks, openObligations } from './clocks.ts';
import { assertRuleAuthor, insertSuppressionRule } from './suppressions.ts';
import { teamActorIds } from './team.ts';

type InvestigationRow = typeof investigations.$inferSelect;

/** Loads an investigation for change, locking its row for the rest of the transaction. */
export async function lockInvestigation(tx: Tx, id: string): Promise<InvestigationRow> {
  const [row] = await tx
    .select()
    .from(investigations)
    .where(eq(investigations.id, id))
    .for('update');
  if (!row) fail('BD_NOT_FOUND', `investigation ${id} not found`, 'investigationId');
  return row;
}

const transitionSchema = z.object({
  to: z.enum(STAGES),
  reason: z.string().trim().min(1, 'a reason is required').max(4000).superRefine(noControls('one')),
});

/** Moves an investigation to another stage, if the process allows it from where it is. */
export async function moveStage(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown,
): Promise<InvestigationRow> {
  assertCan(actor, 'investigation.move');
  const { to, reason } = parseOrFail(transitionSchema, input, 'BD_REQUEST_INVALID');

  return db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, id);
    const from = inv.stage as Stage;
    assertTransition(from, to, {
      classification: inv.classification as Classification | null,
      postmortemComplete: inv.postmortem !== null,
    });
    if (to === 'close') await assertClosable(tx, inv, from, actor);

    const now = new Date().toISOString();
    const closedAt = to === 'close' ? now : null;
    const [updated] = await tx
      .update(investigations)
      .set({ stage: to, updatedAt: now, closedAt })
      .where(eq(investigations.id, id))
      .returning();
    await tx.insert(transitions).values({
      id: newId(),
      investigationId: id,
      fromStage: from,
      toStage: to,
      actor: actorLabel(actor),
      reason,
      at: now,
    });
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.stage_changed',
      entityType: 'investigation',
      entityId: id,
      data: { from, to, reason },
    });

    return updated ?? inv;
  });
}

/**
 * Closing a declared incident needs every notice decided (no drafts left) and every obligation
 * met or decided "not required". Closing from assess (false positive, no security event,
 * customer's own realm) records that classification as the reason no obligation is owed.
 */
async function assertClosable(tx: Tx, inv: InvestigationRow, from: Stage, actor: Actor) {
  if (from === 'assess') {
    const cause = inv.rootCause ? `: ${inv.rootCause}` : '';
    const why = `closed at assess as ${inv.classification}${cause}`;
    await decideOpenNotRequired(tx, inv.id, actor, why);
    return;
  }

  const drafts = await tx
    .select({ id: notices.id, tenantId: notices.tenantId })
    .from(notices)
    .where(and(eq(notices.investigationId, inv.id), eq(notices.status, 'draft')));
  if (drafts.length > 0) {
    const tenantsLeft = [...new Set(drafts.map((d) => d.tenantId))].join(', ');
    fail(
      'BD_STAGE_PRECONDITION',
      `notices are still drafts for ${tenantsLeft}: approve them first`,
      'notices',
    );
  }

  const open = await openObligations(tx, inv.id);
  if (open.length > 0) {
    const list = open.map(
      (c) => `${c.regime}/${c.filing}${c.tenantKey ? ` (${c.tenantKey})` : ''}`,
    );
    fail(
      'BD_STAGE_PRECONDITION',
      `obligations still open: ${list.join(', ')}; record the filing or decide "not required"`,
      'obligations',
    );
  }
}

/** Rates (or re-rates) an investigation; every rating is kept as history. */
export async function rateInvestigation(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown,
): Promise<InvestigationRow> {
  assertCan(actor, 'rating.write');
  const body = (input ?? {}) as { reason?: unknown };
  const rating = rate(input);
  const reason = typeof body.reason === 'string' ? body.reason.slice(0, 4000) : null;
  const control = reason === null ? null : lineBreakOrControlIn(reason);
  if (control !== null) {
    fail('BD_RATING_INVALID', `reason ${controlMessage('one', control)}`, 'reason');
  }

  return db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, id);
    if (inv.stage === 'close') {
      fail('BD_STAGE_PRECONDITION', 'a closed investigation cannot be re-rated', 'stage');
    }
    // A declaration found unauthorised access to customer data: that risk cannot be rated away.
    if (inv.declaredAt !== null && rating.customerDataRisk === 'none') {
      fail(
        'BD_RATING_INVALID',
        'customerDataRisk: a declared CRSI has confirmed risk to customer data; rate it confirmed',
        'customerDataRisk',
      );
    }

    const now = new Date().toISOString();
    await tx.insert(ratings).values({
      id: newId(),
      investigationId: id,
      rating,
      actor: actorLabel(actor),
      reason,
      at: now,
    });
    const [updated] = await tx
      .update(investigations)
      .set({ rating, severity: rating.severity, priority: rating.priority, updatedAt: now })
      .where(eq(investigations.id, id))
      .returning();
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.rated',
      entityType: 'investigation',
      entityId: id,
      data: { rating, previous: inv.rating, reason },
    });
    // A rating that touches personal data makes filings plausible: open them "to decide".
    const plausible =
      rating.informationImpact.includes('privacy') || rating.customerDataRisk !== 'none';
    if (plausible || inv.declaredAt !== null) await ensureClocks(tx, id, actor);

    return updated ?? inv;
  });
}

/**
 * Records what the investigation is (false positive needs its root cause). A false positive
 * may carry `suppress: { match, reason, expiresAt, owner? }`: the suppression rule is created
 * in the same transaction and linked to the investigation, so neither is stored without the
 * other.
 */
export async function classifyInvestigation(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown,
): Promise<InvestigationRow> {
  assertCan(actor, 'classification.write');
  const decision = validateClassification(input);
  const at = new Date();
  const suppress = suppressionRequestOf(actor, decision, input, at);

  return db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, id);
    if (inv.stage === 'close') {
      fail('BD_STAGE_PRECONDITION', 'a closed investigation cannot be reclassified', 'stage');
    }
    if (inv.classification === 'crsi') {
      fail('BD_STAGE_PRECONDITION', 'a declared CRSI keeps its classification', 'classification');
    }

    const now = at.toISOString();
    const [updated] = await tx
      .update(investigations)
      .set({
        classification: decision.classification,
        rootCause: decision.rootCause,
        updatedAt: now,
      })
      .where(eq(investigations.id, id))
      .returning();
    const rule = suppress && (await insertSuppressionRule(tx, actor, suppress, id, at));
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.classified',
      entityType: 'investigation',
      entityId: id,
      data: { ...decision, previous: inv.classification, suppressionRuleId: rule?.id ?? null },
    });

    return updated ?? inv;
  });
}

/** The rule a classification asks for, checked before anything is written; null for none. */
function suppressionRequestOf(
  actor: Actor,
  decision: ClassificationDecision,
  input: unknown,
  now: Date,
): RuleRequest | null {
  const suppress = (input as Record<string, unknown>).suppress;
  if (suppress === undefined || suppress === null) return null;

  // DESIGN.md §1.4: only a false positive's root cause becomes detection tuning.
  if (decision.classification !== 'false_positive') {
    fail(
      'BD_CLASSIFICATION_INVALID',
      'suppress is accepted only with classification false_positive, ' +
        `not ${decision.classification}`,
      'suppress',
    );
  }
  assertRuleAuthor(actor, 'suppress');
  return parseRuleRequest(suppress, now, actor.id, 'suppress.');
}

const noticeText = z.string().trim().min(1).max(4000).superRefine(noControls('many'));
const noticeTextsSchema = z
  .object({
    nature: noticeText.optional(),
    likelyConsequences: noticeText.optional(),
    measures: noticeText.optional(),
    contactName: z.string().trim().min(1).max(200).superRefine(noControls('one')).optional(),
    contactEmail: emailSchema.optional(),
  })
  .strict();

/**
 * Declares a customer-reportable security incident. Only an incident manager may; it records
 * the moment of awareness, starts the notification clocks and drafts one notice per affected
 * tenant known from scoping.
 */
export async function declareCrsi(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown,
): Promise<InvestigationRow> {
  assertCan(actor, 'crsi.declare');

  return db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, id);
    const now = new Date();
    const stage = inv.stage as Stage;
    const declaration = validateDeclaration(input, { role: actor.role, stage, now });
    if (inv.declaredAt !== null) {
      fail(
        'BD_DECLARE_DUPLICATE',
        `investigation ${id} was already declared at ${iso(inv.declaredAt)}`,
      );
    }
    // Parsed under its own key, so that a refusal names notice.contactName, not contactName.
    const { notice } = parseOrFail(
      z.object({ notice: noticeTextsSchema }),
      { notice: (input as { notice?: unknown }).notice ?? {} },
      'BD_DECLARE_INVALID',
    );
    // The contact point goes into every notice (GDPR Art. 33(3)(b)): it must be a real one.
    if (!notice.contactEmail && !process.env.BREACHDESK_CONTACT_EMAIL) {
      fail(
        'BD_DECLARE_INVALID',
        'notice.contactEmail: give the contact point for notices, or set BREACHDESK_CONTACT_EMAIL',
        'notice.contactEmail',
      );
    }

    const [updated] = await tx
      .update(investigations)
      .set({
        classification: 'crsi',
        declaration: { ...declaration, declaredBy: actorLabel(actor), notice },
        awareAt: declaration.awareAt,
        declaredAt: declaration.declaredAt,
        severity: 'high',
        updatedAt: declaration.declaredAt,
      })
      .where(eq(investigations.id, id))
      .returning();
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.declared_crsi',
      entityType: 'investigation',
      entityId: id,
      data: { ...declaration, previousClassification: inv.classification },
    });

    await ensureClocks(tx, id, actor);
    await syncDrafts(tx, id, actor);
    return updated ?? inv;
  });
}

const postmortemText = (max: number) =>
  z.string().trim().min(1).max(max).superRefine(noControls('many'));
const postmortemSchema = z.object({
  summary: postmortemText(20_000),
  rootCause: postmortemText(20_000),
  lessons: postmortemText(20_000),
  actions: z.array(postmortemText(2000)).min(1).max(200),
});

/** Records the post-mortem that closing after stabilize requires. */
export async function writePostmortem(
  db: Db,
  actor: Actor,
  id: string,
  input: unknown,
): Promise<InvestigationRow> {
  assertCan(actor, 'postmortem.write');
  const pm = parseOrFail(postmortemSchema, input, 'BD_REQUEST_INVALID');

  return db.transaction(async (tx) => {
    const inv = await lockInvestigation(tx, id);
    assertCan(actor, 'postmortem.write', {
      object: { kind: 'investigation', id },
      owner: { tenantIds: [], team: await teamActorIds(tx, id) },
    });
    if (inv.stage === 'close') {
      fail(
        'BD_STAGE_PRECONDITION',
        'the investigation is closed; its post-mortem is final',
        'stage',
      );
    }

    const now = new Date().toISOString();
    const postmortem = { ...pm, author: actorLabel(actor), completedAt: now };
    const [updated] = await tx
      .update(investigations)
      .set({ postmortem, updatedAt: now })
      .where(eq(investigations.id, id))
      .returning();
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'investigation.postmortem_written',
      entityType: 'investigation',
      entityId: id,
      data: { summaryLength: pm.summary.length, actions: pm.actions.length },
    });

    return updated ?? inv;
  });
}

/** Finds an investigation by its id or by its reference (INV-12). */
export async function resolveInvestigationId(db: Db, idOrRef: string): Promise<string> {
  const m = /^INV-(\d{1,9})$/i.exec(idOrRef);
  const where = m ? eq(investigations.number, Number(m[1])) : eq(investigations.id, idOrRef);
  const [row] = await db.select({ id: investigations.id }).from(investigations).where(where);
  if (!row) fail('BD_NOT_FOUND', `investigation ${idOrRef} not found`, 'investigationId');

  return row.id;
}

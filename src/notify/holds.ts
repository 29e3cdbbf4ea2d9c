/**
 * Holding a notice back (DESIGN.md §1.6). A hold names one of two allowed grounds, a written
 * reason and a review date; it takes effect only once a legal user and an executive incident
 * manager, two different people, have both approved it. While it is effective the outbox
 * worker skips the notice's messages (see the claim query in worker.ts). Nothing here touches
 * a clock: the deadline keeps running while a notice is held.
 */
import { and, asc, eq, inArray, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan, can } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import { noControls } from '../domain/text-rules.ts';
import { parseOrFail } from '../domain/validate.ts';
import { showsNoText } from '../domain/visible-text.ts';
import { type Conn, type Db, iso, type Tx } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { holds, notices, outbox } from '../store/schema.ts';
import { reresolveRecipients } from './recipients.ts';
import { raiseStaffAlert } from './staff-alerts.ts';

/** The only grounds on which a notice may be held back (DESIGN.md §1.6). */
export const HOLD_GROUNDS = ['risk_to_other_customers', 'extreme_circumstance'] as const;
export type HoldGround = (typeof HOLD_GROUNDS)[number];

export type HoldState = 'requested' | 'partially_approved' | 'effective' | 'released';

/** Longest reason accepted, in characters, for a request and for a release. */
export const HOLD_REASON_MAX = 4000;
/** A hold must be looked at again within this many days of being requested. */
export const HOLD_REVIEW_MAX_DAYS = 30;

const MS_PER_DAY = 86_400_000;
const HOLDS_ACTOR = 'system:holds';

const reason = z
  .string({ error: 'a written reason is required' })
  .trim()
  .min(1, 'a written reason is required')
  .max(HOLD_REASON_MAX, `must be at most ${HOLD_REASON_MAX} characters`)
  .refine((s) => !showsNoText(s), 'a written reason is required; it shows no text')
  // The console shows the reason in a line of its own text, which an unclosed override turns.
  .superRefine(noControls('many'));

const requestSchema = z.object({
  ground: z.enum(HOLD_GROUNDS, { error: `must be one of ${HOLD_GROUNDS.join(', ')}` }),
  reason,
  reviewAt: z.iso.datetime({
    offset: true,
    error: 'must be an ISO 8601 date and time with Z or an offset, e.g. 2026-12-15T09:00:00Z',
  }),
});

export interface HoldRequest {
  ground: HoldGround;
  reason: string;
  /** UTC instant, ISO 8601 with Z. */
  reviewAt: string;
}

/**
 * Checks a hold request against the rules, with no I/O: an allowed ground, a non-empty
 * reason of at most HOLD_REASON_MAX characters, and a review date after `now` and at most
 * HOLD_REVIEW_MAX_DAYS later. Throws BD_HOLD_INVALID naming the field.
 */
export function parseHoldRequest(input: unknown, now: Date): HoldRequest {
  const body = parseOrFail(requestSchema, input, 'BD_HOLD_INVALID');

  const reviewAt = new Date(body.reviewAt);
  if (reviewAt.getTime() <= now.getTime()) {
    fail('BD_HOLD_INVALID', 'reviewAt must be in the future', 'reviewAt');
  }
  if (reviewAt.getTime() > now.getTime() + HOLD_REVIEW_MAX_DAYS * MS_PER_DAY) {
    fail(
      'BD_HOLD_INVALID',
      `reviewAt must be at most ${HOLD_REVIEW_MAX_DAYS} days ahead; renew the hold to go longer`,
      'reviewAt',
    );
  }

  return { ground: body.ground, reason: body.reason, reviewAt: reviewAt.toISOString() };
}

// Format characters (zero-width space, joiners, BOM, bidi marks) never tell two names apart.
const FORMAT = /\p{Cf}/gu;

/**
 * The person behind an actor id. Ids are `cli:<name>` or `token:<label>`; the same name
 * through either door is one person, compared trimmed, without format characters, NFC-normalised
 * and case-folded, so that dual approval cannot be met by one person using two channels or
 * spelling their name with padding, a decomposed accent or other capitals.
 */
export function personOf(actorId: string): string {
  const name = actorId
    .replace(/^(cli|token):/, '')
    .normalize('NFC')
    .replace(FORMAT, '')
    .trim();
  // Upper then lower case approximates Unicode case folding (ß and SS, ſ and s, ς and σ).
  return name.toUpperCase().toLowerCase().normalize('NFC');
}

type HoldRow = typeof holds.$inferSelect;

/** Where a hold stands; only 'effective' keeps messages in the outbox. */
export function holdState(row: HoldRow): HoldState {
  if (row.releasedAt !== null) return 'released';
  if (row.legalApprovedAt !== null && row.executiveApprovedAt !== null) return 'effective';
  if (row.legalApprovedAt !== null || row.executiveApprovedAt !== null) {
    return 'partially_approved';
  }
  return 'requested';
}

/** A hold as the API and the CLI show it. */
export interface HoldView {
  id: string;
  noticeId: string;
  investigationId: string;
  tenantId: string;
  ground: string;
  reason: string;
  reviewAt: string;
  requestedBy: string;
  createdAt: string;
  legalApprover: string | null;
  legalApprovedAt: string | null;
  executiveApprover: string | null;
  executiveApprovedAt: string | null;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
  state: HoldState;
  /** True when the hold is still in place and its review date has passed. */
  reviewDue: boolean;
}

interface NoticeRef {
  investigationId: string;
  tenantId: string;
}

function toView(row: HoldRow, notice: NoticeRef, now: Date): HoldView {
  const reviewAt = iso(row.reviewAt);
  return {
    id: row.id,
    noticeId: row.noticeId,
    investigationId: notice.investigationId,
    tenantId: notice.tenantId,
    ground: row.ground,
    reason: row.reason,
    reviewAt,
    requestedBy: row.requestedBy,
    createdAt: iso(row.createdAt),
    legalApprover: row.legalApprover,
    legalApprovedAt: iso(row.legalApprovedAt),
    executiveApprover: row.executiveApprover,
    executiveApprovedAt: iso(row.executiveApprovedAt),
    releasedAt: iso(row.releasedAt),
    releasedBy: row.releasedBy,
    releaseReason: row.releaseReason,
    state: holdState(row),
    reviewDue: row.releasedAt === null && Date.parse(reviewAt) <= now.getTime(),
  };
}

/** Messages of the notice that have not yet reached a final outcome. */
async function pendingMessages(conn: Conn, noticeId: string): Promise<number> {
  const rows = await conn
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.noticeId, noticeId), inArray(outbox.status, ['queued', 'sending'])));
  return rows.length;
}

/** Refuses when the notice has nothing left that a hold could keep back. */
async function assertHoldable(tx: Tx, notice: typeof notices.$inferSelect): Promise<void> {
  if (notice.status === 'draft') return;
  if (notice.status === 'approved' && (await pendingMessages(tx, notice.id)) > 0) return;

  fail(
    'BD_HOLD_STATE',
    `notice ${notice.id} has no message left to deliver; only a draft or an approved notice ` +
      'not yet delivered to every recipient can be held',
    'noticeId',
  );
}

async function lockNotice(tx: Tx, noticeId: string) {
  const [notice] = await tx.select().from(notices).where(eq(notices.id, noticeId)).for('update');
  if (!notice) fail('BD_NOT_FOUND', `notice ${noticeId} not found`, 'noticeId');
  return notice;
}

/**
 * Records a request to hold a notice. The hold does nothing until both approvals are in.
 * Another hold that is still awaiting approval blocks a new request; an effective one does
 * not, so a hold can be renewed without a gap (request anew, approve, release the old one).
 */
export async function requestHold(
  db: Db,
  actor: Actor,
  noticeId: string,
  input: unknown,
  now = new Date(),
): Promise<HoldView> {
  assertCan(actor, 'hold.request');
  const request = parseHoldRequest(input, now);

  return db.transaction(async (tx) => {
    const notice = await lockNotice(tx, noticeId);
    await assertHoldable(tx, notice);
    const open = await tx
      .select()
      .from(holds)
      .where(and(eq(holds.noticeId, noticeId), isNull(holds.releasedAt)));
    const pending = open.find((h) => holdState(h) !== 'effective');
    if (pending) {
      fail(
        'BD_HOLD_STATE',
        `hold ${pending.id} on this notice is still awaiting approval; approve or release it`,
        'noticeId',
      );
    }

    const [row] = await tx
      .insert(holds)
      .values({
        id: newId(),
        noticeId,
        ...request,
        requestedBy: actorLabel(actor),
        createdAt: now.toISOString(),
      })
      .returning();
    if (!row) fail('BD_INTERNAL', 'hold was not stored');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'hold.requested',
      entityType: 'investigation',
      entityId: notice.investigationId,
      data: { holdId: row.id, noticeId, tenantId: notice.tenantId, ...request },
      at: now,
    });

    return toView(row, notice, now);
  });
}

/**
 * Adds the caller's approval in their role (legal or executive incident manager). The hold
 * takes effect when both are present and given by two different people (see personOf).
 */
export async function approveHold(
  db: Db,
  actor: Actor,
  holdId: string,
  now = new Date(),
): Promise<HoldView> {
  assertCan(actor, ['hold.approve.legal', 'hold.approve.executive']);
  const asLegal = can(actor, 'hold.approve.legal');

  return db.transaction(async (tx) => {
    const hold = await lockHold(tx, holdId);
    const notice = await lockNotice(tx, hold.noticeId);
    if (hold.releasedAt !== null) fail('BD_HOLD_STATE', `hold ${holdId} was released`, 'holdId');
    const own = asLegal ? hold.legalApprover : hold.executiveApprover;
    const other = asLegal ? hold.executiveApprover : hold.legalApprover;
    if (own !== null) {
      fail('BD_HOLD_STATE', `the ${actor.role} approval was already given by ${own}`, 'holdId');
    }
    // DESIGN.md §1.6: two people must agree; one person in two roles is still one person.
    if (other !== null && personOf(other) === personOf(actor.id)) {
      fail(
        'BD_HOLD_FORBIDDEN',
        `${other} already approved this hold; the second approval must come from someone else`,
      );
    }
    await assertHoldable(tx, notice);

    const at = now.toISOString();
    const [row] = await tx
      .update(holds)
      .set(
        asLegal
          ? { legalApprover: actor.id, legalApprovedAt: at }
          : { executiveApprover: actor.id, executiveApprovedAt: at },
      )
      .where(eq(holds.id, holdId))
      .returning();
    if (!row) fail('BD_INTERNAL', 'hold approval was not stored');
    const view = toView(row, notice, now);

    const audit = { entityType: 'investigation', entityId: notice.investigationId, at: now };
    const data = { holdId, noticeId: hold.noticeId, tenantId: notice.tenantId };
    await appendAudit(tx, {
      ...audit,
      actor: actorLabel(actor),
      action: 'hold.approved',
      data: { ...data, role: actor.role },
    });
    if (view.state === 'effective') {
      await appendAudit(tx, {
        ...audit,
        actor: HOLDS_ACTOR,
        action: 'hold.effective',
        data: { ...data, legal: row.legalApprover, executive: row.executiveApprover },
      });
    }

    return view;
  });
}

async function lockHold(tx: Tx, holdId: string): Promise<HoldRow> {
  const [hold] = await tx.select().from(holds).where(eq(holds.id, holdId)).for('update');
  if (!hold) fail('BD_NOT_FOUND', `hold ${holdId} not found`, 'holdId');
  return hold;
}

/**
 * Releases a hold (or withdraws a request that never took effect), with a reason. The
 * notice's recipients are resolved again against the tenant's breach contacts now (a contact
 * removed while it was held gets nothing, one added gets a message: recipients.ts), and its
 * queued messages are then delivered by the worker as usual.
 */
export async function releaseHold(
  db: Db,
  actor: Actor,
  holdId: string,
  input: unknown,
  now = new Date(),
): Promise<HoldView> {
  assertCan(actor, 'hold.release');
  const body = parseOrFail(z.object({ reason }), input, 'BD_HOLD_INVALID');

  return db.transaction(async (tx) => {
    const hold = await lockHold(tx, holdId);
    if (hold.releasedAt !== null) {
      fail('BD_HOLD_STATE', `hold ${holdId} was already released`, 'holdId');
    }
    const [notice] = await tx.select().from(notices).where(eq(notices.id, hold.noticeId));
    if (!notice) fail('BD_NOT_FOUND', `notice ${hold.noticeId} not found`, 'noticeId');

    const [row] = await tx
      .update(holds)
      .set({
        releasedAt: now.toISOString(),
        releasedBy: actorLabel(actor),
        releaseReason: body.reason,
      })
      .where(eq(holds.id, holdId))
      .returning();
    if (!row) fail('BD_INTERNAL', 'hold release was not stored');
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'hold.released',
      entityType: 'investigation',
      entityId: notice.investigationId,
      data: {
        holdId,
        noticeId: hold.noticeId,
        tenantId: notice.tenantId,
        wasEffective: holdState(hold) === 'effective',
        reason: body.reason,
      },
      at: now,
    });
    // Contact changes re-resolve as they happen; this catches any made outside that path.
    if (notice.audience === 'tenant') {
      await reresolveRecipients(tx, notice.tenantId, {
        actor: actorLabel(actor),
        reason: `hold ${holdId} released`,
        at: now,
      });
    }

    return toView(row, notice, now);
  });
}

/** Every hold on the investigation's notices, oldest first. */
export async function listHolds(
  conn: Conn,
  investigationId: string,
  now = new Date(),
): Promise<HoldView[]> {
  const rows = await conn
    .select({ hold: holds, investigationId: notices.investigationId, tenantId: notices.tenantId })
    .from(holds)
    .innerJoin(notices, eq(notices.id, holds.noticeId))
    .where(eq(notices.investigationId, investigationId))
    .orderBy(asc(holds.createdAt), asc(holds.id));
  return rows.map((r) => toView(r.hold, r, now));
}

/**
 * Raises one staff alert (kind 'hold_review', audited as staff_alert.raised) for each hold
 * still in place whose review date has passed. Idempotent: the dedup key 'hold-review:<holdId>'
 * lets each hold be flagged once.
 * A hold past review keeps holding; people decide. Returns the ids flagged by this call.
 */
export async function flagHoldsDueForReview(db: Db, now = new Date()): Promise<string[]> {
  const due = await db
    .select({ hold: holds, investigationId: notices.investigationId, tenantId: notices.tenantId })
    .from(holds)
    .innerJoin(notices, eq(notices.id, holds.noticeId))
    .where(and(isNull(holds.releasedAt), lte(holds.reviewAt, now.toISOString())))
    .orderBy(asc(holds.reviewAt));

  const flagged: string[] = [];
  for (const d of due) {
    const view = toView(d.hold, d, now);
    const raised = await db.transaction((tx) =>
      raiseStaffAlert(
        tx,
        {
          kind: 'hold_review',
          investigationId: d.investigationId,
          dedupKey: `hold-review:${view.id}`,
          subject: `Hold review due: notice to ${view.tenantId} (${view.state})`,
          body: reviewBody(view),
          at: now,
        },
        HOLDS_ACTOR,
      ),
    );
    if (raised) flagged.push(view.id);
  }

  return flagged;
}

function reviewBody(h: HoldView): string {
  return [
    `Hold ${h.id} on notice ${h.noticeId} (tenant ${h.tenantId}) ` +
      `was due for review at ${h.reviewAt}.`,
    `State: ${h.state}. Ground: ${h.ground}.`,
    `Reason: ${h.reason}`,
    '',
    'The notification deadline kept running while the notice was held. Release the hold, or',
    'renew it: request a new hold, have it approved, then release this one.',
  ].join('\n');
}

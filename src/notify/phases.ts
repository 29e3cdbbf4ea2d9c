/**
 * Phased notices, GDPR Art. 33(4): "where, and in so far as, it is not possible to provide
 * the information at the same time, the information may be provided in phases". A follow-up
 * is a new notice (phase n + 1) for the same tenant and audience, drafted only once phase n
 * was approved, pointing back to it (follows_notice_id) and saying in its text which notices
 * it follows, with their dates and references. It carries the current facts in full, so each
 * phase can be read on its own.
 */
import { and, asc, eq, gt, min } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import {
  type FollowUpFacts,
  type NoticeFacts,
  type NoticeReference,
  validateNoticeFacts,
} from '../domain/notice-content.ts';
import { parseOrFail } from '../domain/validate.ts';
import { whatWithCustomerSummary } from '../investigations/customer-summary.ts';
import type { Db, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { investigations, notices, outbox } from '../store/schema.ts';
import { latestAffectedTenants } from '../scoping/results.ts';
import {
  buildFacts,
  noticeTextsOf,
  recipientLanguages,
  storedContent,
  tenantLanguage,
} from './drafts.ts';
import { chooseLanguages, renderNotice } from './render.ts';
import { NOTICE_AUDIENCES, type NoticeAudience } from './templates/loader.ts';

type NoticeRow = typeof notices.$inferSelect;

const followUpSchema = z.object({
  what: z
    .string({ error: 'say what is new since the previous notice' })
    .trim()
    .min(1, 'say what is new since the previous notice')
    .max(20_000, 'must be at most 20000 characters'),
  // The newest approved customer-facing summary follows `what` (docs/postmortems.md).
  includeCustomerSummary: z.boolean().optional(),
});

/** Human reference of a notice phase, quoted in later phases: `INV-12/1`. */
export function noticeReference(investigationNumber: number, phase: number): string {
  return `INV-${investigationNumber}/${phase}`;
}

/**
 * Drafts the follow-up (phase n + 1) of an approved notice, with `what` saying what is new
 * and, with `includeCustomerSummary: true`, the investigation's newest approved
 * customer-facing summary after it. Throws BD_NOTICE_INVALID_STATE while the notice is still
 * a draft or already has a follow-up, BD_REQUEST_INVALID (field `what`) for an empty text,
 * BD_SUMMARY_STATE (field `includeCustomerSummary`) when no summary is approved. Audited.
 */
export async function createFollowUp(
  db: Db,
  actor: Actor,
  noticeId: string,
  input: unknown,
): Promise<NoticeRow> {
  assertCan(actor, 'notice.followup.draft');
  const parsed = parseOrFail(followUpSchema, input, 'BD_REQUEST_INVALID');

  return db.transaction(async (tx) => {
    const previous = await lockFollowable(tx, noticeId);
    const [inv] = await tx
      .select()
      .from(investigations)
      .where(eq(investigations.id, previous.investigationId));
    if (!inv) fail('BD_NOT_FOUND', `investigation of notice ${noticeId} not found`, 'noticeId');

    const initial = await initialPhase(tx, previous);
    // GDPR Art. 33(4) phases follow a notice that was given: one still held or queued has not
    // been, and a follow-up would say what the held notice was kept from saying.
    const [delivered] = await tx
      .select({ id: outbox.id })
      .from(outbox)
      .where(and(eq(outbox.noticeId, initial.id), eq(outbox.status, 'sent')))
      .limit(1);
    if (!delivered) {
      fail(
        'BD_NOTICE_INVALID_STATE',
        `the initial notice ${initial.id} has not reached anyone yet (held, still queued, or ` +
          'every recipient failed: a breach contact added now receives it); follow up after it',
        'noticeId',
      );
    }

    const { what, summary } = parsed.includeCustomerSummary
      ? await whatWithCustomerSummary(tx, inv.id, parsed.what)
      : { what: parsed.what, summary: null };
    const followUp: FollowUpFacts = {
      what,
      initial: await referenceOf(tx, inv.number, initial),
      previous: await referenceOf(tx, inv.number, previous),
    };
    const facts: NoticeFacts = { ...(await currentFacts(tx, inv, previous)), followUp };
    const audience = previous.audience as NoticeAudience;
    const languages = chooseLanguages(
      await recipientLanguages(tx, previous.tenantId, audience),
      await tenantLanguage(tx, previous.tenantId),
    );
    const content = storedContent(renderNotice({ audience, facts, languages }), facts);

    const [row] = await tx
      .insert(notices)
      .values({
        id: newId(),
        investigationId: previous.investigationId,
        tenantId: previous.tenantId,
        audience,
        phase: previous.phase + 1,
        followsNoticeId: previous.id,
        status: 'draft',
        exercise: previous.exercise,
        createdAt: new Date().toISOString(),
        ...content,
      })
      .returning();
    if (!row) throw new Error('insert returned no notice');

    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'notice.follow_up_drafted',
      entityType: 'investigation',
      entityId: previous.investigationId,
      data: {
        noticeId: row.id,
        followsNoticeId: previous.id,
        phase: row.phase,
        tenantId: row.tenantId,
        audience,
        bodySha256: row.bodySha256,
        ...(summary && { customerSummary: { id: summary.id, bodySha256: summary.bodySha256 } }),
      },
    });
    return row;
  });
}

// The row lock serialises two follow-ups of the same notice: the second sees the first.
async function lockFollowable(tx: Tx, noticeId: string): Promise<NoticeRow> {
  const [notice] = await tx.select().from(notices).where(eq(notices.id, noticeId)).for('update');
  if (!notice) fail('BD_NOT_FOUND', `notice ${noticeId} not found`, 'noticeId');
  if (!(NOTICE_AUDIENCES as readonly string[]).includes(notice.audience)) {
    fail('BD_NOTICE_INVALID_STATE', `notice ${noticeId} has no template for ${notice.audience}`);
  }
  if (notice.approvedAt === null) {
    fail(
      'BD_NOTICE_INVALID_STATE',
      `notice ${noticeId} (phase ${notice.phase}) is ${notice.status}; a follow-up can only ` +
        'follow an approved notice, so approve it or edit the draft instead',
      'status',
    );
  }

  const [next] = await tx
    .select({ id: notices.id, phase: notices.phase })
    .from(notices)
    .where(
      and(
        eq(notices.investigationId, notice.investigationId),
        eq(notices.tenantId, notice.tenantId),
        eq(notices.audience, notice.audience),
        gt(notices.phase, notice.phase),
      ),
    )
    .orderBy(asc(notices.phase))
    .limit(1);
  if (next) {
    fail(
      'BD_NOTICE_INVALID_STATE',
      `notice ${noticeId} already has a follow-up, ${next.id} (phase ${next.phase}); ` +
        'follow up the latest phase',
      'noticeId',
    );
  }
  return notice;
}

async function initialPhase(tx: Tx, notice: NoticeRow): Promise<NoticeRow> {
  if (notice.phase === 1) return notice;
  const [first] = await tx
    .select()
    .from(notices)
    .where(
      and(
        eq(notices.investigationId, notice.investigationId),
        eq(notices.tenantId, notice.tenantId),
        eq(notices.audience, notice.audience),
        eq(notices.phase, 1),
      ),
    );
  return first ?? notice;
}

/**
 * How later notices quote `notice`: its reference (`INV-12/1`), phase and when it was issued,
 * which is when it first reached someone, or before any delivery its approval.
 */
export async function referenceOf(
  tx: Tx,
  investigationNumber: number,
  notice: NoticeRow,
): Promise<NoticeReference> {
  const [sent] = await tx
    .select({ first: min(outbox.sentAt) })
    .from(outbox)
    .where(eq(outbox.noticeId, notice.id));
  const issuedAt = iso(sent?.first ?? notice.approvedAt ?? notice.createdAt);

  return {
    noticeId: notice.id,
    reference: noticeReference(investigationNumber, notice.phase),
    phase: notice.phase,
    issuedAt,
  };
}

// The latest scoping for the tenant when it is still in scope; otherwise what the previous
// phase said, which a follow-up then corrects in its "what is new".
async function currentFacts(
  tx: Tx,
  inv: typeof investigations.$inferSelect,
  previous: NoticeRow,
): Promise<NoticeFacts> {
  const before = validateNoticeFacts(previous.facts);
  const { tenants } = await latestAffectedTenants(tx, inv.id);
  const scoped = tenants.find((t) => t.tenantId === previous.tenantId);
  if (!scoped) return { ...before, followUp: null };

  const fresh = await buildFacts(tx, inv, scoped, noticeTextsOf(inv));
  // An authority notice's follow-up goes where the notice it follows went.
  return {
    ...fresh,
    delayReasons: before.delayReasons ?? null,
    addressee: before.addressee ?? null,
  };
}

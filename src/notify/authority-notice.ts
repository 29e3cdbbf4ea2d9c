/**
 * The notice to a supervisory authority (GDPR Art. 33(1)), drafted on request for a recorded
 * obligation. Nothing drafts it automatically: whether the deployment is controller for the
 * data is decided per obligation, and authorities' addresses are not in our data, so the
 * operator names the mailbox. The draft then goes through the same approval, holds and outbox
 * as every other notice (approve.ts). Delivery does not meet the obligation by itself: record
 * the filing (obligations.ts recordFiling), quoting the Message-ID or the authority's receipt.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { fail } from '../domain/errors.ts';
import type { NoticeFacts } from '../domain/notice-content.ts';
import { getRegime } from '../domain/regimes/index.ts';
import type { Role } from '../domain/types.ts';
import { parseOrFail } from '../domain/validate.ts';
import { lockInvestigation } from '../investigations/workflow.ts';
import type { Db, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { clocks, holds, notices } from '../store/schema.ts';
import { type AffectedTenant, latestAffectedTenants } from '../scoping/results.ts';
import { buildFacts, noticeTextsOf, storedContent } from './drafts.ts';
import { renderNotice } from './render.ts';
import { LANGUAGES } from './templates/vocabulary.ts';

type NoticeRow = typeof notices.$inferSelect;
type ClockRow = typeof clocks.$inferSelect;

/**
 * Regimes whose authority filing the shipped `authority` templates word: they cite GDPR
 * Art. 33 and its paragraphs, so another regime's report (NIS2, DORA, …) would be mis-worded.
 */
export const AUTHORITY_NOTICE_REGIMES: readonly string[] = ['gdpr-33-1'];

const DRAFTERS: ReadonlySet<Role> = new Set([
  'responder',
  'investigator',
  'incident_manager',
  'executive_incident_manager',
  'legal',
]);

const draftSchema = z.object({
  recipientName: z.string().trim().min(1).max(200),
  recipientEmail: z.email().max(254),
  /** The affected tenant whose data the notice concerns; needed when several are affected. */
  tenantId: z.string().max(100).optional(),
  language: z.enum(LANGUAGES).default('en'),
  delayReasons: z.string().trim().min(1).max(20_000).optional(),
});

/**
 * Drafts (or, while still a draft, redrafts with current facts) the authority notice for the
 * obligation `clockId`, addressed to the mailbox given. One notice per affected tenant, as
 * the template words it ("personal data held for …"). Refuses other regimes, obligations met
 * or decided not required, undeclared investigations and red-team exercises; a notice past
 * the obligation's due instant needs `delayReasons` (Art. 33(1)). Audited.
 */
export async function draftAuthorityNotice(
  db: Db,
  actor: Actor,
  clockId: string,
  input: unknown,
): Promise<NoticeRow> {
  if (!DRAFTERS.has(actor.role)) {
    fail('BD_AUTH_FORBIDDEN', `role ${actor.role} may not draft notices; responders may`);
  }
  const body = parseOrFail(draftSchema, input, 'BD_REQUEST_INVALID');

  return db.transaction(async (tx) => {
    const clock = await loadOpenAuthorityClock(tx, clockId);
    const inv = await lockInvestigation(tx, clock.investigationId);
    if (inv.declaredAt === null) {
      fail('BD_STAGE_PRECONDITION', 'declare the CRSI before notifying an authority', 'stage');
    }
    if (inv.exerciseId !== null) {
      fail('BD_NOTICE_INVALID_STATE', 'a red-team exercise never notifies an authority');
    }
    assertDelayExplained(clock, body.delayReasons);

    const tenant = await concernedTenant(tx, clock, body.tenantId);
    const facts: NoticeFacts = {
      ...(await buildFacts(tx, inv, tenant, noticeTextsOf(inv))),
      delayReasons: body.delayReasons ?? null,
      addressee: { name: body.recipientName, email: body.recipientEmail },
    };
    const content = storedContent(
      renderNotice({ audience: 'authority', facts, languages: [body.language] }),
      facts,
    );

    const row = await saveDraft(tx, inv.id, tenant.tenantId, content);
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'notice.drafted',
      entityType: 'investigation',
      entityId: inv.id,
      data: {
        noticeId: row.id,
        tenantId: tenant.tenantId,
        audience: 'authority',
        clockId,
        recipientEmail: body.recipientEmail,
        language: content.language,
        bodySha256: content.bodySha256,
      },
    });
    return row;
  });
}

const withdrawSchema = z.object({
  reason: z.string().trim().min(10, 'say why the draft is withdrawn').max(4000),
});

/**
 * Withdraws a draft authority notice that will not be sent (e.g. the obligation was decided
 * "not required"), so that it no longer stands in the way of closing. Approved notices and
 * drafts with a hold on record stay. Audited with the reason.
 */
export async function withdrawAuthorityDraft(
  db: Db,
  actor: Actor,
  noticeId: string,
  input: unknown,
): Promise<void> {
  if (!DRAFTERS.has(actor.role)) {
    fail('BD_AUTH_FORBIDDEN', `role ${actor.role} may not withdraw notices; responders may`);
  }
  const { reason } = parseOrFail(withdrawSchema, input, 'BD_REQUEST_INVALID');

  await db.transaction(async (tx) => {
    const [notice] = await tx.select().from(notices).where(eq(notices.id, noticeId)).for('update');
    if (!notice) fail('BD_NOT_FOUND', `notice ${noticeId} not found`, 'noticeId');
    if (notice.audience !== 'authority' || notice.status !== 'draft') {
      fail(
        'BD_NOTICE_INVALID_STATE',
        `notice ${noticeId} is a ${notice.status} ${notice.audience} notice; only a draft ` +
          'authority notice can be withdrawn',
        'noticeId',
      );
    }
    const [held] = await tx
      .select({ id: holds.id })
      .from(holds)
      .where(eq(holds.noticeId, noticeId));
    if (held) {
      fail('BD_NOTICE_INVALID_STATE', `notice ${noticeId} has a hold on record`, 'noticeId');
    }

    await tx.delete(notices).where(eq(notices.id, noticeId));
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'notice.drafts_withdrawn',
      entityType: 'investigation',
      entityId: notice.investigationId,
      data: { noticeIds: [noticeId], tenantIds: [notice.tenantId], reason },
    });
  });
}

async function loadOpenAuthorityClock(tx: Tx, clockId: string): Promise<ClockRow> {
  const [clock] = await tx.select().from(clocks).where(eq(clocks.id, clockId));
  if (!clock) fail('BD_NOT_FOUND', `obligation ${clockId} not found`, 'obligationId');
  if (!AUTHORITY_NOTICE_REGIMES.includes(clock.regime)) {
    fail(
      'BD_REQUEST_INVALID',
      `obligation ${clockId} is ${clock.regime}/${clock.filing}; authority notices are drafted ` +
        `for ${AUTHORITY_NOTICE_REGIMES.join(', ')} only. File other reports in the ` +
        "authority's own channel and record them as filings",
      'obligationId',
    );
  }
  if (clock.status === 'met' || clock.status === 'not_required') {
    fail(
      'BD_STAGE_PRECONDITION',
      `obligation ${clockId} is ${clock.status}; nothing is left to notify`,
      'status',
    );
  }
  return clock;
}

// GDPR Art. 33(1): a notification after 72 hours is accompanied by the reasons for the delay.
function assertDelayExplained(clock: ClockRow, delayReasons: string | undefined): void {
  const due = iso(clock.due);
  const rule = getRegime(clock.regime).filings.find((f) => f.filing === clock.filing);
  if (!rule?.lateNeedsReasons || due === null || delayReasons) return;
  if (new Date().toISOString() > due) {
    fail(
      'BD_REQUEST_INVALID',
      `the deadline ${due} has passed: give delayReasons (${rule.source})`,
      'delayReasons',
    );
  }
}

async function concernedTenant(
  tx: Tx,
  clock: ClockRow,
  tenantId: string | undefined,
): Promise<AffectedTenant> {
  if (clock.tenantKey !== '' && tenantId !== undefined && tenantId !== clock.tenantKey) {
    fail('BD_REQUEST_INVALID', `this obligation is owed for ${clock.tenantKey} only`, 'tenantId');
  }
  const { tenants } = await latestAffectedTenants(tx, clock.investigationId);
  const wanted = clock.tenantKey !== '' ? clock.tenantKey : tenantId;
  const ids = tenants.map((t) => t.tenantId).join(', ') || 'none';

  const tenant =
    wanted === undefined
      ? tenants.length === 1
        ? tenants[0]
        : undefined
      : tenants.find((t) => t.tenantId === wanted);
  if (!tenant) {
    fail(
      'BD_REQUEST_INVALID',
      wanted === undefined
        ? `name the affected tenant whose data the notice concerns (affected: ${ids})`
        : `tenant ${wanted} is not affected in the latest scoping run (affected: ${ids})`,
      'tenantId',
    );
  }
  return tenant;
}

// A draft is redrafted in place (new facts, address or language); once approved, later
// information goes into a follow-up (phases.ts), never into what was decided.
async function saveDraft(
  tx: Tx,
  investigationId: string,
  tenantId: string,
  content: ReturnType<typeof storedContent>,
): Promise<NoticeRow> {
  const [existing] = await tx
    .select()
    .from(notices)
    .where(
      and(
        eq(notices.investigationId, investigationId),
        eq(notices.tenantId, tenantId),
        eq(notices.audience, 'authority'),
        eq(notices.phase, 1),
      ),
    );
  if (existing && existing.status !== 'draft') {
    fail(
      'BD_NOTICE_INVALID_STATE',
      `the authority notice ${existing.id} for ${tenantId} is ${existing.status}; ` +
        'send what is new as its follow-up',
      'noticeId',
    );
  }

  const [row] = existing
    ? await tx.update(notices).set(content).where(eq(notices.id, existing.id)).returning()
    : await tx
        .insert(notices)
        .values({
          id: newId(),
          investigationId,
          tenantId,
          audience: 'authority',
          status: 'draft',
          exercise: false,
          createdAt: new Date().toISOString(),
          ...content,
        })
        .returning();
  if (!row) throw new Error('saving the authority notice returned no row');
  return row;
}

/**
 * The notice to a supervisory authority (GDPR Art. 33(1)), drafted on request for a recorded
 * obligation. Nothing drafts it automatically: whether the deployment is controller for the
 * data is decided per obligation, and authorities' addresses are not in our data, so the
 * operator names the mailbox. The draft then goes through the same approval, holds and outbox
 * as every other notice (approve.ts). Delivery does not meet the obligation by itself: record
 * the filing (obligations.ts recordFiling), quoting the Message-ID or the authority's receipt.
 *
 * One GDPR Art. 33(1) duty may cover several tenants' data, but a notice says whose data it
 * concerns. Once the authority was told (a notice approved, or a filing recorded), a notice
 * for another tenant is a supplementary notification (Art. 33(4)) that refers to the first;
 * so the other tenants' data stay reportable after the obligation is met.
 */
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import type { FollowUpFacts, NoticeFacts, NoticeReference } from '../domain/notice-content.ts';
import { getRegime } from '../domain/regimes/index.ts';
import { parseOrFail } from '../domain/validate.ts';
import { lockInvestigation } from '../investigations/workflow.ts';
import type { Db, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { clocks, holds, notices } from '../store/schema.ts';
import { type AffectedTenant, latestAffectedTenants } from '../scoping/results.ts';
import { buildFacts, noticeTextsOf, storedContent } from './drafts.ts';
import { referenceOf } from './phases.ts';
import { renderNotice } from './render.ts';
import { LANGUAGES } from './templates/vocabulary.ts';

type NoticeRow = typeof notices.$inferSelect;
type ClockRow = typeof clocks.$inferSelect;

/**
 * Regimes whose authority filing the shipped `authority` templates word: they cite GDPR
 * Art. 33 and its paragraphs, so another regime's report (NIS2, DORA, …) would be mis-worded.
 */
export const AUTHORITY_NOTICE_REGIMES: readonly string[] = ['gdpr-33-1'];

// Control characters and the Unicode line and paragraph separators: the name goes into the
// To: header, where a line break would start a header of its own (RFC 5322 §2.2).
const HEADER_BREAKERS = /[\p{Cc}\u2028\u2029]/u;

const draftSchema = z.object({
  recipientName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((s) => !HEADER_BREAKERS.test(s), 'must be one line without control characters'),
  recipientEmail: z
    .string()
    .trim()
    .refine((s) => !HEADER_BREAKERS.test(s), 'must be one line without control characters')
    .pipe(z.email('must be a plain e-mail address such as breach@dpa.example').max(254)),
  /** The affected tenant whose data the notice concerns; needed when several are affected. */
  tenantId: z.string().max(100).optional(),
  language: z.enum(LANGUAGES).default('en'),
  delayReasons: z.string().trim().min(1).max(20_000).optional(),
  /** What a supplementary notification adds (Art. 33(4)); required for one, refused otherwise. */
  what: z.string().trim().min(1).max(20_000).optional(),
});

/**
 * Drafts (or, while still a draft, redrafts with current facts) the authority notice for the
 * obligation `clockId`, addressed to the mailbox given. One notice per affected tenant, as
 * the template words it ("personal data held for …"); a tenant that already has an approved
 * one is refused (its news go into a follow-up). Once the authority was told about the breach
 * the notice is supplementary and needs `what`. Refuses other regimes, obligations decided not
 * required, undeclared investigations and red-team exercises; a notice past the due instant of
 * an obligation not yet met needs `delayReasons` (Art. 33(1)). Audited.
 */
export async function draftAuthorityNotice(
  db: Db,
  actor: Actor,
  clockId: string,
  input: unknown,
): Promise<NoticeRow> {
  assertCan(actor, 'notice.authority.draft');
  const body = parseOrFail(draftSchema, input, 'BD_REQUEST_INVALID');

  return db.transaction(async (tx) => {
    const clock = await loadDraftableAuthorityClock(tx, clockId);
    const inv = await lockInvestigation(tx, clock.investigationId);
    if (inv.declaredAt === null) {
      fail('BD_STAGE_PRECONDITION', 'declare the CRSI before notifying an authority', 'stage');
    }
    if (inv.exerciseId !== null) {
      fail('BD_NOTICE_INVALID_STATE', 'a red-team exercise never notifies an authority');
    }
    // A met obligation's timeliness was settled by its filing; a supplement has no deadline.
    if (clock.status !== 'met') assertDelayExplained(clock, body.delayReasons);

    const tenant = await concernedTenant(tx, clock, body.tenantId);
    const existing = await draftOf(tx, inv.id, tenant.tenantId);
    const followUp = supplementFacts(await earlierNotification(tx, inv.number, clock), body.what);
    const facts: NoticeFacts = {
      ...(await buildFacts(tx, inv, tenant, noticeTextsOf(inv))),
      delayReasons: body.delayReasons ?? null,
      followUp,
      addressee: { name: body.recipientName, email: body.recipientEmail },
    };
    const content = storedContent(
      renderNotice({ audience: 'authority', facts, languages: [body.language] }),
      facts,
    );

    const row = await saveDraft(tx, inv.id, tenant.tenantId, existing, content);
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
        supplementary: followUp !== null,
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
  assertCan(actor, 'notice.withdraw');
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

async function loadDraftableAuthorityClock(tx: Tx, clockId: string): Promise<ClockRow> {
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
  // A met obligation stays open to supplementary notices: the filing may have covered only
  // some of the affected tenants' data (Art. 33(4)).
  if (clock.status === 'not_required') {
    fail(
      'BD_STAGE_PRECONDITION',
      `obligation ${clockId} was decided not required; nothing is left to notify`,
      'status',
    );
  }
  return clock;
}

/**
 * How the authority was first and last told about this breach under this obligation: our own
 * approved authority notices (first issued, latest issued), else the filing recorded by hand
 * (its reference, e.g. the receipt of the authority's web form). Null before either exists.
 */
async function earlierNotification(
  tx: Tx,
  investigationNumber: number,
  clock: ClockRow,
): Promise<Pick<FollowUpFacts, 'initial' | 'previous'> | null> {
  const sent = await tx
    .select()
    .from(notices)
    .where(
      and(
        eq(notices.investigationId, clock.investigationId),
        eq(notices.audience, 'authority'),
        isNotNull(notices.approvedAt),
        // A per-tenant obligation is supplemented only by that tenant's own notices.
        clock.tenantKey === '' ? undefined : eq(notices.tenantId, clock.tenantKey),
      ),
    )
    .orderBy(asc(notices.approvedAt), asc(notices.id));
  if (sent.length > 0) {
    const refs: NoticeReference[] = [];
    for (const n of sent) refs.push(await referenceOf(tx, investigationNumber, n));
    refs.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
    const initial = refs.find((r) => r.phase === 1) ?? refs[0];
    const previous = refs[refs.length - 1];
    return initial && previous ? { initial, previous } : null;
  }

  const filing = (clock.decision as { filing?: { filedAt?: string; reference?: string } } | null)
    ?.filing;
  if (clock.status !== 'met' || !filing?.filedAt || !filing.reference) return null;
  const byHand: NoticeReference = {
    noticeId: clock.id,
    reference: filing.reference.slice(0, 200),
    phase: 1,
    issuedAt: filing.filedAt,
  };
  return { initial: byHand, previous: byHand };
}

// GDPR Art. 33(4): information that follows a notification supplements it and says what it adds.
function supplementFacts(
  earlier: Pick<FollowUpFacts, 'initial' | 'previous'> | null,
  what: string | undefined,
): FollowUpFacts | null {
  if (earlier === null) {
    if (what !== undefined) {
      fail(
        'BD_REQUEST_INVALID',
        'the authority has not been notified under this obligation yet, so there is nothing ' +
          'to supplement; leave out `what`',
        'what',
      );
    }
    return null;
  }
  if (what === undefined) {
    fail(
      'BD_REQUEST_INVALID',
      `the authority was already notified (${earlier.initial.reference}, ` +
        `${earlier.initial.issuedAt.slice(0, 10)}); this notice supplements it (GDPR Art. ` +
        "33(4)): say in `what` what it adds, e.g. that this tenant's data were affected too",
      'what',
    );
  }
  return { what, ...earlier };
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
// information goes into a follow-up (phases.ts), never into what was decided, and the tenant
// gets no second authority notice.
async function draftOf(
  tx: Tx,
  investigationId: string,
  tenantId: string,
): Promise<NoticeRow | null> {
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
    )
    .for('update');
  if (existing && existing.status !== 'draft') {
    fail(
      'BD_NOTICE_INVALID_STATE',
      `the authority notice ${existing.id} for ${tenantId} is ${existing.status}; ` +
        'send what is new as its follow-up',
      'noticeId',
    );
  }
  return existing ?? null;
}

async function saveDraft(
  tx: Tx,
  investigationId: string,
  tenantId: string,
  existing: NoticeRow | null,
  content: ReturnType<typeof storedContent>,
): Promise<NoticeRow> {
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

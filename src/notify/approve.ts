/**
 * Approving a notice: the decision and the outbox messages it causes are committed in one
 * transaction, so an approved notice can never lose its deliveries, and a notice for one
 * tenant is addressed only to that tenant's own contacts. The rows name the contacts at
 * approval; recipients.ts keeps them in step with the contacts until the notice is sent.
 */
import { and, eq } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import { assertCan } from '../auth/policy.ts';
import { fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';
import { clocks, notices, outbox } from '../store/schema.ts';
import { lockTenantRecipients, outboxRowFor, recipientsFor } from './recipients.ts';

// Audiences outside the provider: a red-team exercise must never reach them.
const EXTERNAL: ReadonlySet<string> = new Set(['tenant', 'authority', 'data_subject']);

export async function approveNotice(db: Db, actor: Actor, noticeId: string): Promise<number> {
  assertCan(actor, 'notice.approve');

  return db.transaction(async (tx) => {
    const [notice] = await tx.select().from(notices).where(eq(notices.id, noticeId)).for('update');
    if (!notice) fail('BD_NOT_FOUND', `notice ${noticeId} not found`, 'noticeId');
    if (notice.status !== 'draft') {
      fail(
        'BD_NOTICE_INVALID_STATE',
        `notice ${noticeId} is ${notice.status}, not a draft`,
        'status',
      );
    }
    // DESIGN.md §1.1: a red-team exercise must never reach a real customer or authority.
    if (notice.exercise && EXTERNAL.has(notice.audience)) {
      fail(
        'BD_NOTICE_INVALID_STATE',
        `notices of a red-team exercise are never sent to the ${notice.audience} audience`,
      );
    }

    // Contacts changed meanwhile wait for this commit, then re-resolve its rows (recipients.ts).
    await lockTenantRecipients(tx, notice.tenantId, 'share');
    const recipients = await recipientsFor(tx, notice);
    if (recipients.length === 0) {
      fail(
        'BD_NOTICE_NO_RECIPIENTS',
        `tenant ${notice.tenantId} has no ${RECIPIENTS_OF[notice.audience] ?? notice.audience}; ` +
          'add one before approving, the notice stays a draft',
        'tenantId',
      );
    }

    const now = new Date().toISOString();
    await tx
      .update(notices)
      .set({ status: 'approved', approvedBy: actorLabel(actor), approvedAt: now })
      .where(eq(notices.id, noticeId));
    await tx.insert(outbox).values(recipients.map((r) => outboxRowFor(notice, r, now)));
    // Approving the tenant's notice is the decision that the processor's duty is owed.
    if (notice.audience === 'tenant') {
      await tx
        .update(clocks)
        .set({
          status: 'required',
          decision: {
            decision: 'required',
            decidedBy: actorLabel(actor),
            decidedAt: now,
            rationale: `notice ${noticeId} approved`,
          },
        })
        .where(
          and(
            eq(clocks.investigationId, notice.investigationId),
            eq(clocks.regime, 'gdpr-33-2'),
            eq(clocks.tenantKey, notice.tenantId),
            eq(clocks.status, 'to_decide'),
          ),
        );
    }
    await appendAudit(tx, {
      actor: actorLabel(actor),
      action: 'notice.approved',
      entityType: 'investigation',
      entityId: notice.investigationId,
      data: {
        noticeId,
        tenantId: notice.tenantId,
        audience: notice.audience,
        recipients: recipients.length,
        bodySha256: notice.bodySha256,
      },
    });

    return recipients.length;
  });
}

const RECIPIENTS_OF: Record<string, string> = {
  tenant: 'breach contacts',
  account_team: 'account team',
  authority: 'addressee (draft the authority notice again with one)',
};

/**
 * Drafting notices: after declaration, one draft per affected tenant and audience, carrying
 * the GDPR Art. 33(3) content. Drafts follow the latest scoping run until approved; an
 * approved notice is what was decided and is never rewritten.
 */
import { createHash } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import {
  type NoticeFacts,
  renderAccountTeamNotice,
  renderTenantNotice,
} from '../domain/notice-content.ts';
import type { Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import { investigations, notices, tenantResources } from '../store/schema.ts';
import { type AffectedTenant, latestAffectedTenants } from '../scoping/results.ts';

export const AUDIENCES = ['tenant', 'account_team'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** Texts the incident manager gives at declaration; defaults say what is still open. */
export interface NoticeTexts {
  nature?: string;
  likelyConsequences?: string;
  measures?: string;
  contactName?: string;
  contactEmail?: string;
}

const DEFAULT_CONSEQUENCES =
  'Data read by an unauthorised party may be disclosed or misused; the affected records ' +
  'should be reviewed for personal data and for credentials that need rotating.';
const DEFAULT_MEASURES =
  'The credentials used were revoked and the access path closed. The investigation continues; ' +
  'a follow-up notice will carry its findings.';

/** Brings the investigation's drafts in line with its latest scoping run. */
export async function syncDrafts(tx: Tx, investigationId: string, actor: Actor): Promise<void> {
  const [inv] = await tx
    .select()
    .from(investigations)
    .where(eq(investigations.id, investigationId));
  if (!inv?.declaredAt || !inv.awareAt) return;

  const { tenants: affected } = await latestAffectedTenants(tx, investigationId);
  const existing = await tx
    .select()
    .from(notices)
    .where(eq(notices.investigationId, investigationId));
  const declaration = (inv.declaration ?? {}) as { notice?: NoticeTexts };
  const texts = declaration.notice ?? {};

  for (const t of affected) {
    const facts = await buildFacts(tx, inv, t, texts);
    for (const audience of AUDIENCES) {
      const rendered =
        audience === 'tenant' ? renderTenantNotice(facts) : renderAccountTeamNotice(facts);
      const prior = existing.find((n) => n.tenantId === t.tenantId && n.audience === audience);
      if (prior && prior.status !== 'draft') continue;

      const content = {
        subject: rendered.subject,
        body: rendered.text,
        bodySha256: createHash('sha256').update(rendered.text).digest('hex'),
        facts,
      };
      if (prior) {
        await tx.update(notices).set(content).where(eq(notices.id, prior.id));
        continue;
      }

      const id = newId();
      await tx.insert(notices).values({
        id,
        investigationId,
        tenantId: t.tenantId,
        audience,
        status: 'draft',
        exercise: inv.exerciseId !== null,
        createdAt: new Date().toISOString(),
        ...content,
      });
      await appendAudit(tx, {
        actor: actorLabel(actor),
        action: 'notice.drafted',
        entityType: 'investigation',
        entityId: investigationId,
        data: { noticeId: id, tenantId: t.tenantId, audience },
      });
    }
  }

  await dropStaleDrafts(tx, investigationId, affected, existing, actor);
}

// A tenant that a corrected scoping run no longer shows as affected must not be notified.
async function dropStaleDrafts(
  tx: Tx,
  investigationId: string,
  affected: AffectedTenant[],
  existing: (typeof notices.$inferSelect)[],
  actor: Actor,
): Promise<void> {
  const keep = new Set(affected.map((t) => t.tenantId));
  const stale = existing.filter((n) => n.status === 'draft' && !keep.has(n.tenantId));
  if (stale.length === 0) return;

  await tx.delete(notices).where(
    and(
      eq(notices.investigationId, investigationId),
      inArray(
        notices.id,
        stale.map((n) => n.id),
      ),
    ),
  );
  await appendAudit(tx, {
    actor: actorLabel(actor),
    action: 'notice.drafts_withdrawn',
    entityType: 'investigation',
    entityId: investigationId,
    data: {
      noticeIds: stale.map((n) => n.id),
      tenantIds: [...new Set(stale.map((n) => n.tenantId))],
    },
  });
}

async function buildFacts(
  tx: Tx,
  inv: typeof investigations.$inferSelect,
  t: AffectedTenant,
  texts: NoticeTexts,
): Promise<NoticeFacts> {
  const resources = await tx
    .select({ categories: tenantResources.dataCategories })
    .from(tenantResources)
    .where(eq(tenantResources.tenantId, t.tenantId));
  const categories = [...new Set(resources.flatMap((r) => r.categories))].sort();

  return {
    investigationRef: `INV-${inv.number}`,
    tenantName: t.tenantName,
    nature:
      texts.nature ??
      `Unauthorised access to data we hold for ${t.tenantName}: ${t.events} access events by an ` +
        `unauthorised party (${t.actions.join(', ')}) touching ${t.objects} objects in ` +
        `${t.resources} of your storage locations. Detected as: ${inv.title}.`,
    dataCategories: categories,
    approxSubjects: t.subjects,
    approxRecords: t.objects,
    firstAccess: t.firstAccess,
    lastAccess: t.lastAccess,
    awareAt: iso(inv.awareAt ?? inv.openedAt),
    declaredAt: iso(inv.declaredAt ?? inv.openedAt),
    contactPoint: {
      name: texts.contactName ?? process.env.BREACHDESK_CONTACT_NAME ?? 'Security Response Team',
      email:
        texts.contactEmail ?? process.env.BREACHDESK_CONTACT_EMAIL ?? 'security@breachdesk.invalid',
    },
    likelyConsequences: texts.likelyConsequences ?? DEFAULT_CONSEQUENCES,
    measures: texts.measures ?? DEFAULT_MEASURES,
    exercise: inv.exerciseId !== null,
  };
}

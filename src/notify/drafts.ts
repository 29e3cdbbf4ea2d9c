/**
 * Drafting notices: after declaration, one draft per affected tenant and audience, carrying
 * the GDPR Art. 33(3) content, rendered through the audience's templates in the languages its
 * recipients read. Drafts follow the latest scoping run until approved; an approved notice is
 * what was decided and is never rewritten (later information goes into a follow-up phase,
 * see phases.ts).
 */
import { and, eq, inArray } from 'drizzle-orm';
import { appendAudit } from '../audit/log.ts';
import { type Actor, actorLabel } from '../auth/actor.ts';
import type { FollowUpFacts, NoticeFacts } from '../domain/notice-content.ts';
import type { Conn, Tx } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import {
  breachContacts,
  investigations,
  notices,
  scopedTenants,
  tenantResources,
  tenants,
} from '../store/schema.ts';
import { type AffectedTenant, latestAffectedTenants } from '../scoping/results.ts';
import { chooseLanguages, type NoticeRendering, renderNotice } from './render.ts';

/**
 * Audiences drafted automatically for each affected tenant. Authority and data-subject
 * notices (templates/loader.ts NOTICE_AUDIENCES) are drafted where the deployment is the
 * controller, which this path does not decide.
 */
export const AUDIENCES = ['tenant', 'account_team'] as const;
export type Audience = (typeof AUDIENCES)[number];

/** Texts the incident manager gives at declaration; templates word what is left open. */
export interface NoticeTexts {
  nature?: string;
  likelyConsequences?: string;
  measures?: string;
  contactName?: string;
  contactEmail?: string;
}

type NoticeRow = typeof notices.$inferSelect;
type InvestigationRow = typeof investigations.$inferSelect;

/** Brings the investigation's drafts in line with its latest scoping run. */
export async function syncDrafts(tx: Tx, investigationId: string, actor: Actor): Promise<void> {
  const [inv] = await tx
    .select()
    .from(investigations)
    .where(eq(investigations.id, investigationId));
  if (!inv?.declaredAt || !inv.awareAt) return;

  const { runId, tenants: affected } = await latestAffectedTenants(tx, investigationId);
  const existing = await tx
    .select()
    .from(notices)
    .where(eq(notices.investigationId, investigationId));
  const contactLanguages = await contactLanguagesOfRun(tx, runId);
  const texts = noticeTextsOf(inv);

  for (const t of affected) {
    const facts = await buildFacts(tx, inv, t, texts);
    for (const audience of AUDIENCES) {
      const latest = latestPhase(existing, t.tenantId, audience);
      if (latest && latest.status !== 'draft') continue;

      // A follow-up draft keeps what it follows and what it adds; only the facts move.
      const followUp = latest ? followUpOf(latest) : null;
      const languages = chooseLanguages(
        audience === 'tenant' ? (contactLanguages.get(t.tenantId) ?? []) : [],
        t.language,
      );
      const draftFacts: NoticeFacts = { ...facts, followUp };
      const content = storedContent(
        renderNotice({ audience, facts: draftFacts, languages }),
        draftFacts,
      );
      if (latest) {
        await tx.update(notices).set(content).where(eq(notices.id, latest.id));
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
        data: { noticeId: id, tenantId: t.tenantId, audience, language: content.language },
      });
    }
  }

  await dropStaleDrafts(tx, investigationId, affected, existing, actor);
}

/** The columns a notice row stores for what it says: exactly the text sent, and its hash. */
export function storedContent(rendered: NoticeRendering, facts: NoticeFacts) {
  return {
    subject: rendered.subject,
    body: rendered.body,
    bodySha256: rendered.bodySha256,
    language: rendered.language,
    facts,
  };
}

/** The notice texts recorded with the declaration. */
export function noticeTextsOf(inv: InvestigationRow): NoticeTexts {
  const declaration = (inv.declaration ?? {}) as { notice?: NoticeTexts };
  return declaration.notice ?? {};
}

/** The languages of a tenant's breach contacts (for audience `tenant`), else none. */
export async function recipientLanguages(
  conn: Conn,
  tenantId: string,
  audience: string,
): Promise<string[]> {
  if (audience !== 'tenant') return [];
  const rows = await conn
    .select({ language: breachContacts.language })
    .from(breachContacts)
    .where(eq(breachContacts.tenantId, tenantId));
  return rows.map((r) => r.language);
}

/** The language stored for a tenant, for the fallback in chooseLanguages. */
export async function tenantLanguage(conn: Conn, tenantId: string): Promise<string> {
  const [row] = await conn
    .select({ language: tenants.language })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  return row?.language ?? 'en';
}

// One query for all affected tenants, rather than one per tenant: fan-outs reach 10,000.
async function contactLanguagesOfRun(tx: Tx, runId: string | null) {
  const out = new Map<string, string[]>();
  if (runId === null) return out;

  const rows = await tx
    .select({ tenantId: breachContacts.tenantId, language: breachContacts.language })
    .from(breachContacts)
    .innerJoin(scopedTenants, eq(scopedTenants.tenantId, breachContacts.tenantId))
    .where(eq(scopedTenants.scopingRunId, runId));
  for (const r of rows) out.set(r.tenantId, [...(out.get(r.tenantId) ?? []), r.language]);
  return out;
}

function latestPhase(rows: NoticeRow[], tenantId: string, audience: string): NoticeRow | null {
  let latest: NoticeRow | null = null;
  for (const n of rows) {
    if (n.tenantId !== tenantId || n.audience !== audience) continue;
    if (!latest || n.phase > latest.phase) latest = n;
  }
  return latest;
}

function followUpOf(row: NoticeRow): FollowUpFacts | null {
  return (row.facts as Partial<NoticeFacts> | null)?.followUp ?? null;
}

// A tenant that a corrected scoping run no longer shows as affected must not be notified.
// Only initial drafts go: a tenant already notified keeps its follow-up draft, which is how
// it would learn of the correction.
async function dropStaleDrafts(
  tx: Tx,
  investigationId: string,
  affected: AffectedTenant[],
  existing: NoticeRow[],
  actor: Actor,
): Promise<void> {
  const keep = new Set(affected.map((t) => t.tenantId));
  const stale = existing.filter(
    (n) => n.status === 'draft' && n.phase === 1 && !keep.has(n.tenantId),
  );
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

/**
 * The facts of one affected tenant's notice. Texts the incident manager did not give stay
 * null, so each language's template supplies its own wording.
 */
export async function buildFacts(
  conn: Conn,
  inv: InvestigationRow,
  t: AffectedTenant,
  texts: NoticeTexts,
): Promise<NoticeFacts> {
  // Only the categories kept where the access happened: naming every category the tenant
  // keeps anywhere would overstate the breach.
  const resources = await conn
    .select({
      kind: tenantResources.kind,
      value: tenantResources.value,
      categories: tenantResources.dataCategories,
    })
    .from(tenantResources)
    .where(eq(tenantResources.tenantId, t.tenantId));
  const touched = new Set(t.touchedResources);
  const categories = [
    ...new Set(
      resources.filter((r) => touched.has(`${r.kind}:${r.value}`)).flatMap((r) => r.categories),
    ),
  ].sort();

  return {
    investigationRef: `INV-${inv.number}`,
    tenantName: t.tenantName,
    nature: texts.nature ?? null,
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
    likelyConsequences: texts.likelyConsequences ?? null,
    measures: texts.measures ?? null,
    exercise: inv.exerciseId !== null,
    access: {
      events: t.events,
      objects: t.objects,
      resources: t.resources,
      actions: t.actions,
      detectedAs: inv.title,
    },
    delayReasons: null,
    followUp: null,
  };
}

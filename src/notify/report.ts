/**
 * The regulator report of one investigation: what an inspector asks for, from the stored
 * records only. It states the facts, the rating and classification history, the declaration
 * (grounds, evidence, moment of awareness), the latest scoping per tenant, every obligation
 * with its due moment and whether it was met on time, every notice phase with the hash of
 * what was sent and its delivery per recipient, and the head of the audit chain, so the
 * report can be tied to the verified log. JSON here; report-pdf.ts lays the same out as PDF.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import { auditEntriesFor, verifyAuditLog } from '../audit/log.ts';
import { fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';
import { iso } from '../store/db.ts';
import {
  auditLog,
  clocks,
  holds,
  investigations,
  notices,
  outbox,
  ratings,
  scopingRuns,
  tenants,
  transitions,
} from '../store/schema.ts';
import { latestAffectedTenants } from '../scoping/results.ts';

/** Identifies the JSON layout; bumped when a field changes meaning. */
export const REPORT_FORMAT = 'breachdesk.regulator-report/1';

/**
 * How an obligation stands at report time: met on time or late, still open, overdue,
 * decided not required, or a duty "without undue delay" with no date.
 */
export type ObligationOutcome =
  'met_on_time' | 'met_late' | 'met' | 'late' | 'open' | 'no_deadline' | 'not_required';

export type RegulatorReport = Awaited<ReturnType<typeof buildRegulatorReport>>;

/** Builds the report of one investigation (by id) as of `now`. */
export async function buildRegulatorReport(db: Db, investigationId: string, now = new Date()) {
  const [inv] = await db
    .select()
    .from(investigations)
    .where(eq(investigations.id, investigationId));
  if (!inv) fail('BD_NOT_FOUND', `investigation ${investigationId} not found`, 'investigationId');

  const [ratingRows, moves, entries, runs, scope, clockRows, noticeRows] = await Promise.all([
    db.select().from(ratings).where(eq(ratings.investigationId, inv.id)).orderBy(asc(ratings.at)),
    db
      .select()
      .from(transitions)
      .where(eq(transitions.investigationId, inv.id))
      .orderBy(asc(transitions.at)),
    auditEntriesFor(db, inv.id),
    db
      .select()
      .from(scopingRuns)
      .where(eq(scopingRuns.investigationId, inv.id))
      .orderBy(asc(scopingRuns.at), asc(scopingRuns.id)),
    latestAffectedTenants(db, inv.id),
    db
      .select()
      .from(clocks)
      .where(eq(clocks.investigationId, inv.id))
      .orderBy(asc(clocks.due), asc(clocks.regime), asc(clocks.filing), asc(clocks.tenantKey)),
    db
      .select({ notice: notices, tenantName: tenants.name })
      .from(notices)
      .innerJoin(tenants, eq(tenants.id, notices.tenantId))
      .where(eq(notices.investigationId, inv.id))
      .orderBy(asc(notices.tenantId), asc(notices.audience), asc(notices.phase)),
  ]);
  const noticeIds = noticeRows.map((r) => r.notice.id);
  const [deliveries, holdRows, audit] = await Promise.all([
    noticeIds.length === 0
      ? []
      : db
          .select()
          .from(outbox)
          .where(inArray(outbox.noticeId, noticeIds))
          .orderBy(asc(outbox.recipientKind), asc(outbox.recipientEmail), asc(outbox.id)),
    noticeIds.length === 0
      ? []
      : db
          .select()
          .from(holds)
          .where(inArray(holds.noticeId, noticeIds))
          .orderBy(asc(holds.createdAt)),
    auditSummary(db),
  ]);

  return {
    format: REPORT_FORMAT,
    generatedAt: now.toISOString(),
    investigation: {
      id: inv.id,
      ref: `INV-${inv.number}`,
      title: inv.title,
      stage: inv.stage,
      sourceKind: inv.sourceKind,
      exercise: inv.exerciseId !== null,
      severity: inv.severity,
      priority: inv.priority,
      signalCount: inv.signalCount,
      firstSeen: iso(inv.firstSeen),
      lastSeen: iso(inv.lastSeen),
      openedAt: iso(inv.openedAt),
      awareAt: iso(inv.awareAt),
      declaredAt: iso(inv.declaredAt),
      determinedAt: iso(inv.determinedAt),
      classifiedAt: iso(inv.classifiedAt),
      closedAt: iso(inv.closedAt),
    },
    classification: {
      current: inv.classification,
      rootCause: inv.rootCause,
      history: entries
        .filter((e) => e.action === 'investigation.classified')
        .map((e) => {
          const d = JSON.parse(e.data) as { classification?: string; previous?: string | null };
          return {
            at: e.at,
            actor: e.actor,
            classification: d.classification ?? null,
            previous: d.previous ?? null,
          };
        }),
    },
    ratings: ratingRows.map((r) => ({
      at: iso(r.at),
      actor: r.actor,
      reason: r.reason,
      rating: r.rating,
    })),
    declaration: inv.declaration as Record<string, unknown> | null,
    transitions: moves.map((t) => ({
      at: iso(t.at),
      from: t.fromStage,
      to: t.toStage,
      actor: t.actor,
      reason: t.reason,
    })),
    scoping: {
      runs: runs.map((r) => ({
        id: r.id,
        at: iso(r.at),
        actor: r.actor,
        format: r.format,
        files: r.paths.length,
        indicators: r.indicators,
        summary: r.summary,
      })),
      latestRunId: scope.runId,
      tenants: scope.tenants,
    },
    obligations: clockRows.map((c) => ({
      id: c.id,
      regime: c.regime,
      filing: c.filing,
      tenantId: c.tenantKey === '' ? null : c.tenantKey,
      recipient: c.recipient,
      source: c.source,
      startsAt: iso(c.startsAt),
      due: iso(c.due),
      status: c.status,
      decision: c.decision,
      metAt: iso(c.metAt),
      lateSince: iso(c.lateSince),
      outcome: obligationOutcome(c, now),
    })),
    notices: noticeRows.map(({ notice: n, tenantName }) => ({
      id: n.id,
      tenantId: n.tenantId,
      tenantName,
      audience: n.audience,
      phase: n.phase,
      followsNoticeId: n.followsNoticeId,
      language: n.language,
      status: n.status,
      exercise: n.exercise,
      subject: n.subject,
      bodySha256: n.bodySha256,
      createdAt: iso(n.createdAt),
      approvedBy: n.approvedBy,
      approvedAt: iso(n.approvedAt),
      holds: holdRows
        .filter((h) => h.noticeId === n.id)
        .map((h) => ({
          id: h.id,
          ground: h.ground,
          reason: h.reason,
          reviewAt: iso(h.reviewAt),
          requestedBy: h.requestedBy,
          legalApprover: h.legalApprover,
          executiveApprover: h.executiveApprover,
          releasedAt: iso(h.releasedAt),
          releasedBy: h.releasedBy,
        })),
      deliveries: deliveries
        .filter((d) => d.noticeId === n.id)
        .map((d) => ({
          recipientKind: d.recipientKind,
          recipientName: d.recipientName,
          recipientEmail: d.recipientEmail,
          messageId: d.messageId,
          status: d.status,
          attempts: d.attempts,
          sentAt: iso(d.sentAt),
          bouncedAt: iso(d.bouncedAt),
          lastResponse: d.lastResponse,
        })),
    })),
    audit: { ...audit, investigationEntries: entries.length },
  };
}

/** How an obligation stands at `now`; pure. */
export function obligationOutcome(
  c: { status: string; due: string | null; metAt: string | null; lateSince: string | null },
  now: Date,
): ObligationOutcome {
  if (c.status === 'not_required') return 'not_required';

  // A filing once seen late stays late, even if its anchor was corrected since (§1.8), met
  // or not: show, the metrics and this report all read late_since the same way.
  const due = c.due === null ? null : Date.parse(iso(c.due));
  if (c.metAt !== null) {
    if (c.lateSince !== null) return 'met_late';
    if (due === null) return 'met';
    return Date.parse(iso(c.metAt)) > due ? 'met_late' : 'met_on_time';
  }
  if (due === null) return c.lateSince !== null ? 'late' : 'no_deadline';
  return c.lateSince !== null || now.getTime() > due ? 'late' : 'open';
}

// The head ties the report to the log: anyone holding a verified copy of the log can check
// that this report was produced from a state that includes entry `seq`. The head is the
// entry the verification ended on, so the two always agree.
async function auditSummary(db: Db) {
  const verdict = await verifyAuditLog(db);
  const [head] = verdict.ok
    ? await db
        .select({ seq: auditLog.seq, hash: auditLog.hash, at: auditLog.at })
        .from(auditLog)
        .where(eq(auditLog.hash, verdict.head))
        .limit(1)
    : [];

  return {
    entries: verdict.entries,
    head: head ?? null,
    verified: verdict.ok,
    brokenAt: verdict.ok ? null : verdict.brokenAt,
  };
}

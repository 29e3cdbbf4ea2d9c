/**
 * Read models of investigations: the queue and one investigation in full, with its history,
 * scoping, clocks, notices, deliveries and whether each affected tenant has been reached.
 */
import { asc, desc, eq, ne, sql } from 'drizzle-orm';
import { auditEntriesFor } from '../audit/log.ts';
import { fail } from '../domain/errors.ts';
import { timeLeft } from '../domain/deadlines.ts';
import type { Db } from '../store/db.ts';
import { iso } from '../store/db.ts';
import { investigations, notices, ratings, transitions } from '../store/schema.ts';
import { latestAffectedTenants } from '../scoping/results.ts';
import { notificationState } from '../notify/reachability.ts';
import { deliveryStatus } from '../notify/worker.ts';
import { listClocks } from './clocks.ts';
import {
  auditPostmortemRead,
  mayReadPostmortem,
  type PostmortemReader,
  RESTRICTED_POSTMORTEM,
} from './postmortem-access.ts';
import { assertTeamAccess } from './team.ts';

type Row = typeof investigations.$inferSelect;

/** The fields every view of an investigation shows. */
export function summarize(r: Row) {
  return {
    id: r.id,
    ref: `INV-${r.number}`,
    title: r.title,
    stage: r.stage,
    severity: r.severity,
    priority: r.priority,
    classification: r.classification,
    sourceKind: r.sourceKind,
    exercise: r.exerciseId !== null,
    signalCount: r.signalCount,
    duplicateCount: r.duplicateCount,
    firstSeen: iso(r.firstSeen),
    lastSeen: iso(r.lastSeen),
    openedAt: iso(r.openedAt),
    awareAt: iso(r.awareAt),
    declaredAt: iso(r.declaredAt),
    closedAt: iso(r.closedAt),
  };
}

/**
 * The queue, most recent activity first: the first `limit` (default 100, at most 1,000) or, for
 * the operator's command line, `'all'`. `total` counts every match, so that a reader of a
 * shortened list knows it is one; it is counted in the same statement, so it is the count of
 * the list's own snapshot.
 */
export async function listInvestigations(
  db: Db,
  opts: { includeClosed?: boolean; limit?: number | 'all' },
) {
  const query = db
    .select({ row: investigations, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(investigations)
    .where(opts.includeClosed ? undefined : ne(investigations.stage, 'close'))
    .orderBy(desc(investigations.lastSeen), desc(investigations.id));
  const rows =
    opts.limit === 'all' ? await query : await query.limit(Math.min(opts.limit ?? 100, 1000));

  return { items: rows.map((r) => summarize(r.row)), total: rows[0]?.total ?? 0 };
}

/**
 * The post-mortem of one investigation (null until written), without the rest of it. Only its
 * team, incident managers and auditors read it (postmortem.read); every read is audited.
 */
export async function getPostmortem(db: Db, reader: PostmortemReader, id: string) {
  const [row] = await db.select().from(investigations).where(eq(investigations.id, id));
  if (!row) fail('BD_NOT_FOUND', `investigation ${id} not found`, 'investigationId');
  if (!reader.operator) await assertTeamAccess(db, reader.actor, 'postmortem.read', id);

  const written = row.postmortem !== null;
  await auditPostmortemRead(db, reader, id, { via: 'postmortem', written });
  return { id: row.id, ref: `INV-${row.number}`, title: row.title, postmortem: row.postmortem };
}

/**
 * One investigation in full. Its post-mortem shows only to those who may read it (an audited
 * read); anyone else sees `{ restricted: true }` in its place.
 */
export async function getInvestigation(
  db: Db,
  id: string,
  reader: PostmortemReader,
  now = new Date(),
) {
  const [row] = await db.select().from(investigations).where(eq(investigations.id, id));
  if (!row) fail('BD_NOT_FOUND', `investigation ${id} not found`, 'investigationId');

  const [ratingRows, moves, scope, clockRows, noticeRows, deliveries, reached, timeline] =
    await Promise.all([
      db.select().from(ratings).where(eq(ratings.investigationId, id)).orderBy(asc(ratings.at)),
      db
        .select()
        .from(transitions)
        .where(eq(transitions.investigationId, id))
        .orderBy(asc(transitions.at)),
      latestAffectedTenants(db, id),
      listClocks(db, id),
      db
        .select()
        .from(notices)
        .where(eq(notices.investigationId, id))
        .orderBy(asc(notices.tenantId), asc(notices.audience)),
      deliveryStatus(db, id),
      notificationState(db, id),
      auditEntriesFor(db, id),
    ]);

  // Audited after the timeline was read, so that reading does not add to what it shows.
  const showPostmortem = await mayReadPostmortem(db, reader, id);
  if (showPostmortem && row.postmortem !== null) {
    await auditPostmortemRead(db, reader, id, { via: 'investigation', written: true });
  }

  return {
    ...summarize(row),
    rootCause: row.rootCause,
    rating: row.rating,
    declaration: row.declaration,
    postmortem: showPostmortem ? row.postmortem : RESTRICTED_POSTMORTEM,
    ratings: ratingRows.map((r) => ({
      rating: r.rating,
      actor: r.actor,
      reason: r.reason,
      at: iso(r.at),
    })),
    transitions: moves.map((t) => ({
      from: t.fromStage,
      to: t.toStage,
      actor: t.actor,
      reason: t.reason,
      at: iso(t.at),
    })),
    scoping: scope,
    clocks: clockRows.map((c) => ({ ...c, ...clockView(c, now) })),
    notices: noticeRows.map((n) => ({
      id: n.id,
      tenantId: n.tenantId,
      audience: n.audience,
      status: n.status,
      subject: n.subject,
      bodySha256: n.bodySha256,
      approvedBy: n.approvedBy,
      approvedAt: iso(n.approvedAt),
    })),
    deliveries: deliveries.map((d) => ({ ...d, sentAt: iso(d.sentAt) })),
    // Per tenant with a tenant notice: notified, pending or not_notified (docs/delivery.md).
    notificationState: reached,
    timeline: timeline.map((e) => ({ seq: e.seq, at: e.at, actor: e.actor, action: e.action })),
  };
}

/**
 * Time left and lateness as a person reads them: a met obligation is late only if it was met
 * after its due instant; an open one is late once now is past it; a recorded late_since stays.
 */
export function clockView(
  c: { due: string | null; metAt: string | null; lateSince: string | null },
  now: Date,
) {
  if (c.due === null) return { msLeft: null, isLate: c.lateSince !== null };
  if (c.metAt !== null) return { msLeft: null, isLate: c.metAt > c.due || c.lateSince !== null };

  const { ms, isLate } = timeLeft(c.due, now);
  return { msLeft: ms, isLate: isLate || c.lateSince !== null };
}

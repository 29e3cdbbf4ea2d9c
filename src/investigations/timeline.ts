/**
 * An investigation's timeline, read from the audit log: entries about the investigation
 * itself and about its notices, obligations (clocks), holds and signals, oldest first. The
 * log is the record of what happened, so the timeline shows it as written, without a story
 * added on top.
 */
import { and, asc, desc, eq, gt, inArray, lt, or } from 'drizzle-orm';
import { fail } from '../domain/errors.ts';
import type { Db } from '../store/db.ts';
import { auditLog, clocks, holds, investigations, notices, signals } from '../store/schema.ts';

export const TIMELINE_MAX_LIMIT = 1000;

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  /** The entity type the entry names: investigation, signal, notice, hold… */
  about: string;
  entityId: string;
  data: unknown;
}

export interface TimelinePage {
  investigationId: string;
  entries: TimelineEntry[];
  /** Oldest first: pass as `afterSeq` for the next page; null when last or newest first. */
  nextAfterSeq: number | null;
  /** Newest first: pass as `beforeSeq` for the older page; null when last or oldest first. */
  nextBeforeSeq: number | null;
}

/**
 * One page of the timeline. Entries are chosen by the entity they name, so an entry about
 * another investigation never shows here even when its data mentions this one.
 */
export async function investigationTimeline(
  db: Db,
  id: string,
  opts: { afterSeq?: number; beforeSeq?: number; order?: 'asc' | 'desc'; limit?: number } = {},
): Promise<TimelinePage> {
  const [inv] = await db
    .select({ id: investigations.id })
    .from(investigations)
    .where(eq(investigations.id, id));
  if (!inv) fail('BD_NOT_FOUND', `investigation ${id} not found`, 'investigationId');

  const limit = Math.min(opts.limit ?? 500, TIMELINE_MAX_LIMIT);

  // Subqueries, not id lists: an investigation may hold more signals than a query has slots.
  const noticeIds = db
    .select({ id: notices.id })
    .from(notices)
    .where(eq(notices.investigationId, id));
  const related = or(
    eq(auditLog.entityId, id),
    inArray(auditLog.entityId, noticeIds),
    inArray(
      auditLog.entityId,
      db.select({ id: clocks.id }).from(clocks).where(eq(clocks.investigationId, id)),
    ),
    inArray(
      auditLog.entityId,
      db.select({ id: holds.id }).from(holds).where(inArray(holds.noticeId, noticeIds)),
    ),
    // Only entries about one signal: a batch entry names its first signal but covers others.
    and(
      eq(auditLog.entityType, 'signal'),
      inArray(
        auditLog.entityId,
        db.select({ id: signals.id }).from(signals).where(eq(signals.investigationId, id)),
      ),
    ),
  );
  const newestFirst = opts.order === 'desc';
  const cursor = newestFirst
    ? opts.beforeSeq === undefined
      ? undefined
      : lt(auditLog.seq, opts.beforeSeq)
    : opts.afterSeq === undefined
      ? undefined
      : gt(auditLog.seq, opts.afterSeq);
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(related, cursor))
    .orderBy(newestFirst ? desc(auditLog.seq) : asc(auditLog.seq))
    .limit(limit + 1);

  const page = rows.slice(0, limit);
  return {
    investigationId: id,
    entries: page.map((e) => ({
      seq: e.seq,
      at: e.at,
      actor: e.actor,
      action: e.action,
      about: e.entityId === id ? 'investigation' : e.entityType,
      entityId: e.entityId,
      data: parseData(e.data),
    })),
    nextAfterSeq: !newestFirst && rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
    nextBeforeSeq: newestFirst && rows.length > limit ? (page.at(-1)?.seq ?? null) : null,
  };
}

function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The chain hashes the text as stored; a row that is not JSON is shown as that text.
    return text;
  }
}

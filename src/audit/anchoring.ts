/**
 * Chain anchors against the database: checking the log against the anchor file, and taking a
 * new anchor once the stretch of the chain since the last one has been verified.
 */
import { asc, gt, sql } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { auditLog } from '../store/schema.ts';
import { type Anchor, appendAnchorFile, checkAnchors, readAnchorFile } from './anchors.ts';
import { type ChainLink, type ChainVerdict, GENESIS_HASH, verifyChain } from './chain.ts';
import { verifyAuditLog } from './log.ts';

/**
 * The whole log's verdict (chain and head record), then the anchors: a log that verifies on
 * its own but has lost entries an anchor names, or differs from one, is broken.
 */
export async function verifyAuditLogWithAnchors(
  db: Db,
  anchors: readonly Anchor[],
): Promise<ChainVerdict> {
  const verdict = await verifyAuditLog(db);
  if (!verdict.ok || anchors.length === 0) return verdict;

  const problem = await anchorProblem(db, anchors);
  return problem ? { ok: false, entries: verdict.entries, ...problem } : verdict;
}

async function anchorProblem(db: Db, anchors: readonly Anchor[]) {
  const seqs = [...new Set(anchors.map((a) => a.seq))];
  const rows = await db
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .where(sql`${auditLog.seq} = ANY(${sql.param(seqs)}::bigint[])`);
  const [last] = await db
    .select({ seq: sql<number>`coalesce(max(${auditLog.seq}), 0)`.mapWith(Number) })
    .from(auditLog);

  const hashes = new Map(rows.map((r) => [r.seq, r.hash]));
  return checkAnchors(anchors, hashes, last?.seq ?? 0);
}

export type AnchorOutcome =
  | { status: 'written'; anchor: Anchor }
  /** Nothing was appended since the last anchor; the file is left as it is. */
  | { status: 'unchanged'; anchor: Anchor }
  | { status: 'empty' }
  /** The log does not match the anchors or its chain is broken: nothing is anchored. */
  | { status: 'refused'; verdict: Extract<ChainVerdict, { ok: false }> };

/**
 * Appends the log's head to the anchor file, after checking the anchors already there and
 * the chain since the newest of them: anchoring a broken chain would vouch for it. Reads only
 * the entries since that anchor, so it stays cheap to run every few minutes.
 */
export async function takeAnchor(db: Db, file: string, now: Date): Promise<AnchorOutcome> {
  const anchors = (await readAnchorFile(file)) ?? [];
  const problem = anchors.length > 0 ? await anchorProblem(db, anchors) : null;
  if (problem) return { status: 'refused', verdict: { ok: false, entries: 0, ...problem } };

  const newest = anchors.reduce<Anchor | null>((a, b) => (a && a.seq >= b.seq ? a : b), null);
  const start: ChainLink = newest ?? { seq: 0, hash: GENESIS_HASH };
  const rows = await db
    .select()
    .from(auditLog)
    .where(gt(auditLog.seq, start.seq))
    .orderBy(asc(auditLog.seq));
  const verdict = verifyChain(rows, start);
  if (!verdict.ok) return { status: 'refused', verdict };

  const head = rows.at(-1);
  if (!head) return newest ? { status: 'unchanged', anchor: newest } : { status: 'empty' };

  const anchor: Anchor = { seq: head.seq, hash: head.hash, at: now.toISOString() };
  await appendAnchorFile(file, anchor);
  return { status: 'written', anchor };
}

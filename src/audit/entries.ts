/**
 * The audit log a page at a time, newest first, for auditors reading it in the console. Pages
 * are keyed by sequence number (`before`), not by offset, so entries appended while someone
 * reads do not shift the pages they have not reached yet.
 */
import { desc, lt } from 'drizzle-orm';
import type { Db } from '../store/db.ts';
import { auditLog } from '../store/schema.ts';

export interface AuditPage {
  entries: {
    seq: number;
    at: string;
    actor: string;
    action: string;
    entityType: string;
    entityId: string;
    /** The entry's details, canonical JSON text as hashed. */
    data: string;
  }[];
  /** The `before` of the next (older) page, or null when this one reaches entry 1. */
  nextBefore: number | null;
}

/** Up to `limit` entries with seq below `before` (all when absent), newest first. */
export async function auditPage(
  db: Db,
  opts: { before?: number; limit: number },
): Promise<AuditPage> {
  // One more than asked tells whether an older page exists without a count of the table.
  const rows = await db
    .select({
      seq: auditLog.seq,
      at: auditLog.at,
      actor: auditLog.actor,
      action: auditLog.action,
      entityType: auditLog.entityType,
      entityId: auditLog.entityId,
      data: auditLog.data,
    })
    .from(auditLog)
    .where(opts.before === undefined ? undefined : lt(auditLog.seq, opts.before))
    .orderBy(desc(auditLog.seq))
    .limit(opts.limit + 1);

  const entries = rows.slice(0, opts.limit);
  const more = rows.length > opts.limit;
  return { entries, nextBefore: more ? (entries.at(-1)?.seq ?? null) : null };
}

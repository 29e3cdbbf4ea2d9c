/**
 * Appending to and reading the audit log in the database. Appends happen inside the caller's
 * transaction, so an action and its audit entry are committed together or not at all.
 */
import { asc, desc, sql } from 'drizzle-orm';
import type { Conn, Db } from '../store/db.ts';
import { auditLog } from '../store/schema.ts';
import { type AuditEntry, canonicalJson, entryHash, GENESIS_HASH, verifyChain } from './chain.ts';
import type { ChainVerdict } from './chain.ts';

// Serialises appenders across processes so that two entries never claim the same parent.
const AUDIT_LOCK = 727_002;

export interface AuditEvent {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  data?: unknown;
  /** Defaults to the current time; passed in by callers that already hold "now". */
  at?: Date;
}

/** Appends one entry, chained to the current head. Call inside a transaction. */
export async function appendAudit(tx: Conn, event: AuditEvent): Promise<AuditEntry> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK})`);

  const [head] = await tx
    .select({ seq: auditLog.seq, hash: auditLog.hash })
    .from(auditLog)
    .orderBy(desc(auditLog.seq))
    .limit(1);

  const entry: Omit<AuditEntry, 'hash'> = {
    seq: head ? head.seq + 1 : 1,
    at: (event.at ?? new Date()).toISOString(),
    actor: event.actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    data: canonicalJson(event.data ?? {}),
    prevHash: head ? head.hash : GENESIS_HASH,
  };
  const full: AuditEntry = { ...entry, hash: entryHash(entry) };

  await tx.insert(auditLog).values(full);
  return full;
}

/** Reads the whole chain in order and checks it. */
export async function verifyAuditLog(db: Db): Promise<ChainVerdict> {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
  return verifyChain(rows);
}

/** Entries about one entity, oldest first (an investigation's timeline). */
export async function auditEntriesFor(db: Db, entityId: string): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(sql`${auditLog.entityId} = ${entityId}`)
    .orderBy(asc(auditLog.seq));
}

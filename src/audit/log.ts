/**
 * Appending to and reading the audit log in the database. Appends happen inside the caller's
 * transaction, so an action and its audit entry are committed together or not at all.
 */
import { asc, desc, eq, sql } from 'drizzle-orm';
import type { Conn, Db } from '../store/db.ts';
import { auditLog, settings } from '../store/schema.ts';
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
  await recordAuditHead(tx, full);
  return full;
}

/**
 * Appends one audit entry per event, chained in order, with three statements whatever the
 * count: appendAudit writes the first (taking the chain's transaction-scoped lock, so no
 * other process can append until this transaction ends) and the rest follow it in one
 * multi-row insert, hashed exactly as appendAudit hashes them. Call inside a transaction.
 */
export async function appendAuditBatch(tx: Conn, events: AuditEvent[]): Promise<void> {
  const [first, ...rest] = events;
  if (!first) return;

  let prev: AuditEntry = await appendAudit(tx, first);
  const rows: AuditEntry[] = [];
  for (const e of rest) {
    const entry: Omit<AuditEntry, 'hash'> = {
      seq: prev.seq + 1,
      at: (e.at ?? new Date()).toISOString(),
      actor: e.actor,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      data: canonicalJson(e.data ?? {}),
      prevHash: prev.hash,
    };
    prev = { ...entry, hash: entryHash(entry) };
    rows.push(prev);
  }

  if (rows.length === 0) return;

  // One parameter per column rather than per value: the statement costs the same to parse
  // and plan for 2 entries or 500.
  const col = <K extends keyof AuditEntry>(key: K) => sql.param(rows.map((r) => r[key]));
  await tx.execute(sql`
    INSERT INTO ${auditLog} (seq, at, actor, action, entity_type, entity_id, data, prev_hash, hash)
    SELECT * FROM unnest(${col('seq')}::bigint[], ${col('at')}::text[], ${col('actor')}::text[],
      ${col('action')}::text[], ${col('entityType')}::text[], ${col('entityId')}::text[],
      ${col('data')}::text[], ${col('prevHash')}::text[], ${col('hash')}::text[])`);
  await recordAuditHead(tx, prev);
}

const HEAD_KEY = 'audit_head';

/**
 * Keeps the chain's head (last seq and hash) beside the log, in the same transaction as the
 * append, so that deleting entries from the end of the log no longer verifies: the head still
 * names the entry that was removed. Every appender (all of them are in this file) must call
 * it with its last entry.
 */
async function recordAuditHead(tx: Conn, last: AuditEntry): Promise<void> {
  const value = JSON.stringify({ seq: last.seq, hash: last.hash });
  await tx
    .insert(settings)
    .values({ key: HEAD_KEY, value })
    .onConflictDoUpdate({ target: settings.key, set: { value } });
}

async function readAuditHead(db: Db): Promise<{ seq: number; hash: string } | null> {
  const [row] = await db.select().from(settings).where(eq(settings.key, HEAD_KEY));
  return row ? (JSON.parse(row.value) as { seq: number; hash: string }) : null;
}

/** Reads the whole chain in order and checks it, and that it still ends where its head says. */
export async function verifyAuditLog(db: Db): Promise<ChainVerdict> {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.seq));
  const verdict = verifyChain(rows);
  if (!verdict.ok) return verdict;

  const head = await readAuditHead(db);
  const last = rows.at(-1);
  if (head === null && last === undefined) {
    // An empty log is intact only on a database where nothing audited was ever written:
    // deleting every entry together with the head must not read as "intact: 0 entries".
    const audited = await auditedRecords(db);
    if (audited.length === 0) return verdict;
    const reason = `the log and its head are missing, yet ${audited.join(', ')} hold records`;
    return { ok: false, entries: 0, brokenAt: 1, reason };
  }
  if (head === null) {
    return { ok: false, entries: rows.length, brokenAt: 1, reason: 'the head record is missing' };
  }
  if (last === undefined || last.seq < head.seq) {
    const end = last?.seq ?? 0;
    const reason = `entries ${end + 1} to ${head.seq} are missing from the end of the log`;
    return { ok: false, entries: rows.length, brokenAt: end + 1, reason };
  }
  if (last.seq !== head.seq || last.hash !== head.hash) {
    const reason = `the log ends at entry ${last.seq} but its head record names entry ${head.seq}`;
    return { ok: false, entries: rows.length, brokenAt: Math.min(last.seq, head.seq), reason };
  }
  return verdict;
}

// Tables whose every row was created together with an audit entry (the entry may be about the
// row itself or the batch that created it).
const AUDITED_TABLES = [
  'investigations',
  'tenants',
  'api_tokens',
  'suppression_rules',
  'scoping_runs',
  'clocks',
  'notices',
  'holds',
  'people',
  'sessions',
];

/** The audited tables that hold at least one row. */
async function auditedRecords(db: Db): Promise<string[]> {
  const checks = AUDITED_TABLES.map(
    (t) => sql`SELECT ${t} AS name WHERE EXISTS (SELECT 1 FROM ${sql.identifier(t)})`,
  );
  const result: unknown = await db.execute(sql.join(checks, sql` UNION ALL `));
  return (result as { rows: { name: string }[] }).rows.map((r) => r.name);
}

/** Entries about one entity, oldest first (an investigation's timeline). */
export async function auditEntriesFor(db: Db, entityId: string): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(sql`${auditLog.entityId} = ${entityId}`)
    .orderBy(asc(auditLog.seq));
}
